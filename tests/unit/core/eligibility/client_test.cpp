// The eligibility client's policies over a scripted transport: retries with back-off for
// idempotent calls only, new rounds instead of re-sent confirmations, time budgets, error
// mapping, and what the reception is told to show.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <deque>
#include <variant>

#include "core/eligibility/client.hpp"
#include "hal/calendar.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using Json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A clock whose monotonic time moves only when the client sleeps or a transport call "takes" time.
class FakeClock final : public hal::Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return wall_ + (mono_ - start_); }
  std::chrono::steady_clock::time_point monotonic() const override { return mono_; }
  void sleep_for(std::chrono::milliseconds d) override {
    sleeps.push_back(d);
    mono_ += d;
  }
  void advance(std::chrono::milliseconds d) { mono_ += d; }
  std::vector<std::chrono::milliseconds> sleeps;

 private:
  std::chrono::system_clock::time_point wall_ = std::chrono::sys_days{std::chrono::year{2025} / 12 / 2};
  std::chrono::steady_clock::time_point start_{};
  std::chrono::steady_clock::time_point mono_{};
};

using Step = std::variant<hal::HttpResponse, hal::TransportError>;

class ScriptedTransport final : public hal::HttpsTransport {
 public:
  explicit ScriptedTransport(FakeClock& clock) : clock_(clock) {}
  hal::HttpResponse send(const hal::HttpRequest& request) override {
    requests.push_back(request);
    if (steps.empty()) FAIL("unexpected request to " << request.path);
    Step step = steps.front();
    steps.pop_front();
    clock_.advance(10ms);
    if (auto* error = std::get_if<hal::TransportError>(&step)) {
      if (error->kind() == hal::TransportErrorKind::Timeout) clock_.advance(request.timeout);
      throw *error;
    }
    return std::get<hal::HttpResponse>(step);
  }
  std::string endpoint() const override { return "https://test.invalid:443"; }

  std::deque<Step> steps;
  std::vector<hal::HttpRequest> requests;

 private:
  FakeClock& clock_;
};

hal::HttpResponse json_response(int status, const Json& body) { return {status, "application/json; charset=utf-8", body.dump()}; }

hal::HttpResponse challenge_response(Byte fill = 0x11) {
  return json_response(201, {{"api_version", 1}, {"nonce", base64_encode(Bytes(32, fill))}, {"expires_at", "2025-12-02T00:03:00Z"}});
}

hal::HttpResponse error_response(int status, const std::string& code, bool retryable, const std::string& message = "表示する文") {
  return json_response(status, {{"api_version", 1}, {"error", {{"code", code}, {"message", message}, {"retryable", retryable}}}});
}

Confirmation valid_confirmation() {
  Confirmation c;
  c.confirmation_id = "c-1";
  c.method = ConfirmationMethod::Pin;
  OqsResult r;
  r.header.medical_institution_code = "1312345678";
  r.body.processing_result_status = ProcessingResultStatus::Normal;
  r.body.qualification_validity = QualificationValidity::Valid;
  c.result = r;
  return c;
}

hal::HttpResponse confirmation_response(const Confirmation& c = valid_confirmation()) {
  return {200, "application/json", codec::encode_confirmation(c)};
}

hal::TransportError transport(hal::TransportErrorKind kind) { return {kind, "scripted"}; }

const Bytes kCertificate{0x30, 0x82, 0x01, 0x00};

struct Rig {
  FakeClock clock;
  ScriptedTransport transport{clock};
  EligibilityClient client{transport, clock, ClientOptions{}};
  std::vector<Bytes> signed_nonces;
  EligibilityClient::CardSigner signer = [this](ByteView nonce) {
    signed_nonces.emplace_back(nonce.begin(), nonce.end());
    return Bytes(256, 0x5A);
  };
};

Json body_of(const hal::HttpRequest& r) { return Json::parse(r.body); }

}  // namespace

