// Errors of the eligibility client: what went wrong, what to show the patient, whether trying
// again makes sense, and whether the reception should fall back to the counter (the patient
// shows the card with 資格情報のお知らせ).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace kiosk::core::eligibility {

enum class ErrorKind {
  ServiceUnreachable,        // network down, connection refused, no answer to connect
  Timeout,                   // connected, but no complete answer in time
  ConnectionLost,            // the connection broke mid-exchange
  ServerUntrusted,           // TLS: the server is not the eligibility service (CA, name)
  ServerCertificateExpired,  // TLS: the service's certificate is expired / not yet valid
  TerminalRefused,           // TLS: the service refused this terminal's certificate
  TlsFailure,                // TLS: any other handshake failure
  Configuration,             // the terminal's certificate/key/CA files cannot be used
  Rejected,                  // the service answered with a structured refusal: see code()
  ServerError,               // the service failed (HTTP 5xx)
  MalformedReply,            // the answer is not what the protocol says (JSON, version, fields)
  InvalidRequest,            // the kiosk's own input is wrong (caught before sending)
};

// "service-unreachable", "timeout", ... (for logs and the journal).
std::string_view to_string(ErrorKind kind);

// Error codes the service sends (docs/eligibility-protocol.md §5).
namespace codes {
inline constexpr std::string_view kBadRequest = "BAD_REQUEST";
inline constexpr std::string_view kUnsupportedVersion = "UNSUPPORTED_VERSION";
inline constexpr std::string_view kTerminalNotAuthorized = "TERMINAL_NOT_AUTHORIZED";
inline constexpr std::string_view kNonceUnknown = "NONCE_UNKNOWN";
inline constexpr std::string_view kNonceExpired = "NONCE_EXPIRED";
inline constexpr std::string_view kNonceReplayed = "NONCE_REPLAYED";
inline constexpr std::string_view kTooManyChallenges = "TOO_MANY_CHALLENGES";
inline constexpr std::string_view kSignatureInvalid = "SIGNATURE_INVALID";
inline constexpr std::string_view kAttestationInvalid = "ATTESTATION_INVALID";
inline constexpr std::string_view kAttestationRejected = "ATTESTATION_REJECTED";
// Face confirmations: the genuine-card proof (docs/genuine-card.md).
inline constexpr std::string_view kCardFaceProofMissing = "CARD_FACE_PROOF_MISSING";
inline constexpr std::string_view kCardFaceIssuerUntrusted = "CARD_FACE_ISSUER_UNTRUSTED";
inline constexpr std::string_view kCardFaceRecordInvalid = "CARD_FACE_RECORD_INVALID";
inline constexpr std::string_view kCardFaceKeyInvalid = "CARD_FACE_KEY_INVALID";
inline constexpr std::string_view kCardFaceHolderMismatch = "CARD_FACE_HOLDER_MISMATCH";
inline constexpr std::string_view kCardCertificateUntrusted = "CARD_CERTIFICATE_UNTRUSTED";
inline constexpr std::string_view kCardCertificateExpired = "CARD_CERTIFICATE_EXPIRED";
inline constexpr std::string_view kCardCertificateRevoked = "CARD_CERTIFICATE_REVOKED";
inline constexpr std::string_view kCardCertificateNotYetValid = "CARD_CERTIFICATE_NOT_YET_VALID";
inline constexpr std::string_view kTicketUnknown = "TICKET_UNKNOWN";
inline constexpr std::string_view kConfirmationUnknown = "CONFIRMATION_UNKNOWN";
inline constexpr std::string_view kRequestIdReused = "REQUEST_ID_REUSED";
inline constexpr std::string_view kInternal = "INTERNAL";
inline constexpr std::string_view kUnavailable = "UNAVAILABLE";
}  // namespace codes

// What the kiosk shows when the service cannot answer (docs/reception-rules.md §9): the patient
// shows the card together with 資格情報のお知らせ (or the マイナポータル screen) at the counter.
inline constexpr std::string_view kCounterFallbackMessage =
    "現在、オンライン資格確認を利用できません。マイナンバーカードと「資格情報のお知らせ」"
    "（またはマイナポータルの資格情報画面）を受付窓口でご提示ください。 / The eligibility service cannot be "
    "reached. Please show your My Number card together with your 資格情報のお知らせ (qualification notice) at "
    "the reception counter.";

class EligibilityError : public std::runtime_error {
 public:
  struct Details {
    ErrorKind kind = ErrorKind::ServerError;
    std::string code;             // the service's code (Rejected/ServerError) or "client.<kind>"
    std::string display_message;  // to show as it is
    bool retryable = false;       // the same operation may succeed if tried again now
    std::string detail;           // for staff, technicians and the journal; no secrets
    int http_status = 0;          // 0 when no HTTP answer arrived
  };

  explicit EligibilityError(Details details);

  ErrorKind kind() const noexcept { return d_.kind; }
  const std::string& code() const noexcept { return d_.code; }
  const std::string& display_message() const noexcept { return d_.display_message; }
  bool retryable() const noexcept { return d_.retryable; }
  const std::string& detail() const noexcept { return d_.detail; }
  int http_status() const noexcept { return d_.http_status; }
  // True when no eligibility answer could be obtained for reasons on the system side (network,
  // TLS, service failure, unreadable answer): the reception sends the patient to the counter
  // with the card and 資格情報のお知らせ. False for refusals about the card or the request.
  bool counter_fallback() const noexcept;

 private:
  Details d_;
};

}  // namespace kiosk::core::eligibility
