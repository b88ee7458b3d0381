#include "sim/ca/card_face_ca.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unistd.h>

#include "sim/ca/ber_tlv.hpp"
#include "sim/ca/jpki_ca.hpp"

namespace kiosk::sim::ca {
namespace {

namespace fs = std::filesystem;

constexpr int kTagCvc = 0x21;        // 7F21 (application, constructed)
constexpr int kTagCvcBody = 0x4E;    // 5F4E
constexpr int kTagCvcSignature = 0x37;  // 5F37
constexpr int kTagExponent = 0x10;   // 90 (context, primitive)
constexpr int kTagModulus = 0x11;    // 91

const Bytes kSha256AlgorithmIdentifier{0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00};

Bytes sha256(ByteView data) {
  Bytes out(32);
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_sha256(), nullptr) != 1) throw CaError("SHA-256 failed");
  return out;
}

// DigestInfo { sha256, OCTET STRING digest } for a digest of up to 100 bytes.
Bytes digest_info(ByteView digest) {
  Bytes inner = kSha256AlgorithmIdentifier;
  inner.push_back(0x04);
  inner.push_back(static_cast<Byte>(digest.size()));
  append(inner, digest);
  return ber_tlv(TagClass::Universal, true, 0x10, inner);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw CaError("cannot read " + file.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// `content` in a temporary file next to `file` (owner-only when secret); the caller moves it into place.
std::filesystem::path write_temp(const fs::path& file, std::string_view content, bool secret) {
  const fs::path temp = file.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) throw CaError("cannot write " + temp.string());
  }
  std::error_code ec;
  if (secret) fs::permissions(temp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
  return temp;
}

// Writes `file` only if it does not exist yet (another process may have made it a moment ago):
// returns false then, and the caller loads what is there.
bool write_new(const fs::path& file, std::string_view content, bool secret) {
  const fs::path temp = write_temp(file, content, secret);
  const int linked = ::link(temp.c_str(), file.c_str());
  const int error = errno;
  std::error_code ec;
  fs::remove(temp, ec);
  if (linked == 0) return true;
  if (error == EEXIST) return false;
  throw CaError("cannot write " + file.string() + ": " + std::generic_category().message(error));
}

void write_replacing(const fs::path& file, std::string_view content) {
  const fs::path temp = write_temp(file, content, false);
  std::error_code ec;
  fs::rename(temp, file, ec);
  if (ec) throw CaError("cannot write " + file.string() + ": " + ec.message());
}

// A key file made now, or the one another process made first.
RsaKey new_or_existing_key(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    const RsaKey key = RsaKey::generate(2048);
    if (write_new(file, key.to_pem(), true)) return key;
  }
  try {
    return RsaKey::from_pem(read_text(file));
  } catch (const KeyError& e) {
    throw CaError("corrupt card-face key " + file.string() + ": " + e.what());
  }
}

bool digits(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Bytes make_key_id(std::string_view number7, std::string_view group3) {
  if (!digits(number7, 7) || !digits(group3, 3)) throw std::invalid_argument("a key id is 7 digits and a 3-digit group");
  Bytes id(number7.begin(), number7.end());
  id.push_back(0x08);
  id.push_back(0x05);
  id.insert(id.end(), group3.begin(), group3.end());
  id.resize(16, 0x00);
  return id;
}

Bytes rsa_key_objects(const RsaKey& key) {
  Bytes out = ber_tlv(TagClass::Context, false, kTagExponent, key.public_exponent());
  append(out, ber_tlv(TagClass::Context, false, kTagModulus, key.modulus()));
  return out;
}

Bytes make_card_verifiable_certificate(ByteView authority_id, ByteView holder_id, const RsaKey& holder_key,
                                       const RsaKey& signer) {
  if (authority_id.size() != 16 || holder_id.size() != 16) throw std::invalid_argument("key ids are 16 bytes");
  Bytes body(authority_id.begin(), authority_id.end());
  append(body, holder_id);
  append(body, rsa_key_objects(holder_key));
  if (body.size() != 297) throw std::invalid_argument("a card-verifiable certificate certifies an RSA-2048 key");
  Bytes content = ber_tlv(TagClass::Application, false, kTagCvcBody, body);
  append(content, ber_tlv(TagClass::Application, false, kTagCvcSignature, signer.sign_pkcs1_raw(digest_info(sha256(body)))));
  return ber_tlv(TagClass::Application, true, kTagCvc, content);
}

Bytes sign_card_face_groups(const RsaKey& issuer, const std::array<Bytes, 3>& groups) {
  Bytes hashes;
  for (const Bytes& g : groups) append(hashes, sha256(g));
  return issuer.sign_pkcs1_raw(digest_info(hashes));
}

std::string card_face_anchors_json(ByteView key_id, const RsaKey& root) {
  const nlohmann::json j{
      {"format", "kiosk-card-face-anchors"},
      {"version", 1},
      {"note", "J-LIS keys that certify the card-face records' issuers (EF 0004). Simulated: the kiosk simulator's root."},
      {"anchors", nlohmann::json::array({{{"key_id", to_hex(key_id, '\0')},
                                          {"name", std::string(key_id.begin(), key_id.begin() + 7) + "/" +
                                                       std::string(key_id.begin() + 9, key_id.begin() + 12)},
                                          {"public_key", root.public_key_pem()}}})}};
  return j.dump(2) + "\n";
}

SimulatedCardFaceCa::SimulatedCardFaceCa(fs::path dir, RsaKey root)
    : dir_(std::move(dir)), root_(std::move(root)), root_id_(make_key_id("7000023")) {}

SimulatedCardFaceCa SimulatedCardFaceCa::open_or_create(const fs::path& ca_dir) {
  std::error_code ec;
  if (!fs::is_directory(ca_dir, ec)) throw CaError("no simulated CA directory at " + ca_dir.string());
  RsaKey root = new_or_existing_key(ca_dir / "cardface-root.key");
  SimulatedCardFaceCa ca(ca_dir, std::move(root));
  const std::string anchors = card_face_anchors_json(ca.root_id_, ca.root_);
  const fs::path anchors_file = ca_dir / kAnchorsFile;
  if (!fs::exists(anchors_file, ec) || read_text(anchors_file) != anchors) write_replacing(anchors_file, anchors);
  return ca;
}

const SimulatedCardFaceCa::Issuer& SimulatedCardFaceCa::issuer(const std::string& code) {
  if (!digits(code, 5)) throw std::invalid_argument("a municipality code is 5 digits: '" + code + "'");
  if (const auto it = issuers_.find(code); it != issuers_.end()) return it->second;
  const fs::path dir = dir_ / "cardface-issuers";
  fs::create_directories(dir);
  RsaKey key = new_or_existing_key(dir / (code + ".key"));
  const Bytes id = make_key_id("7" + code + "1");
  const fs::path cvc_file = dir / (code + ".cvc");
  Bytes cvc;
  std::error_code ec;
  if (fs::exists(cvc_file, ec)) {
    const std::string text = read_text(cvc_file);
    cvc.assign(text.begin(), text.end());
  }
  // Made again when missing or when it no longer certifies the key (a root made anew).
  const Bytes expected = make_card_verifiable_certificate(root_id_, id, key, root_);
  if (cvc != expected) {
    cvc = expected;
    write_replacing(cvc_file, std::string(cvc.begin(), cvc.end()));
  }
  return issuers_.emplace(code, Issuer{code, id, std::move(key), std::move(cvc)}).first->second;
}

}  // namespace kiosk::sim::ca
