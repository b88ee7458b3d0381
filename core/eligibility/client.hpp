// The kiosk's client of the eligibility service (オンライン資格確認), device- and socket-free: it
// talks through hal::HttpsTransport (drivers/https in the firmware, fakes in tests).
//
// Typical reception (PIN):
//   EligibilityClient client(transport, clock);
//   Confirmation c = client.confirm_by_pin(cert_der, [&](ByteView nonce) {
//     return jpki.sign_with_auth_key(core::crypto::sha256_digest_info(core::crypto::sha256(nonce)));
//   });                                        // after the PIN was verified on the card
//   if (c.registration_offer) { /* ask the patient */ c = client.register_for_insurance_use(*c.registration_offer); }
//   c = client.record_consent(c.confirmation_id, {.medical_information = true});
//   ResultFileWriter(outbox).write(*c.result);
// Every failure is an EligibilityError; when error.counter_fallback() the kiosk shows
// kCounterFallbackMessage (card + 資格情報のお知らせ at the counter). Nothing is recorded by the
// service unless a call returned normally: registrations and consents carry a request id, so a
// retried call never records twice.
//
// Policies:
//  - each HTTP exchange has options.call_timeout; a whole operation (retries and back-off
//    included) has options.operation_deadline;
//  - idempotent calls (health, challenge, lookup, registration and consent with their request
//    id) are retried on transient failures up to options.max_attempts, with exponential back-off
//    and jitter;
//  - a confirmation is never re-sent (its nonce is single use): on a transient failure the
//    client runs a new round (fresh challenge, the card or terminal signs again), at most
//    options.max_confirm_rounds rounds. A confirmation only reads and audits on the service, so
//    a second round changes nothing but the audit trail.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/eligibility/attestation.hpp"
#include "core/eligibility/codec.hpp"
#include "core/eligibility/errors.hpp"
#include "core/eligibility/result.hpp"
#include "hal/clock.hpp"
#include "hal/https_transport.hpp"

namespace kiosk::core::eligibility {

struct ClientOptions {
  std::chrono::milliseconds call_timeout{5000};
  std::chrono::milliseconds operation_deadline{15000};
  int max_attempts = 3;  // per idempotent call; 1 = no retry
  std::chrono::milliseconds first_backoff{250};
  std::chrono::milliseconds max_backoff{2000};
  int max_confirm_rounds = 2;
};

class EligibilityClient {
 public:
  // Returns the card's signature over the nonce: RSASSA-PKCS1-v1_5 of the SHA-256 DigestInfo of
  // the nonce with the user-authentication key (JpkiApplication::sign_with_auth_key). May throw
  // card errors; they propagate unchanged.
  using CardSigner = std::function<Bytes(ByteView nonce)>;
  // Makes the genuine-card proof for a face confirmation over the service's nonce: the card's
  // 券面AP key signs card_face_signed_message(nonce, ...) (core/genuine_card::prove_card_face).
  // Card errors propagate unchanged.
  using CardFaceProver = std::function<CardFaceProof(ByteView nonce)>;

  EligibilityClient(hal::HttpsTransport& transport, hal::Clock& clock, ClientOptions options = {});

  ServiceHealth health();

  // The building blocks of a confirmation, for a reception that wants to hold the nonce itself
  // (the nonce expires: see Challenge::expires_at). confirm() sends once, never retries.
  codec::Challenge issue_challenge();
  Confirmation confirm(const codec::ConfirmRequest& request);

  // Card path. `certificate_der`: the card's user-authentication certificate as read (EF 000A).
  Confirmation confirm_by_pin(ByteView certificate_der, const CardSigner& sign);
  // Face: the terminal attests the match, the card proves itself genuine (a new proof every round).
  Confirmation confirm_by_face(ByteView certificate_der, const FaceMatchEvidence& evidence, hal::TerminalSigner& terminal,
                               const CardFaceProver& prove_card);
  Confirmation confirm_by_visual_check(ByteView certificate_der, const VisualCheckEvidence& evidence,
                                       hal::TerminalSigner& terminal);

  // 保険証利用登録 with the patient's consent, from the offer of a confirmation. Returns the
  // confirmation that follows the registration.
  Confirmation register_for_insurance_use(const RegistrationOffer& offer);

  // The consent screen's answers for a card-path confirmation; returns the updated result
  // (consent flags, times, 24-hour availability, prescription choice).
  Confirmation record_consent(const std::string& confirmation_id, const ConsentChoice& choice);

  // Number path (資格確認書, or the old 健康保険証 until 2025-12-01). Validates the input first
  // (EligibilityError InvalidRequest with a message to show).
  Confirmation lookup(const NumberLookup& lookup);

  const ClientOptions& options() const { return options_; }

 private:
  class Operation;

  Confirmation confirm_rounds(ByteView certificate_der, ConfirmationMethod method,
                              const std::function<codec::ConfirmRequest(const codec::Challenge&)>& prove);
  codec::Challenge challenge_within(std::chrono::milliseconds budget);
  hal::HttpResponse exchange(const hal::HttpRequest& request);
  template <typename T, typename Decode>
  T call(hal::HttpMethod method, std::string_view path, const std::string& body, bool idempotent, Decode decode,
         std::optional<std::chrono::milliseconds> budget = std::nullopt);

  hal::HttpsTransport& transport_;
  hal::Clock& clock_;
  ClientOptions options_;
};

// A fresh random request id (32 hex digits).
std::string new_request_id();

}  // namespace kiosk::core::eligibility
