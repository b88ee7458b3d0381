// The simulated J-LIS side of the 券面 applications (docs/genuine-card.md): a CVC root key, one
// record-signing key per municipality certified by it (the card-verifiable certificate every card
// of that municipality carries in EF 0004), and the signature DF28 over each card-face record.
//
// Facts (soltia48/myna-card src/data.rs, src/ap/surface.rs): the CVC is 7F21 { 5F4E body of
// 297 bytes = 証明者鍵ID (16) | 被証明者鍵ID (16) | RSA-2048 key as 90 e / 91 n, 5F37 RSASSA-PKCS1-v1_5
// SHA-256 over the body }; DF28 is RSASSA-PKCS1-v1_5 over a SHA-256 DigestInfo holding three hashes:
// of DF22 DF23 DF24, of DF25 DF26, of DF27 (tags and lengths included). The CA key is not on
// the card. SIMULATOR ASSUMPTIONS: key ids of the simulator's hierarchy begin with 7 (production
// 5, JPKI test cards 6): the root is 7000023/001, a municipality's key 7<5-digit code>1/001;
// bytes 7-8 of a key id are 08 05 and the padding zero, as on the cards MC surveyed.
//
// Files in the CA directory (next to auth.crl / sign.crl):
//   cardface-root.key              the CVC root's private key (PKCS#8)
//   cardface-anchors.json          the root's key id and public key: the kiosk's and the service's anchor
//   cardface-issuers/<code>.key    a municipality's record-signing key
//   cardface-issuers/<code>.cvc    its card-verifiable certificate (EF 0004)
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "hal/bytes.hpp"
#include "sim/ca/rsa_key.hpp"

namespace kiosk::sim::ca {

// A 16-byte key id: 7 digits, 08 05, 3 digits, 4 zero bytes. std::invalid_argument otherwise.
Bytes make_key_id(std::string_view number7, std::string_view group3 = "001");
// An RSA public key as the card stores it: 90 <e> 91 <n>.
Bytes rsa_key_objects(const RsaKey& key);
// EF 0004: 7F21 { 5F4E authority|holder|key, 5F37 signature by `signer` }.
Bytes make_card_verifiable_certificate(ByteView authority_id, ByteView holder_id, const RsaKey& holder_key,
                                       const RsaKey& signer);
// DF28's value: `issuer` signs the SHA-256 DigestInfo of the three groups' SHA-256 hashes.
Bytes sign_card_face_groups(const RsaKey& issuer, const std::array<Bytes, 3>& groups);
// The anchor file's text for one root key.
std::string card_face_anchors_json(ByteView key_id, const RsaKey& root);

class SimulatedCardFaceCa {
 public:
  static constexpr const char* kAnchorsFile = "cardface-anchors.json";

  // The card-face side of the CA in `ca_dir` (a SimulatedJpkiCa directory): loads the root key,
  // or makes it (and writes the anchor file) when the directory has none yet, as CA directories
  // made before it have not. Throws std::runtime_error naming a file that cannot be read or written.
  static SimulatedCardFaceCa open_or_create(const std::filesystem::path& ca_dir);

  struct Issuer {
    std::string municipality_code;  // 5 digits (全国地方公共団体コード without the check digit)
    Bytes key_id;
    RsaKey key;
    Bytes certificate;  // EF 0004
  };
  // A municipality's issuer, made and certified by the root on first use.
  const Issuer& issuer(const std::string& municipality_code);

  const Bytes& root_key_id() const { return root_id_; }
  const std::filesystem::path& directory() const { return dir_; }

 private:
  SimulatedCardFaceCa(std::filesystem::path dir, RsaKey root);

  std::filesystem::path dir_;
  RsaKey root_;
  Bytes root_id_;
  std::map<std::string, Issuer> issuers_;
};

}  // namespace kiosk::sim::ca
