// 券面事項確認AP: the card face (face photo, birth date, sex, expiry), opened by 照合番号B.
// Facts: docs/card-protocol.md §6. The My Number image (EF 0005) is never read.
#pragma once

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

 private:
  CardSession& session_;
};

}  // namespace kiosk::core::card