TEST_CASE("confirm by PIN: challenge, card signature over the nonce, confirmation") {
  Rig rig;
  rig.transport.steps = {challenge_response(0x42), confirmation_response()};
  const Confirmation c = rig.client.confirm_by_pin(kCertificate, rig.signer);
  CHECK(c == valid_confirmation());
  REQUIRE(rig.transport.requests.size() == 2);
  CHECK(rig.transport.requests[0].path == "/v1/challenges");
  CHECK(rig.transport.requests[0].method == hal::HttpMethod::Post);
  CHECK(rig.transport.requests[1].path == "/v1/confirmations");
  REQUIRE(rig.signed_nonces.size() == 1);
  CHECK(rig.signed_nonces[0] == Bytes(32, 0x42));
  const Json sent = body_of(rig.transport.requests[1]);
  CHECK(sent.at("method") == "pin");
  CHECK(sent.at("nonce") == base64_encode(Bytes(32, 0x42)));
  CHECK(sent.at("card_certificate") == base64_encode(kCertificate));
  CHECK(sent.at("card_signature") == base64_encode(Bytes(256, 0x5A)));
  CHECK(rig.clock.sleeps.empty());
}

TEST_CASE("a lost confirmation is never re-sent: a new round gets a new nonce and a new signature") {
  Rig rig;
  rig.transport.steps = {challenge_response(0x01), transport(hal::TransportErrorKind::Timeout), challenge_response(0x02),
                         confirmation_response()};
  const Confirmation c = rig.client.confirm_by_pin(kCertificate, rig.signer);
  CHECK(c.result->body.qualification_validity == QualificationValidity::Valid);
  REQUIRE(rig.signed_nonces.size() == 2);
  CHECK(rig.signed_nonces[0] == Bytes(32, 0x01));
  CHECK(rig.signed_nonces[1] == Bytes(32, 0x02));
  const Json first = body_of(rig.transport.requests[1]);
  const Json second = body_of(rig.transport.requests[3]);
  CHECK(first.at("nonce") != second.at("nonce"));
  REQUIRE(rig.clock.sleeps.size() == 1);
  CHECK(rig.clock.sleeps[0] >= 125ms);  // first back-off 250 ms with jitter 50-100 %
  CHECK(rig.clock.sleeps[0] <= 250ms);
}

TEST_CASE("confirmation rounds are bounded and refusals are not retried") {
  SECTION("two rounds of time-outs: the patient goes to the counter") {
    Rig rig;
    rig.transport.steps = {challenge_response(), transport(hal::TransportErrorKind::Timeout), challenge_response(),
                           transport(hal::TransportErrorKind::Timeout)};
    try {
      rig.client.confirm_by_pin(kCertificate, rig.signer);
      FAIL("no error");
    } catch (const EligibilityError& e) {
      CHECK(e.kind() == ErrorKind::Timeout);
      CHECK(e.counter_fallback());
      CHECK(e.display_message() == kCounterFallbackMessage);
      CHECK_THAT(e.display_message(), Catch::Contains("資格情報のお知らせ"));
    }
    CHECK(rig.transport.steps.empty());
    CHECK(rig.signed_nonces.size() == 2);
  }
  SECTION("a replayed nonce is a refusal: shown as the service wrote it, no retry") {
    Rig rig;
    rig.transport.steps = {challenge_response(), error_response(409, "NONCE_REPLAYED", false, "この確認要求は使用済みです。")};
    try {
      rig.client.confirm_by_pin(kCertificate, rig.signer);
      FAIL("no error");
    } catch (const EligibilityError& e) {
      CHECK(e.kind() == ErrorKind::Rejected);
      CHECK(e.code() == "NONCE_REPLAYED");
      CHECK(e.http_status() == 409);
      CHECK(e.display_message() == "この確認要求は使用済みです。");
      CHECK_FALSE(e.retryable());
      CHECK_FALSE(e.counter_fallback());
    }
    CHECK(rig.transport.requests.size() == 2);
  }
  SECTION("an expired nonce starts one new round") {
    Rig rig;
    rig.transport.steps = {challenge_response(1), error_response(410, "NONCE_EXPIRED", true), challenge_response(2),
                           confirmation_response()};
    CHECK(rig.client.confirm_by_pin(kCertificate, rig.signer).result);
    CHECK(rig.signed_nonces.size() == 2);
  }
  SECTION("a revoked card certificate is final") {
    Rig rig;
    rig.transport.steps = {challenge_response(), error_response(403, "CARD_CERTIFICATE_REVOKED", false, "【006】")};
    CHECK_THROWS_MATCHES(rig.client.confirm_by_pin(kCertificate, rig.signer), EligibilityError,
                         Catch::Predicate<EligibilityError>([](const EligibilityError& e) {
                           return e.code() == "CARD_CERTIFICATE_REVOKED" && e.display_message() == "【006】" && !e.counter_fallback();
                         }));
    CHECK(rig.transport.requests.size() == 2);
  }
}

