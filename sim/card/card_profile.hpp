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

// Which card: today's, or the next-generation card issued from 2026 (../shared/spec/
// card-face-layout.md). SIMULATOR ASSUMPTION for a next-generation card (docs/genuine-card.md): it
// answers the JPKI AP as today, not today's 券面事項確認AP or 券面事項入力補助AP, and a provisional
// 券面等AP (hal/mynumber_card.hpp) whose files and keys are unknown, so nothing in it can be read.
// Its printed face has the birth date in the Gregorian calendar and no sex line.
enum class CardGeneration { Current, Next };
// "current", "next"; std::invalid_argument for anything else.
const char* to_string(CardGeneration g);
CardGeneration card_generation_from_name(const std::string& name);

// What makes the card face provable (docs/genuine-card.md): the card's own 券面AP key, the issuer's
// certificate (EF 0004) and signature (DF28), and the images the signature covers. Card files
// made before these existed have none: such a card is refused on the face path.
struct CardFaceSecurity {
  std::string private_key_pem;  // the chip's 券面AP key: signs 80 2A 00 00 in the 確認AP (no PIN)
  Bytes record_card_key;        // DF24 as written in the record: 90 e 91 n (the chip key's public half
                                // on a genuine card; another key on a copied record)
  Bytes certificate;            // EF 0004: the municipality's card-verifiable certificate
  Bytes record_signature;       // DF28 over the record's three signed groups
  Bytes name_png;               // DF25: 氏名 as printed (1-bit PNG)
  Bytes address_png;            // DF26: 住所 as printed
  Bytes security_code_png;      // DF2A: the security code as printed (not signed)
  std::string municipality_code;  // 5 digits: whose issuer key signed the record
};

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
  CardGeneration generation = CardGeneration::Current;  // "generation" in the file; absent: current

  KeyPairSlot auth;                  // 利用者証明用
  std::optional<KeyPairSlot> sign;   // 署名用 (none on face-only cards and for minors)

  // 券面事項確認AP and 券面事項入力補助AP (cards only, not smartphones).
  Bytes face_photo_jp2;
  PinSlot code_b{std::nullopt, 10, 10};  // 照合番号B, value computed at issue
  std::string my_number;                 // 12 digits, only inside the 入力補助AP
  PinSlot text_pin;                      // 券面事項入力補助用 PIN
  std::optional<CardFaceSecurity> card_face;  // "card_face" in the file; absent in older files
  // "attack" in the file: the clone variant of an attack card (sim/card/attack_cards.hpp), whose
  // authentication certificate is the victim's and does not hold its key; empty: a card as issued.
  std::string attack;

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
