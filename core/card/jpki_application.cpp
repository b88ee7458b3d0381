#include "core/card/jpki_application.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/card/card_error.hpp"
#include "core/card/file_reader.hpp"
#include "hal/mynumber_card.hpp"

namespace kiosk::core::card {
namespace {
namespace jpki = hal::mynumber::jpki;
constexpr std::size_t kRsa2048SignatureLength = 256;
}  // namespace

TokenInfo parse_token_info(ByteView ef0006) {
  TokenInfo info;
  const std::size_t n = std::min<std::size_t>(ef0006.size(), 32);
  for (std::size_t i = 0; i < n; ++i) {
    const Byte b = ef0006[i];
    if (b == 0x00) break;
    if (b < 0x20 || b > 0x7E) {
      throw CardProtocolError(CardFailure::MalformedData, "token info label is not printable ASCII");
    }
    info.label.push_back(static_cast<char>(b));
  }
  while (!info.label.empty() && info.label.back() == ' ') info.label.pop_back();
  if (info.label == jpki::kLabelMyNumberCard) {
    info.kind = TokenKind::MyNumberCard;
  } else if (info.label == jpki::kLabelJukiCard) {
    info.kind = TokenKind::JukiCard;
  } else if (info.label == jpki::kLabelAndroid) {
    info.kind = TokenKind::AndroidSmartphone;
  } else if (info.label == jpki::kLabelIphone) {
    info.kind = TokenKind::IPhone;
  }
  return info;
}

void JpkiApplication::select() {
  const ResponseApdu r = session_.transmit(
      CommandApdu(0x00, 0xA4, 0x04, 0x0C, Bytes(hal::mynumber::kJpkiAid.begin(), hal::mynumber::kJpkiAid.end())));
  if (r.ok()) return;
  if (r.status_word == sw::kFileNotFound || r.status_word == sw::kFunctionNotSupported ||
      r.status_word == sw::kInsNotSupported || r.status_word == sw::kClaNotSupported) {
    throw CardProtocolError(CardFailure::NotMyNumberCard,
                            "the card has no JPKI application (" + describe_status_word(r.status_word) + ")",
                            r.status_word);
  }
  throw CardProtocolError(CardFailure::Unreadable,
                          "SELECT of the JPKI application answered " + describe_status_word(r.status_word), r.status_word);
}

TokenInfo JpkiApplication::read_token_info() { return parse_token_info(read_file_prefix(session_, jpki::kTokenInfo, 32)); }

Bytes JpkiApplication::read_auth_certificate() { return read_tlv_file(session_, jpki::kAuthCertificate); }

Bytes JpkiApplication::read_auth_ca_certificate() { return read_tlv_file(session_, jpki::kAuthCaCertificate); }

RetryStatus JpkiApplication::auth_pin_status() { return query_retries(session_, jpki::kAuthPin); }

RetryStatus JpkiApplication::sign_pin_status() { return query_retries(session_, jpki::kSignPin); }

VerifyResult JpkiApplication::verify_auth_pin(const Secret& pin) {
  if (pin.size() != 4 || !pin.all_digits()) {
    throw std::invalid_argument("the user-authentication PIN is 4 digits");
  }
  return verify_reference_data(session_, jpki::kAuthPin, pin);
}

Bytes JpkiApplication::sign_with_auth_key(ByteView digest_info) {
  if (digest_info.empty() || digest_info.size() > 245) {
    throw std::invalid_argument("a DigestInfo of 1..245 bytes is signed");
  }
  for (;;) {
    const bool use_sfi = session_.short_ef_identifiers != false;
    if (!use_sfi) {
      const ResponseApdu s = session_.transmit(CommandApdu(0x00, 0xA4, 0x02, 0x0C, Bytes{0x00, 0x17}));
      if (!s.ok()) {
        throw CardProtocolError(CardFailure::Unreadable,
                                "SELECT of the auth key answered " + describe_status_word(s.status_word), s.status_word);
      }
    }
    const CommandApdu sign(0x80, 0x2A, 0x00, use_sfi ? Byte{0x80 | (jpki::kAuthKey & 0x1F)} : Byte{0x80},
                           Bytes(digest_info.begin(), digest_info.end()), 256);
    const ResponseApdu r = session_.transmit(sign);
    if (use_sfi && (r.status_word == sw::kIncorrectP1P2 || r.status_word == sw::kFunctionNotSupported ||
                    r.status_word == sw::kNoCurrentEf)) {
      session_.short_ef_identifiers = false;
      continue;
    }
    if (r.status_word == sw::kSecurityStatusNotSatisfied) {
      throw CardProtocolError(CardFailure::SecurityStatusNotSatisfied,
                              "the card refuses to sign before the PIN is verified", r.status_word);
    }
    if (!r.ok()) {
      throw CardProtocolError(CardFailure::Unreadable,
                              "COMPUTE DIGITAL SIGNATURE answered " + describe_status_word(r.status_word), r.status_word);
    }
    if (r.data.size() != kRsa2048SignatureLength) {
      throw CardProtocolError(CardFailure::MalformedData,
                              "the card returned a " + std::to_string(r.data.size()) + "-byte signature, expected 256");
    }
    return r.data;
  }
}

}  // namespace kiosk::core::card
