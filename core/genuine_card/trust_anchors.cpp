#include "core/genuine_card/trust_anchors.hpp"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/card/card_error.hpp"

namespace kiosk::core::genuine_card {

CardFaceTrustAnchors CardFaceTrustAnchors::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw TrustAnchorError("cannot read the card-face trust anchors " + file.string() +
                           " (the simulated CA writes them: kiosk-sim ca init)");
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(text, file.string());
}

CardFaceTrustAnchors CardFaceTrustAnchors::parse(const std::string& json_text, const std::string& origin) {
  const nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  auto bad = [&](const std::string& what) { return TrustAnchorError(origin + ": " + what); };
  if (!j.is_object() || j.value("format", "") != "kiosk-card-face-anchors" || !j.contains("version") ||
      j["version"] != 1) {
    throw bad("not a kiosk-card-face-anchors version 1 file");
  }
  if (!j.contains("anchors") || !j["anchors"].is_array()) throw bad("no \"anchors\" array");
  CardFaceTrustAnchors out;
  for (std::size_t i = 0; i < j["anchors"].size(); ++i) {
    const nlohmann::json& a = j["anchors"][i];
    const std::string where = "anchors[" + std::to_string(i) + "]";
    if (!a.is_object() || !a.contains("key_id") || !a["key_id"].is_string() || !a.contains("public_key") ||
        !a["public_key"].is_string()) {
      throw bad(where + " needs \"key_id\" and \"public_key\" strings");
    }
    try {
      out.add({card::KeyId::parse(from_hex(a["key_id"].get<std::string>())),
               crypto::RsaPublicKey::from_pem(a["public_key"].get<std::string>())});
    } catch (const std::exception& e) {
      throw bad(where + ": " + e.what());
    }
  }
  if (out.empty()) throw bad("lists no anchor");
  return out;
}

void CardFaceTrustAnchors::add(TrustAnchor anchor) { anchors_.push_back(std::move(anchor)); }

std::optional<crypto::RsaPublicKey> CardFaceTrustAnchors::find(const card::KeyId& id) const {
  for (const TrustAnchor& a : anchors_) {
    if (a.key_id == id) return a.key;
  }
  return std::nullopt;
}

}  // namespace kiosk::core::genuine_card
