#include "core/verification/pin_authentication.hpp"

#include "core/card/card_error.hpp"
#include "core/crypto/digest.hpp"
#include "core/crypto/errors.hpp"
#include "core/crypto/signature.hpp"

namespace kiosk::verification {

CardCheck check_card(card::JpkiApplication& jpki, const crypto::TrustStore& trust,
                     std::chrono::system_clock::time_point now, const crypto::ValidationPolicy& policy) {
  CardCheck check;
  jpki.select();
  check.token = jpki.read_token_info();
  check.certificate_der = jpki.read_auth_certificate();
  try {
    const crypto::Certificate cert = crypto::Certificate::from_der(check.certificate_der);
    check.certificate = crypto::validate(cert, trust, now, policy);
  } catch (const crypto::CertificateError& e) {
    throw card::CardProtocolError(card::CardFailure::MalformedData,
                                  std::string("the user-authentication certificate does not parse: ") + e.what());
  }
  check.pin = jpki.auth_pin_status();
  return check;
}

PinAuthResult authenticate_with_pin(card::JpkiApplication& jpki, const crypto::Certificate& certificate,
                                    const card::Secret& pin, ByteView challenge) {
  const card::VerifyResult v = jpki.verify_auth_pin(pin);
  if (v.outcome == card::VerifyOutcome::Blocked) return {PinAuthOutcome::Locked, 0, {}};
  if (v.outcome == card::VerifyOutcome::Wrong) return {PinAuthOutcome::WrongPin, v.tries_left, {}};
  const Bytes digest_info = crypto::sha256_digest_info(crypto::sha256(challenge));
  Bytes signature = jpki.sign_with_auth_key(digest_info);
  if (!crypto::verify_digest_info_signature(certificate, digest_info, signature)) {
    return {PinAuthOutcome::SignatureInvalid, -1, {}};
  }
  return {PinAuthOutcome::Authenticated, -1, std::move(signature)};
}

}  // namespace kiosk::verification
