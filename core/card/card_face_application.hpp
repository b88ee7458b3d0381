// 券面事項確認AP: the card face (face photo, birth date, sex, expiry), opened by 照合番号B.
// Facts: docs/card-protocol.md §6. The My Number image (EF 0005) is never read.
#pragma once

#include <array>
#include <string>

#include "core/card/card_session.hpp"
#include "core/card/reference_data.hpp"
#include "core/card/secret.hpp"

namespace kiosk::core::card {

struct CardFace {
  std::string birth_date;   // YYYYMMDD
  char sex = '0';           // ISO 5218: 1 male, 2 female, 9 not applicable, 0 unknown
  std::string expiry_date;  // YYYYMMDD, empty when the record has none
  Bytes photo_jp2;          // JPEG 2000 (JP2 box), greyscale
  // What proves the record genuine (docs/genuine-card.md); empty on records without them.
  Bytes card_key;           // DF24: the card's own 券面AP public key (90/91 objects)
  Bytes record_signature;   // DF28: by the issuer key certified in EF 0004
  // The bytes DF28 covers, as written on the card (tag, length, value of each object), in three
  // groups hashed separately: DF22 DF23 DF24 | DF25 DF26 | DF27. DF29 and DF2A are not covered.
  std::array<Bytes, 3> signed_groups;

  ~CardFace();  // the photo is personal data: wiped
  CardFace() = default;
  CardFace(CardFace&&) noexcept = default;
  CardFace& operator=(CardFace&&) noexcept;  // wipes the photo it replaces
  CardFace(const CardFace&) = delete;
  CardFace& operator=(const CardFace&) = delete;
};

// Parses the FF20 record of EF 0002. Throws CardProtocolError(MalformedData) on anything
// missing or inconsistent.
CardFace parse_card_face(ByteView record);

class CardFaceApplication {
 public:
  explicit CardFaceApplication(CardSession& session) : session_(session) {}

  // A token without this application (a smartphone) gives CardFailure::NotSupported.
  void select();
  RetryStatus code_b_status();
  // One try of 照合番号B (14 digits; otherwise std::invalid_argument and nothing is sent).
  VerifyResult verify_code_b(const Secret& code_b);
  CardFace read_card_face();
  // EF 0004, readable without any key: exactly the 7F21 object.
  Bytes read_certificate();
  // GET CHALLENGE (00 84 00 00 Le): `length` (1..256) random bytes from the card.
  Bytes get_challenge(std::size_t length = 16);
  // COMPUTE DIGITAL SIGNATURE with the application's own key (80 2A 00 00 <DigestInfo> 00): no PIN,
  // no 照合番号 needed. The card pads (PKCS#1 v1.5); returns the 256-byte signature.
  Bytes sign(ByteView digest_info);

 private:
  CardSession& session_;
};

}  // namespace kiosk::core::card
