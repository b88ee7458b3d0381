// The genuine-card proof of a face confirmation (docs/genuine-card.md, docs/eligibility-protocol.md
// §4a): what the kiosk read from the card's 券面事項確認AP and what the card signed, so that the
// service can check, without the photo, that
//   1. the card-verifiable certificate (EF 0004) was issued by a J-LIS key it trusts,
//   2. the card-face record (its signed groups) carries the issuer's signature DF28,
//   3. the chip holds the private key of the record's DF24: it signed the service's nonce,
//   4. the record belongs to the holder of the user-authentication certificate.
#pragma once

#include "hal/bytes.hpp"

namespace kiosk::core::eligibility {

struct CardFaceProof {
  Bytes cvc;               // EF 0004 as read: 7F21 { 5F4E body, 5F37 signature }
  Bytes record_group1;     // DF22 DF23 DF24 as written (birth date, sex, the card's key)
  Bytes group2_sha256;     // SHA-256 of DF25 DF26 as written (name and address images)
  Bytes group3_sha256;     // SHA-256 of DF27 as written (the photo the face was matched against)
  Bytes record_signature;  // DF28
  Bytes card_challenge;    // 16 bytes the card gave to GET CHALLENGE in this session
  Bytes card_signature;    // by the card's 券面AP key over card_face_signed_message(...)
};

// The bytes the card's 券面AP key signs (80 2A 00 00 with the SHA-256 DigestInfo of them):
//   "kiosk-card-face-proof/1" 00 | len(nonce) (2 bytes, big-endian) nonce | card_challenge (16) |
//   SHA-256(user-authentication certificate DER) (32)
// The domain string keeps the signature from standing for anything else the key might sign; the
// certificate hash binds it to the certificate presented in the same request. Throws
// std::invalid_argument for an empty nonce or a challenge that is not 16 bytes.
Bytes card_face_signed_message(ByteView nonce, ByteView card_challenge, ByteView certificate_der);

inline constexpr std::size_t kCardChallengeLength = 16;

}  // namespace kiosk::core::eligibility
