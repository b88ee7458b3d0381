#include "core/eligibility/client.hpp"

#include <algorithm>
#include <cctype>

#include "core/bounded/json.hpp"
#include "core/crypto/digest.hpp"

namespace kiosk::core::eligibility {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Below this, an attempt cannot reasonably finish: the operation gives up instead.
constexpr milliseconds kMinimumAttemptTime{100};

EligibilityError transport_failure(const hal::TransportError& e, const std::string& endpoint) {
  EligibilityError::Details d;
  d.display_message = std::string(kCounterFallbackMessage);
  d.detail = endpoint + ": " + e.what();
  d.retryable = hal::is_transient(e.kind());
  switch (e.kind()) {
    case hal::TransportErrorKind::NetworkUnreachable:
    case hal::TransportErrorKind::ConnectionRefused:
    case hal::TransportErrorKind::ConnectTimeout:
      d.kind = ErrorKind::ServiceUnreachable;
      break;
    case hal::TransportErrorKind::Timeout:
      d.kind = ErrorKind::Timeout;
      break;
    case hal::TransportErrorKind::ConnectionLost:
      d.kind = ErrorKind::ConnectionLost;
      break;
    case hal::TransportErrorKind::TlsServerUntrusted:
    case hal::TransportErrorKind::TlsServerNameMismatch:
      d.kind = ErrorKind::ServerUntrusted;
      break;
    case hal::TransportErrorKind::TlsServerCertificateExpired:
      d.kind = ErrorKind::ServerCertificateExpired;
      break;
    case hal::TransportErrorKind::TlsClientCertificateRefused:
      d.kind = ErrorKind::TerminalRefused;
      break;
    case hal::TransportErrorKind::TlsHandshakeFailed:
      d.kind = ErrorKind::TlsFailure;
      break;
    case hal::TransportErrorKind::Configuration:
      d.kind = ErrorKind::Configuration;
      break;
    case hal::TransportErrorKind::ResponseTooLarge:
      d.kind = ErrorKind::MalformedReply;
      break;
  }
  d.code = "client." + std::string(to_string(d.kind));
  return EligibilityError(std::move(d));
}

EligibilityError malformed(const std::string& what, int status) {
  EligibilityError::Details d;
  d.kind = ErrorKind::MalformedReply;
  d.code = "client.malformed-reply";
  d.display_message = std::string(kCounterFallbackMessage);
  d.detail = "the service's answer does not follow the protocol: " + what;
  d.http_status = status;
  return EligibilityError(std::move(d));
}

EligibilityError from_status(const hal::HttpResponse& r) {
  const auto body = codec::decode_error(r.body);
  EligibilityError::Details d;
  d.http_status = r.status;
  if (body) {
    d.kind = r.status >= 500 ? ErrorKind::ServerError : ErrorKind::Rejected;
    d.code = body->code;
    d.display_message = body->message;
    d.retryable = body->retryable;
    d.detail = body->detail.empty() ? body->code : body->code + ": " + body->detail;
    if (d.kind == ErrorKind::ServerError) {
      // The patient is sent to the counter; the service's text goes to the journal.
      d.detail += " (" + body->message + ")";
      d.display_message = std::string(kCounterFallbackMessage);
    }
    return EligibilityError(std::move(d));
  }
  if (r.status >= 500) {
    d.kind = ErrorKind::ServerError;
    d.code = "client.http-" + std::to_string(r.status);
    d.display_message = std::string(kCounterFallbackMessage);
    d.retryable = r.status == 502 || r.status == 503 || r.status == 504;
    d.detail = "HTTP " + std::to_string(r.status) + " without a structured error";
    return EligibilityError(std::move(d));
  }
  return malformed("HTTP " + std::to_string(r.status) + " without a structured error", r.status);
}

EligibilityError invalid_request(const std::string& message, const std::string& detail) {
  EligibilityError::Details d;
  d.kind = ErrorKind::InvalidRequest;
  d.code = "client.invalid-request";
  d.display_message = message;
  d.detail = detail;
  return EligibilityError(std::move(d));
}

EligibilityError deadline_passed(const std::string& what) {
  EligibilityError::Details d;
  d.kind = ErrorKind::Timeout;
  d.code = "client.timeout";
  d.display_message = std::string(kCounterFallbackMessage);
  d.retryable = true;
  d.detail = "the operation's time budget ran out " + what;
  return EligibilityError(std::move(d));
}

bool is_json(const std::string& content_type) {
  std::string lower(content_type);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.rfind("application/json", 0) == 0;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool printable_utf8(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

// Whether a new challenge/confirm round may help after this failure of a round.
bool round_may_help(const EligibilityError& e) {
  switch (e.kind()) {
    case ErrorKind::ServiceUnreachable:
    case ErrorKind::Timeout:
    case ErrorKind::ConnectionLost:
      return true;
    case ErrorKind::ServerError:
      return e.retryable();
    case ErrorKind::Rejected:
      return e.code() == codes::kNonceExpired || e.code() == codes::kNonceUnknown;
    default:
      return false;
  }
}

}  // namespace

// The time budget of one public operation, shared by its attempts and rounds.
class EligibilityClient::Operation {
 public:
  Operation(hal::Clock& clock, milliseconds budget) : clock_(clock), deadline_(clock.monotonic() + budget) {}
  milliseconds remaining() const {
    return std::max(milliseconds{0}, duration_cast<milliseconds>(deadline_ - clock_.monotonic()));
  }

 private:
  hal::Clock& clock_;
  std::chrono::steady_clock::time_point deadline_;
};

std::string new_request_id() {
  std::string hex = to_hex(core::crypto::random_bytes(16), '\0');
  std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return hex;
}

EligibilityClient::EligibilityClient(hal::HttpsTransport& transport, hal::Clock& clock, ClientOptions options)
    : transport_(transport), clock_(clock), options_(options) {
  if (options_.max_attempts < 1) options_.max_attempts = 1;
  if (options_.max_confirm_rounds < 1) options_.max_confirm_rounds = 1;
}

hal::HttpResponse EligibilityClient::exchange(const hal::HttpRequest& request) {
  try {
    return transport_.send(request);
  } catch (const hal::TransportError& e) {
    throw transport_failure(e, transport_.endpoint() + std::string(request.path));
  }
}

namespace {

// The answers of protocol version 1 are a few KB and nest six levels at most; anything much
// bigger or deeper is refused before it is parsed (issue 18: an api_version nested 100,000 deep
// crashed the decoder's error message, dump() recursing).
constexpr core::bounded::JsonLimits kAnswerLimits{1 << 20, 24};

template <typename T, typename Decode>
T interpret(const hal::HttpResponse& r, Decode decode) {
  if (const auto problem = core::bounded::shape_problem(r.body, kAnswerLimits)) {
    throw malformed("the answer is " + *problem, r.status);
  }
  if (r.status < 200 || r.status > 299) throw from_status(r);
  if (!is_json(r.content_type)) {
    throw malformed("Content-Type is '" + r.content_type + "', not application/json", r.status);
  }
  try {
    return decode(r.body);
  } catch (const CodecError& e) {
    throw malformed(e.what(), r.status);
  } catch (const nlohmann::json::exception& e) {
    throw malformed(e.what(), r.status);
  }
}

milliseconds backoff(const ClientOptions& o, int failed_attempts) {
  milliseconds pause = o.first_backoff;
  for (int i = 1; i < failed_attempts && pause < o.max_backoff; ++i) pause *= 2;
  pause = std::min(pause, o.max_backoff);
  // Jitter in [50 %, 100 %]: kiosks of a clinic that lost the line together do not retry together.
  const Bytes r = core::crypto::random_bytes(1);
  return milliseconds{pause.count() / 2 + pause.count() * r[0] / 510};
}

}  // namespace

template <typename T, typename Decode>
T EligibilityClient::call(hal::HttpMethod method, std::string_view path, const std::string& body, bool idempotent,
                          Decode decode, std::optional<milliseconds> budget) {
  Operation op(clock_, budget.value_or(options_.operation_deadline));
  for (int attempt = 1;; ++attempt) {
    const milliseconds timeout = std::min(options_.call_timeout, op.remaining());
    if (timeout < kMinimumAttemptTime) throw deadline_passed("before " + std::string(path) + " could be sent");
    try {
      return interpret<T>(exchange({method, std::string(path), body, timeout}), decode);
    } catch (const EligibilityError& e) {
      if (!idempotent || !e.retryable() || attempt >= options_.max_attempts) throw;
      const milliseconds pause = backoff(options_, attempt);
      if (op.remaining() < pause + kMinimumAttemptTime) throw;
      clock_.sleep_for(pause);
    }
  }
}

ServiceHealth EligibilityClient::health() {
  return call<ServiceHealth>(hal::HttpMethod::Get, codec::kHealthPath, "", true,
                             [](std::string_view b) { return codec::decode_health(b); });
}

codec::Challenge EligibilityClient::issue_challenge() { return challenge_within(options_.operation_deadline); }

codec::Challenge EligibilityClient::challenge_within(milliseconds budget) {
  // An unused challenge simply expires on the service: asking again is harmless.
  return call<codec::Challenge>(hal::HttpMethod::Post, codec::kChallengesPath, codec::encode_challenge_request(), true,
                                [](std::string_view b) { return codec::decode_challenge(b); }, budget);
}

Confirmation EligibilityClient::confirm(const codec::ConfirmRequest& request) {
  return call<Confirmation>(hal::HttpMethod::Post, codec::kConfirmationsPath, codec::encode(request), false,
                            [](std::string_view b) { return codec::decode_confirmation(b); });
}

Confirmation EligibilityClient::confirm_rounds(ByteView certificate_der, ConfirmationMethod method,
                                               const std::function<codec::ConfirmRequest(const codec::Challenge&)>& prove) {
  if (certificate_der.empty()) throw invalid_request("カードを読み取れませんでした。 / The card could not be read.", "empty card certificate");
  Operation op(clock_, options_.operation_deadline);
  for (int round = 1;; ++round) {
    try {
      const codec::Challenge challenge = challenge_within(op.remaining());
      codec::ConfirmRequest request = prove(challenge);
      request.method = method;
      request.card_certificate.assign(certificate_der.begin(), certificate_der.end());
      request.nonce = challenge.nonce;
      if (op.remaining() < kMinimumAttemptTime) throw deadline_passed("before the confirmation could be sent");
      const milliseconds timeout = std::min(options_.call_timeout, op.remaining());
      return interpret<Confirmation>(
          exchange({hal::HttpMethod::Post, std::string(codec::kConfirmationsPath), codec::encode(request), timeout}),
          [](std::string_view b) { return codec::decode_confirmation(b); });
    } catch (const EligibilityError& e) {
      if (round >= options_.max_confirm_rounds || !round_may_help(e)) throw;
      const milliseconds pause = backoff(options_, round);
      if (op.remaining() < pause + 2 * kMinimumAttemptTime) throw;
      clock_.sleep_for(pause);
    }
  }
}

Confirmation EligibilityClient::confirm_by_pin(ByteView certificate_der, const CardSigner& sign) {
  return confirm_rounds(certificate_der, ConfirmationMethod::Pin, [&](const codec::Challenge& challenge) {
    codec::ConfirmRequest request;
    request.card_signature = sign(challenge.nonce);
    if (request.card_signature.empty()) {
      throw invalid_request("カードの署名を取得できませんでした。 / The card did not sign.", "empty card signature");
    }
    return request;
  });
}

namespace {
codec::ConfirmRequest attested(const Evidence& evidence, ByteView certificate_der, const codec::Challenge& challenge,
                               hal::TerminalSigner& terminal, Timestamp now) {
  codec::ConfirmRequest request;
  codec::Attestation a;
  try {
    a.statement = make_attestation_statement(evidence, challenge.nonce, certificate_der, now);
  } catch (const std::invalid_argument& e) {
    throw invalid_request("確認内容が不完全です。受付窓口にお申し出ください。 / The check is incomplete; please ask at the counter.",
                          e.what());
  }
  a.signature = terminal.sign(a.statement);
  request.attestation = std::move(a);
  return request;
}
}  // namespace

Confirmation EligibilityClient::confirm_by_face(ByteView certificate_der, const FaceMatchEvidence& evidence,
                                                hal::TerminalSigner& terminal, const CardFaceProver& prove_card) {
  if (!prove_card) {
    throw invalid_request("顔認証にはカードの確認が必要です。暗証番号をご利用ください。 / Face confirmation needs the card's proof; please use your PIN.",
                          "no genuine-card prover");
  }
  return confirm_rounds(certificate_der, ConfirmationMethod::Face, [&](const codec::Challenge& challenge) {
    codec::ConfirmRequest request =
        attested(evidence, certificate_der, challenge, terminal, std::chrono::floor<std::chrono::seconds>(clock_.now()));
    request.card_face_proof = prove_card(challenge.nonce);
    return request;
  });
}

Confirmation EligibilityClient::confirm_by_visual_check(ByteView certificate_der, const VisualCheckEvidence& evidence,
                                                        hal::TerminalSigner& terminal) {
  return confirm_rounds(certificate_der, ConfirmationMethod::Visual, [&](const codec::Challenge& challenge) {
    return attested(evidence, certificate_der, challenge, terminal, std::chrono::floor<std::chrono::seconds>(clock_.now()));
  });
}

Confirmation EligibilityClient::register_for_insurance_use(const RegistrationOffer& offer) {
  if (offer.ticket.empty()) throw invalid_request("登録を開始できません。 / Registration cannot start.", "empty registration ticket");
  // One request id for all attempts: the service registers once however often it is asked.
  const std::string body = codec::encode_registration(new_request_id(), offer.ticket);
  return call<Confirmation>(hal::HttpMethod::Post, codec::kRegistrationsPath, body, true,
                            [](std::string_view b) { return codec::decode_confirmation(b); });
}

Confirmation EligibilityClient::record_consent(const std::string& confirmation_id, const ConsentChoice& choice) {
  if (confirmation_id.empty()) throw invalid_request("同意を記録できません。 / The consent cannot be recorded.", "empty confirmation id");
  const std::string body = codec::encode_consent(new_request_id(), confirmation_id, choice);
  return call<Confirmation>(hal::HttpMethod::Post, codec::kConsentsPath, body, true,
                            [](std::string_view b) { return codec::decode_confirmation(b); });
}

Confirmation EligibilityClient::lookup(const NumberLookup& input) {
  NumberLookup l = input;
  if (l.insurer_number.size() == 6 && all_digits(l.insurer_number)) l.insurer_number = "00" + l.insurer_number;
  if (l.insurer_number.size() != 8 || !all_digits(l.insurer_number)) {
    throw invalid_request("保険者番号は8桁（国民健康保険は6桁）の数字です。 / The insurer number has 8 digits (6 for national health insurance).",
                          "insurer number '" + input.insurer_number + "'");
  }
  if (l.insured_identification_number.empty() || l.insured_identification_number.size() > 40 ||
      !printable_utf8(l.insured_identification_number)) {
    throw invalid_request("番号を入力してください。 / Enter the insured person's number.", "bad insured identification number");
  }
  if (l.insured_card_symbol.size() > 40 || !printable_utf8(l.insured_card_symbol)) {
    throw invalid_request("記号を確認してください。 / Check the symbol.", "bad insured card symbol");
  }
  if (l.insured_branch_number && (l.insured_branch_number->size() != 2 || !all_digits(*l.insured_branch_number))) {
    throw invalid_request("枝番は2桁の数字です。 / The branch number has 2 digits.", "branch '" + *l.insured_branch_number + "'");
  }
  if (!l.birthdate.ok()) throw invalid_request("生年月日を確認してください。 / Check the birth date.", "not a calendar date");
  const std::string body = codec::encode_lookup(new_request_id(), l);
  return call<Confirmation>(hal::HttpMethod::Post, codec::kLookupsPath, body, true,
                            [](std::string_view b) { return codec::decode_confirmation(b); });
}

}  // namespace kiosk::core::eligibility
