// The card side of a reception, device-free: check that the card is a My Number card with a
// usable user-authentication certificate, then authenticate the holder by PIN (VERIFY, then
// the card signs a challenge and the signature is checked against the certificate).
#pragma once

#include <chrono>

#include "core/card/jpki_application.hpp"
#include "core/crypto/certificate.hpp"
#include "core/crypto/trust_store.hpp"
#include "core/crypto/validation.hpp"

namespace kiosk::core::verification {

struct CardCheck {
  core::card::TokenInfo token;
  Bytes certificate_der;
  core::crypto::ValidationReport certificate;
  core::card::RetryStatus pin;
};

// SELECT the JPKI AP, read the token info, the user-authentication certificate and the PIN
// retry counter (no try spent), and validate the certificate at `now`.
// Throws core::card::CardProtocolError (【001】/【002】), hal::CardError, crypto errors for a
// certificate that does not parse (as CardProtocolError MalformedData).
CardCheck check_card(core::card::JpkiApplication& jpki, const core::crypto::TrustStore& trust,
                     std::chrono::system_clock::time_point now, const core::crypto::ValidationPolicy& policy);

enum class PinAuthOutcome { Authenticated, WrongPin, Locked, SignatureInvalid };

constexpr const char* to_string(PinAuthOutcome o) {
  switch (o) {
    case PinAuthOutcome::Authenticated: return "authenticated";
    case PinAuthOutcome::WrongPin: return "wrong-pin";
    case PinAuthOutcome::Locked: return "locked";
    case PinAuthOutcome::SignatureInvalid: return "signature-invalid";
  }
  return "unknown";
}

struct PinAuthResult {
  PinAuthOutcome outcome = PinAuthOutcome::WrongPin;
  int tries_left = -1;
  Bytes signature;  // over the challenge, when authenticated
};

// One PIN attempt (the PIN the patient typed), then the signature over SHA-256(challenge).
PinAuthResult authenticate_with_pin(core::card::JpkiApplication& jpki, const core::crypto::Certificate& certificate,
                                    const core::card::Secret& pin, ByteView challenge);

}  // namespace kiosk::core::verification
