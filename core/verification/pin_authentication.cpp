#include "core/verification/pin_authentication.hpp"

#include "core/card/card_error.hpp"
#include "core/crypto/digest.hpp"
#include "core/crypto/errors.hpp"
#include "core/crypto/signature.hpp"

namespace kiosk::core::verification {

CardCheck check_card(core::card::JpkiApplication& jpki, const core::crypto::TrustStore& trust,
                     std::chrono::system_clock::time_point now, const core::crypto::ValidationPolicy& policy) {
  CardCheck check;
  jpki.select();
  check.token = jpki.read_token_info();
  check.certificate_der = jpki.read_auth_certificate();
  try {
    const core::crypto::Certificate cert = core::crypto::Certificate::from_der(check.certificate_der);
    check.certificate = core::crypto::validate(cert, trust, now, policy);
  } catch (const core::crypto::CertificateError& e) {
    throw core::card::CardProtocolError(core::card::CardFailure::MalformedData,
                                  std::string("the user-authentication certificate does not parse: ") + e.what());
  }
  check.pin = jpki.auth_pin_status();
  return check;
}

PinAuthResult authenticate_with_pin(core::card::JpkiApplication& jpki, const core::crypto::Certificate& certificate,
                                    const core::card::Secret& pin, ByteView challenge) {
  const core::card::VerifyResult v = jpki.verify_auth_pin(pin);
  if (v.outcome == core::card::VerifyOutcome::Blocked) return {PinAuthOutcome::Locked, 0, {}};
  if (v.outcome == core::card::VerifyOutcome::Wrong) return {PinAuthOutcome::WrongPin, v.tries_left, {}};
  const Bytes digest_info = core::crypto::sha256_digest_info(core::crypto::sha256(challenge));
  Bytes signature = jpki.sign_with_auth_key(digest_info);
  if (!core::crypto::verify_digest_info_signature(certificate, digest_info, signature)) {
    return {PinAuthOutcome::SignatureInvalid, -1, {}};
  }
  return {PinAuthOutcome::Authenticated, -1, std::move(signature)};
}

}  // namespace kiosk::core::verification
