// The card-verifiable certificate (CVC) of the 券面 applications (EF 0004) and the RSA public
// keys the card stores as 90/91 objects (the CVC body, the card-face record's DF24).
// Facts: ../shared/spec/jpki-card.md §6 and soltia48/myna-card src/data.rs (docs/genuine-card.md).
// Parsing only: signatures are checked in core/genuine_card with core/crypto.
#pragma once

#include <array>
#include <string>

#include "hal/bytes.hpp"
#include "hal/mynumber_card.hpp"

namespace kiosk::core::card {

// A 16-byte key identifier (証明者鍵ID / 被証明者鍵ID): 7 ASCII digits naming the key, 2 bytes,
// 3 ASCII digits (a group), 4 bytes of padding. Compared on all 16 bytes.
struct KeyId {
  std::array<Byte, hal::mynumber::card_face::kKeyIdLength> bytes{};

  // Throws CardProtocolError(MalformedData) unless 16 bytes with digits where digits belong.
  static KeyId parse(ByteView raw);
  // "8000023/001": the number and the group, how people name the key.
  std::string text() const;
  std::string hex() const { return to_hex(bytes, '\0'); }
  friend bool operator==(const KeyId&, const KeyId&) = default;
};

// An RSA public key as two big-endian integers.
struct RsaKeyComponents {
  Bytes modulus;
  Bytes exponent;
};

// The concatenated 90 (exponent) and 91 (modulus) objects. Throws CardProtocolError
// (MalformedData) when either is missing or empty.
RsaKeyComponents parse_rsa_key_components(ByteView objects);

struct CardVerifiableCertificate {
  KeyId authority;  // 証明者鍵ID: the key that signed this certificate (not on the card)
  KeyId holder;     // 被証明者鍵ID: the key certified (the municipality's record-signing key)
  RsaKeyComponents public_key;
  Bytes body;       // exactly the signed bytes: the 5F4E value (297 bytes)
  Bytes signature;  // 5F37 value
};

// EF 0004 as read (7F21 template; trailing filler allowed). Throws CardProtocolError
// (MalformedData) for anything that is not shaped like the card's certificate.
CardVerifiableCertificate parse_cvc(ByteView ef0004);

}  // namespace kiosk::core::card
