// The My Number card's interface as seen over a card channel: its applications and files.
// Shared by the terminal side (core/card) and the simulated card (sim/card), so both speak of
// the same card. Facts: docs/card-protocol.md §2, §3, §6, §7, §9.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace kiosk::hal::mynumber {

using Aid = std::array<std::uint8_t, 10>;

// 公的個人認証AP (JPKI-AP).
inline constexpr Aid kJpkiAid{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01};
// 券面事項確認AP: the card face, with the face photo.
inline constexpr Aid kCardFaceAid{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02};
// 券面事項入力補助AP: holds the 12-digit My Number. The kiosk must never select it.
inline constexpr Aid kTextAid{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08};
// 住基AP and 共通カードAP: present on real cards, unused by the kiosk.
inline constexpr Aid kJukiAid{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01};
inline constexpr Aid kCommonAid{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00};
// The next-generation card (次期個人番号カード, from 2026) regroups its applications into a
// "認証AP" and a "券面等AP" (provisional names; ../shared/spec/card-face-layout.md). Their AIDs are
// not public. SIMULATOR ASSUMPTION (docs/genuine-card.md): the 認証AP keeps today's JPKI AID, and
// the 券面等AP answers this made-up AID. The kiosk may select it to recognise the generation, and
// sends nothing else inside it.
inline constexpr Aid kNextGenerationCardFaceAid{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x02, 0x01, 0x00, 0x01};

namespace jpki {
inline constexpr std::uint16_t kSignCertificate = 0x0001;    // needs the signing password
inline constexpr std::uint16_t kSignCaCertificate = 0x0002;
inline constexpr std::uint16_t kTokenInfo = 0x0006;          // 32-byte space-padded label first
inline constexpr std::uint16_t kCertificatePresence = 0x0008;
inline constexpr std::uint16_t kAuthCertificate = 0x000A;
inline constexpr std::uint16_t kAuthCaCertificate = 0x000B;
inline constexpr std::uint16_t kAuthKey = 0x0017;
inline constexpr std::uint16_t kAuthPin = 0x0018;
inline constexpr std::uint16_t kSignKey = 0x001A;
inline constexpr std::uint16_t kSignPin = 0x001B;

inline constexpr int kAuthPinMaxTries = 3;
inline constexpr int kSignPinMaxTries = 5;

// EF 0006 labels.
inline constexpr const char* kLabelMyNumberCard = "JPKIAPICCTOKEN2";
inline constexpr const char* kLabelJukiCard = "JPKIAPICCTOKEN";
inline constexpr const char* kLabelAndroid = "JPKIAPGPSETOKEN";
inline constexpr const char* kLabelIphone = "JPKIAPIOSTOKEN";
}  // namespace jpki

namespace card_face {
inline constexpr std::uint16_t kCardFace = 0x0002;      // FF20 record with the face photo
inline constexpr std::uint16_t kBasicData = 0x0003;
inline constexpr std::uint16_t kCertificate = 0x0004;   // card-verifiable certificate (7F21): the record's issuer key
inline constexpr std::uint16_t kMyNumberImage = 0x0005; // opened by 照合番号A only: never read
inline constexpr std::uint16_t kBirthDateKey = 0x0011;
inline constexpr std::uint16_t kCodeB = 0x0012;         // 照合番号B (14 digits)
inline constexpr std::uint16_t kCodeA = 0x0013;         // 照合番号A = the My Number: never used

// Tags inside the FF20 record (private class).
inline constexpr std::uint32_t kTagRecord = 0xFF20;
inline constexpr std::uint32_t kTagOffsets = 0xDF21;
inline constexpr std::uint32_t kTagBirthDate = 0xDF22;  // YYYYMMDD ASCII
inline constexpr std::uint32_t kTagSex = 0xDF23;        // ISO 5218 ASCII digit
inline constexpr std::uint32_t kTagPublicKey = 0xDF24;
inline constexpr std::uint32_t kTagNameImage = 0xDF25;  // PNG
inline constexpr std::uint32_t kTagAddressImage = 0xDF26;
inline constexpr std::uint32_t kTagPhoto = 0xDF27;      // JPEG 2000 (JP2), greyscale
inline constexpr std::uint32_t kTagSignature = 0xDF28;
inline constexpr std::uint32_t kTagExpiry = 0xDF29;     // YYYYMMDD ASCII
inline constexpr std::uint32_t kTagSecurityCodeImage = 0xDF2A;

// The card-verifiable certificate of EF 0004 (soltia48/myna-card src/data.rs):
// 7F21 { 5F4E body (297 bytes: 証明者鍵ID 16, 被証明者鍵ID 16, RSA-2048 public key 90/91),
//        5F37 signature (256 bytes, RSASSA-PKCS1-v1_5 SHA-256 over the body) }.
inline constexpr std::uint32_t kTagCvc = 0x7F21;
inline constexpr std::uint32_t kTagCvcBody = 0x5F4E;
inline constexpr std::uint32_t kTagCvcSignature = 0x5F37;
inline constexpr std::size_t kCvcBodyLength = 297;
inline constexpr std::size_t kKeyIdLength = 16;
// An RSA public key as the card stores it (DF24, the CVC body): 90 exponent, 91 modulus.
inline constexpr std::uint32_t kTagRsaExponent = 0x90;
inline constexpr std::uint32_t kTagRsaModulus = 0x91;
}  // namespace card_face

namespace text {
inline constexpr std::uint16_t kMyNumber = 0x0001;
inline constexpr std::uint16_t kBasicFourInfo = 0x0002;
inline constexpr std::uint16_t kPin = 0x0011;
}  // namespace text

// The contact ATR of a real card (OpenSC's table entry). Over a contactless reader the reader
// synthesises an ATR instead, so the kiosk never relies on it.
inline constexpr std::array<std::uint8_t, 9> kContactAtr{0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};

}  // namespace kiosk::hal::mynumber
