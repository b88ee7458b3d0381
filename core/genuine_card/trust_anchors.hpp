// The J-LIS keys that certify the card-face records' issuers (the 証明者鍵ID of EF 0004's
// card-verifiable certificate names one). They are not on the card: the kiosk loads them from a
// file. The simulated CA writes `cardface-anchors.json` next to its CRLs (kiosk-sim ca init):
//   {"format":"kiosk-card-face-anchors","version":1,
//    "anchors":[{"key_id":"<32 hex digits>","name":"7000023/001","public_key":"-----BEGIN PUBLIC KEY-----..."}]}
// Production keys (証明者鍵ID 5000023 for the 券面事項確認AP) would be listed the same way.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/card/cvc.hpp"
#include "core/crypto/rsa_public_key.hpp"

namespace kiosk::core::genuine_card {

// The anchor file is missing, unreadable or not the documented JSON; the message names the file
// and the problem.
class TrustAnchorError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TrustAnchor {
  card::KeyId key_id;
  crypto::RsaPublicKey key;
};

class CardFaceTrustAnchors {
 public:
  // The file's name next to the simulated CA's CRLs.
  static constexpr const char* kFileName = "cardface-anchors.json";

  CardFaceTrustAnchors() = default;
  static CardFaceTrustAnchors load(const std::filesystem::path& file);
  static CardFaceTrustAnchors parse(const std::string& json_text, const std::string& origin = "anchors");

  void add(TrustAnchor anchor);
  // The anchor with exactly this key id (all 16 bytes), if any.
  std::optional<crypto::RsaPublicKey> find(const card::KeyId& id) const;
  bool empty() const noexcept { return anchors_.empty(); }
  std::size_t size() const noexcept { return anchors_.size(); }

 private:
  std::vector<TrustAnchor> anchors_;
};

}  // namespace kiosk::core::genuine_card
