// The card factory: issues simulated My Number cards for test people, with real RSA-2048 keys
// and certificates from the simulated JPKI CA, a JPEG 2000 face photo made from an image file
// and the printed 照合番号B.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "sim/card/card_profile.hpp"

namespace kiosk::sim::ca {
class SimulatedJpkiCa;
}

namespace kiosk::sim::card {

enum class CertificateCondition {
  Valid,           // issued a year ago, runs to the 5th birthday after issue
  ExpiringSoon,    // expires in 45 days (inside the 3-month warning)
  ExpiredInGrace,  // expired 30 days ago (inside the 3-month grace period)
  Expired,         // expired 120 days ago (past the grace period)
  Revoked,         // valid dates, revoked at the CA
};

// "valid", "expiring-soon", "expired-in-grace", "expired", "revoked".
CertificateCondition certificate_condition_from_name(const std::string& name);

struct CardOrder {
  std::string holder_name;             // UTF-8, family and given name separated by U+3000
  std::string birth_date;              // YYYYMMDD
  char sex = '9';                      // ISO 5218
  std::string address;
  std::optional<std::string> pin = std::string("1234");  // nothing: PIN-less face-only card
  std::optional<std::string> sign_password = std::string("ABC123");  // nothing: no 署名用 certificate
  std::optional<std::filesystem::path> photo;  // any image OpenCV reads; nothing: a drawn silhouette
  CertificateCondition certificate = CertificateCondition::Valid;
  TokenType token = TokenType::Card;
  std::string security_code;           // 4 digits; empty: random
  int auth_tries_left = 3;             // start a card with fewer tries left (0: locked)
  CardGeneration generation = CardGeneration::Current;
  std::string municipality_code = "13101";  // whose issuer key signs the card-face record (千代田区)
  std::chrono::system_clock::time_point today = std::chrono::system_clock::now();
};

// Issues the card. Throws std::invalid_argument for an order that breaks the card's rules
// (PIN not 4 digits, signing password not 6-16 of A-Z/0-9 with a letter and a digit,
// bad dates) and std::runtime_error for an unreadable photo.
CardProfile issue_card(sim::ca::SimulatedJpkiCa& ca, const CardOrder& order);

// The card-face record's proof for a card profile whose other fields are final: a new chip key
// (DF24), the municipality's certificate (EF 0004), the printed-text images and the issuer's
// signature DF28 over the record, from the CA's card-face side (sim/ca/card_face_ca.hpp).
CardFaceSecurity issue_card_face_security(sim::ca::SimulatedJpkiCa& ca, const CardProfile& profile, const std::string& municipality_code);

// The card's face photo: greyscale, head and shoulders framed with a margin, 3:4, JPEG 2000.
Bytes make_card_photo_jp2(const std::optional<std::filesystem::path>& image);

}  // namespace kiosk::sim::card