TEST_CASE("idempotent calls are retried with growing back-off, up to the attempt limit") {
  Rig rig;
  rig.transport.steps = {transport(hal::TransportErrorKind::ConnectionRefused), transport(hal::TransportErrorKind::ConnectionRefused),
                         transport(hal::TransportErrorKind::ConnectionRefused)};
  try {
    rig.client.health();
    FAIL("no error");
  } catch (const EligibilityError& e) {
    CHECK(e.kind() == ErrorKind::ServiceUnreachable);
    CHECK(e.retryable());
    CHECK(e.counter_fallback());
    CHECK_THAT(e.detail(), Catch::Contains("https://test.invalid:443/v1/health"));
  }
  CHECK(rig.transport.requests.size() == 3);  // max_attempts
  REQUIRE(rig.clock.sleeps.size() == 2);
  CHECK(rig.clock.sleeps[0] >= 125ms);
  CHECK(rig.clock.sleeps[0] <= 250ms);
  CHECK(rig.clock.sleeps[1] >= 250ms);
  CHECK(rig.clock.sleeps[1] <= 500ms);
}

TEST_CASE("a retried registration or consent carries the same request id") {
  Rig rig;
  rig.transport.steps = {transport(hal::TransportErrorKind::ConnectionLost), error_response(503, "UNAVAILABLE", true),
                         confirmation_response()};
  const RegistrationOffer offer{"t-123", parse_utc("2025-12-02T00:10:00Z"), "登録しますか？"};
  CHECK(rig.client.register_for_insurance_use(offer).result);
  REQUIRE(rig.transport.requests.size() == 3);
  const std::string id = body_of(rig.transport.requests[0]).at("request_id");
  CHECK(id.size() == 32);
  CHECK(body_of(rig.transport.requests[1]).at("request_id") == id);
  CHECK(body_of(rig.transport.requests[2]).at("request_id") == id);
  CHECK(body_of(rig.transport.requests[2]).at("ticket") == "t-123");
  CHECK(body_of(rig.transport.requests[2]).at("patient_consented") == true);

  Rig consent;
  consent.transport.steps = {transport(hal::TransportErrorKind::Timeout), confirmation_response()};
  CHECK(consent.client.record_consent("c-1", {true, PrescriptionIssue::Electronic}).result);
  CHECK(body_of(consent.transport.requests[0]).at("request_id") == body_of(consent.transport.requests[1]).at("request_id"));
  CHECK(body_of(consent.transport.requests[1]).at("PrescriptionIssueSelect") == "1");
}

TEST_CASE("TLS failures are final and say what failed") {
  const std::vector<std::pair<hal::TransportErrorKind, ErrorKind>> cases{
      {hal::TransportErrorKind::TlsServerUntrusted, ErrorKind::ServerUntrusted},
      {hal::TransportErrorKind::TlsServerNameMismatch, ErrorKind::ServerUntrusted},
      {hal::TransportErrorKind::TlsServerCertificateExpired, ErrorKind::ServerCertificateExpired},
      {hal::TransportErrorKind::TlsClientCertificateRefused, ErrorKind::TerminalRefused},
      {hal::TransportErrorKind::TlsHandshakeFailed, ErrorKind::TlsFailure},
      {hal::TransportErrorKind::Configuration, ErrorKind::Configuration},
  };
  for (const auto& [transport_kind, kind] : cases) {
    Rig rig;
    rig.transport.steps = {transport(transport_kind)};
    try {
      rig.client.health();
      FAIL("no error");
    } catch (const EligibilityError& e) {
      CHECK(e.kind() == kind);
      CHECK_FALSE(e.retryable());
      CHECK(e.counter_fallback());
    }
    CHECK(rig.transport.requests.size() == 1);
  }
}

