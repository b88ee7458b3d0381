// 公的個人認証AP (JPKI): the user-authentication certificate, its PIN and its key.
// Facts: docs/card-protocol.md §3-§5.
#pragma once

#include <string>

#include "core/card/card_session.hpp"
#include "core/card/reference_data.hpp"
#include "core/card/secret.hpp"

namespace kiosk::core::card {

enum class TokenKind { MyNumberCard, JukiCard, AndroidSmartphone, IPhone, Unknown };

constexpr const char* to_string(TokenKind kind) {
  switch (kind) {
    case TokenKind::MyNumberCard: return "my-number-card";
    case TokenKind::JukiCard: return "juki-card";
    case TokenKind::AndroidSmartphone: return "android-smartphone";
    case TokenKind::IPhone: return "iphone";
    case TokenKind::Unknown: return "unknown";
  }
  return "unknown";
}

struct TokenInfo {
  std::string label;  // printable ASCII only, trailing spaces removed
  TokenKind kind = TokenKind::Unknown;
};

// EF 0006: a space-padded ASCII label in the first 32 bytes.
TokenInfo parse_token_info(ByteView ef0006);

class JpkiApplication {
 public:
  explicit JpkiApplication(CardSession& session) : session_(session) {}

  // SELECT the JPKI AP. A card without it is not a My Number card: CardFailure::NotMyNumberCard.
  void select();

  TokenInfo read_token_info();
  // DER X.509, exactly the certificate (no filler).
  Bytes read_auth_certificate();
  Bytes read_auth_ca_certificate();

  // The auth PIN's retry counter; never spends a try.
  RetryStatus auth_pin_status();
  // One try of the 4-digit auth PIN. A PIN that is not 4 digits throws std::invalid_argument
  // and nothing is sent to the card.
  VerifyResult verify_auth_pin(const Secret& pin);
  // COMPUTE DIGITAL SIGNATURE with the auth key over a DigestInfo (the card pads, PKCS#1 v1.5).
  // Needs a verified PIN: otherwise CardFailure::SecurityStatusNotSatisfied.
  Bytes sign_with_auth_key(ByteView digest_info);

  // The signing password's retry counter (the kiosk never verifies it).
  RetryStatus sign_pin_status();

 private:
  CardSession& session_;
};

}  // namespace kiosk::core::card
