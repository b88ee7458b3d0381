// Everything a simulated My Number card holds, as stored in a card file (JSON) made by
// `kiosk-sim card issue`. Retry counters are written back to the file as they change, so they
// persist across runs, like the card's EEPROM.
//
// A card file is test material: it holds private keys and PINs in the clear.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "hal/bytes.hpp"

namespace kiosk::sim::card {

enum class TokenType { Card, AndroidSmartphone, IPhone };

struct PinSlot {
  std::optional<std::string> value;  // nothing: no reference data (PIN-less face-only card)
  int max_tries = 3;
  int tries_left = 3;
};

struct KeyPairSlot {
  std::string private_key_pem;
  Bytes certificate;     // DER
  Bytes ca_certificate;  // DER
  PinSlot pin;
};

struct CardProfile {
  std::string holder_name;      // 氏名, UTF-8
  std::string birth_date;       // YYYYMMDD (Gregorian)
  char sex = '9';               // ISO 5218
  std::string address;          // UTF-8
  std::string card_expiry;      // YYYYMMDD
  std::string security_code;    // 4 digits printed on the card
  TokenType token = TokenType::Card;

  KeyPairSlot auth;                  // 利用者証明用
  std::optional<KeyPairSlot> sign;   // 署名用 (none on face-only cards and for minors)

  // 券面事項確認AP and 券面事項入力補助AP (cards only, not smartphones).
  Bytes face_photo_jp2;
  PinSlot code_b{std::nullopt, 10, 10};  // 照合番号B, value computed at issue
  std::string my_number;                 // 12 digits, only inside the 入力補助AP
  PinSlot text_pin;                      // 券面事項入力補助用 PIN

  // Test knobs: what this card (and the reader in front of it) accepts.
  bool extended_length = true;        // extended Lc/Le; otherwise 67 00
  bool short_ef_identifiers = true;   // SFI in READ BINARY P1 / VERIFY and sign P2; otherwise 6A 86
  std::size_t file_padding = 0;       // FF filler after the certificates and records

  static CardProfile load(const std::filesystem::path& file);
  void save(const std::filesystem::path& file) const;  // atomic (write, fsync, rename)
};

// 照合番号B: birth date as Japanese-era YYMMDD + card expiry year + 4-digit security code.
// Throws std::invalid_argument for dates before the Meiji era or malformed input.
std::string compute_code_b(const std::string& birth_date_yyyymmdd, const std::string& card_expiry_yyyymmdd,
                           const std::string& security_code);
// The birth date as Japanese-era YYMMDD (the card-face AP's birth-date key).
std::string japanese_era_date(const std::string& birth_date_yyyymmdd);

}  // namespace kiosk::sim::card