TEST_CASE("malformed answers are clear errors, never results") {
  SECTION("not JSON") {
    Rig rig;
    rig.transport.steps = {challenge_response(), hal::HttpResponse{200, "application/json", "{\"api_version\": 1, \"result\": {"}};
    try {
      rig.client.confirm_by_pin(kCertificate, rig.signer);
      FAIL("no error");
    } catch (const EligibilityError& e) {
      CHECK(e.kind() == ErrorKind::MalformedReply);
      CHECK_THAT(e.detail(), Catch::Contains("not JSON"));
      CHECK(e.counter_fallback());
    }
  }
  SECTION("not application/json") {
    Rig rig;
    rig.transport.steps = {hal::HttpResponse{200, "text/html", "<html>maintenance</html>"}};
    CHECK_THROWS_MATCHES(rig.client.health(), EligibilityError, Catch::Predicate<EligibilityError>([](const EligibilityError& e) {
                           return e.kind() == ErrorKind::MalformedReply && e.detail().find("text/html") != std::string::npos;
                         }));
    CHECK(rig.transport.requests.size() == 1);  // a malformed answer is not retried
  }
  SECTION("HTTP 404 from something else (a proxy page)") {
    Rig rig;
    rig.transport.steps = {hal::HttpResponse{404, "text/html", "Not Found"}};
    CHECK_THROWS_MATCHES(rig.client.health(), EligibilityError, Catch::Predicate<EligibilityError>([](const EligibilityError& e) {
                           return e.kind() == ErrorKind::MalformedReply && e.http_status() == 404;
                         }));
  }
  SECTION("HTTP 502 without a body: a retryable server error") {
    Rig rig;
    rig.transport.steps = {hal::HttpResponse{502, "text/html", ""}, challenge_response()};
    CHECK(rig.client.issue_challenge().nonce.size() == 32);
  }
}

TEST_CASE("the operation deadline bounds retries and time-outs") {
  FakeClock clock;
  ScriptedTransport t(clock);
  ClientOptions o;
  o.call_timeout = 4000ms;
  o.operation_deadline = 6000ms;
  o.max_attempts = 5;
  EligibilityClient client(t, clock, o);
  t.steps = {transport(hal::TransportErrorKind::Timeout), transport(hal::TransportErrorKind::Timeout),
             transport(hal::TransportErrorKind::Timeout)};
  CHECK_THROWS_AS(client.health(), EligibilityError);
  REQUIRE(t.requests.size() == 2);
  CHECK(t.requests[0].timeout == 4000ms);
  // What is left of the 6 s budget after 4 s + back-off goes to the second attempt, not a full 4 s.
  CHECK(t.requests[1].timeout < 2000ms);
  CHECK(t.requests[1].timeout >= 100ms);
}

TEST_CASE("number lookups are checked before anything is sent") {
  Rig rig;
  NumberLookup l;
  l.insurer_number = "0113001";
  l.insured_identification_number = "1001";
  l.birthdate = *hal::calendar::parse_iso_date("1980-02-17");
  CHECK_THROWS_MATCHES(rig.client.lookup(l), EligibilityError, Catch::Predicate<EligibilityError>([](const EligibilityError& e) {
                         return e.kind() == ErrorKind::InvalidRequest && !e.counter_fallback() &&
                                e.display_message().find("保険者番号") != std::string::npos;
                       }));
  l.insurer_number = "01130012";
  l.insured_branch_number = "1";
  CHECK_THROWS_MATCHES(rig.client.lookup(l), EligibilityError, Catch::Predicate<EligibilityError>([](const EligibilityError& e) {
                         return e.display_message().find("枝番") != std::string::npos;
                       }));
  l.insured_branch_number.reset();
  l.insured_identification_number.clear();
  CHECK_THROWS_AS(rig.client.lookup(l), EligibilityError);
  CHECK(rig.transport.requests.empty());

  // 6-digit 国保 numbers are padded to 8.
  l.insured_identification_number = "3003";
  l.insurer_number = "138123";
  Confirmation answer = valid_confirmation();
  answer.method = ConfirmationMethod::Numbers;
  rig.transport.steps = {confirmation_response(answer)};
  CHECK(rig.client.lookup(l).method == ConfirmationMethod::Numbers);
  CHECK(body_of(rig.transport.requests.at(0)).at("QualificationConfirmSearchInfo").at("InsurerNumber") == "00138123");
}

TEST_CASE("face and visual confirmations send a terminal-signed attestation") {
  class RecordingSigner final : public hal::TerminalSigner {
   public:
    Bytes sign(ByteView message) override {
      messages.emplace_back(message.begin(), message.end());
      return Bytes{0xEC, 0xDA};
    }
    std::vector<Bytes> messages;
  } signer;
  Rig rig;
  rig.transport.steps = {challenge_response(0x33), confirmation_response()};
  std::vector<Bytes> nonces_proven;
  const auto prover = [&](ByteView nonce) {
    nonces_proven.emplace_back(nonce.begin(), nonce.end());
    return CardFaceProof{Bytes{0x7F, 0x21, 0x00}, Bytes{0xDF, 0x22}, Bytes(32, 2), Bytes(32, 3), Bytes{0x28}, Bytes(16, 0x16), Bytes{0x5A}};
  };
  rig.client.confirm_by_face(kCertificate, {0.8, 0.6, Liveness::Passed, "model", std::string(64, 'c')}, signer, prover);
  REQUIRE(signer.messages.size() == 1);
  const Json sent = body_of(rig.transport.requests[1]);
  CHECK(sent.at("method") == "face");
  CHECK_FALSE(sent.contains("card_signature"));
  // The card's genuine-card proof, made for this round's nonce, travels with the attestation.
  REQUIRE(nonces_proven == std::vector<Bytes>{Bytes(32, 0x33)});
  const Json& proof = sent.at("card_face_proof");
  CHECK(proof.at("format") == "kiosk-card-face-proof");
  CHECK(proof.at("version") == 1);
  CHECK(proof.at("cvc") == base64_encode(Bytes{0x7F, 0x21, 0x00}));
  CHECK(proof.at("record_group1") == base64_encode(Bytes{0xDF, 0x22}));
  CHECK(proof.at("group2_sha256") == base64_encode(Bytes(32, 2)));
  CHECK(proof.at("group3_sha256") == base64_encode(Bytes(32, 3)));
  CHECK(proof.at("record_signature") == base64_encode(Bytes{0x28}));
  CHECK(proof.at("card_challenge") == base64_encode(Bytes(16, 0x16)));
  CHECK(proof.at("card_signature") == base64_encode(Bytes{0x5A}));
  CHECK(sent.at("attestation").at("signature") == base64_encode(Bytes{0xEC, 0xDA}));
  const Bytes statement = base64_decode(sent.at("attestation").at("statement").get<std::string>());
  CHECK(statement == signer.messages[0]);
  const Json s = Json::parse(statement.begin(), statement.end());
  CHECK(s.at("nonce") == base64_encode(Bytes(32, 0x33)));
  CHECK(s.at("method") == "face");
  CHECK(s.at("face").at("card_photo_sha256") == std::string(64, 'c'));

  Rig visual;
  visual.transport.steps = {challenge_response(0x34), confirmation_response()};
  visual.client.confirm_by_visual_check(kCertificate, {"staff-1", "injury"}, signer);
  CHECK(body_of(visual.transport.requests[1]).at("method") == "visual");
  visual.transport.steps = {challenge_response(0x35)};
  CHECK_THROWS_MATCHES(visual.client.confirm_by_visual_check(kCertificate, {"", ""}, signer), EligibilityError,
                       Catch::Predicate<EligibilityError>([](const EligibilityError& e) { return e.kind() == ErrorKind::InvalidRequest; }));
}
