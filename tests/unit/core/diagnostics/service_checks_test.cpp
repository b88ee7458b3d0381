// Eligibility-service verdicts from made-up probe facts and health answers: every check's PASS,
// WARN and FAIL (the probe itself is tested against the simulated service in
// tests/eligibility_it/diag_probe_test.cpp).
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "core/crypto/certificate.hpp"
#include "core/diagnostics/service_checks.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/unit/core/diagnostics/check_lookup.hpp"

using namespace kiosk;
using namespace kiosk::core::diagnostics;
using kiosk::test::find;
using kiosk::test::report_of;
using namespace std::chrono_literals;

namespace {

// A real certificate to judge (the test JPKI CA's; only its dates matter here).
core::crypto::Certificate some_certificate() {
  std::ifstream in(test::test_ca_directory() / "auth-ca.pem");
  return core::crypto::Certificate::from_pem(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
}

hal::ServiceProbeFacts healthy_probe(const core::crypto::Certificate& cert) {
  hal::ServiceProbeFacts p;
  p.endpoint = "https://oqs.example:443";
  p.connected = true;
  p.connect_time = 12ms;
  p.handshake_attempted = true;
  p.handshake_ok = true;
  p.handshake_time = 30ms;
  p.tls_version = "TLSv1.3";
  p.cipher = "TLS_AES_128_GCM_SHA256";
  p.server_certificate = cert.der();
  p.server_trusted = true;
  p.terminal_certificate = cert.der();
  return p;
}

HealthFacts answer(std::chrono::system_clock::time_point kiosk_time, std::chrono::seconds service_ahead) {
  HealthFacts h;
  core::eligibility::ServiceHealth health;
  health.status = "ok";
  health.service = "oqs/1";
  health.api_version = 1;
  health.time = std::chrono::floor<std::chrono::seconds>(kiosk_time + service_ahead);
  h.health = health;
  h.asked = kiosk_time - 20ms;
  h.answered = kiosk_time + 20ms;
  return h;
}

}  // namespace

TEST_CASE("service: a healthy service passes every check") {
  const auto cert = some_certificate();
  const auto now = cert.not_before() + 24h;
  const auto checks = check_service(healthy_probe(cert), answer(now, 0s), now, {});
  INFO(report_of(checks).to_table());
  REQUIRE(checks.size() == 6);
  for (const auto& c : checks) CHECK(c.status == Status::Pass);
  CHECK_THAT(find(checks, "reachability").measured, Catch::Contains("12 ms"));
  CHECK_THAT(find(checks, "TLS handshake").measured, Catch::Contains("TLSv1.3") && Catch::Contains("30 ms"));
  CHECK_THAT(find(checks, "server certificate").measured, Catch::Contains("days left"));
  CHECK_THAT(find(checks, "service answer").measured, Catch::Contains("api_version 1"));
}

TEST_CASE("service: unreachable service, refused port and slow line") {
  const auto cert = some_certificate();
  const auto now = cert.not_before() + 24h;
  hal::ServiceProbeFacts p = healthy_probe(cert);
  p.connected = false;
  p.handshake_ok = false;
  p.handshake_attempted = false;
  p.server_certificate.clear();
  p.connect_failure = hal::TransportErrorKind::ConnectionRefused;
  p.connect_error = "connection refused by oqs.example:443";
  auto checks = check_service(p, {}, now, {});
  CHECK(find(checks, "reachability").status == Status::Fail);
  CHECK_THAT(find(checks, "reachability").measured, Catch::Contains("connection-refused"));
  CHECK_THAT(find(checks, "reachability").action, Catch::Contains("port"));
  CHECK(find(checks, "TLS handshake").status == Status::Skip);
  CHECK(find(checks, "service answer").status == Status::Skip);
  CHECK(find(checks, "terminal certificate").status == Status::Pass);  // judged from its file all the same

  p.connect_failure = hal::TransportErrorKind::NetworkUnreachable;
  checks = check_service(p, {}, now, {});
  CHECK_THAT(find(checks, "reachability").action, Catch::Contains("network cable"));

  p = healthy_probe(cert);
  p.connect_time = 1500ms;
  checks = check_service(p, answer(now, 0s), now, {});
  CHECK(find(checks, "reachability").status == Status::Warn);
}

TEST_CASE("service: TLS failures say which side and why") {
  const auto cert = some_certificate();
  const auto now = cert.not_before() + 24h;
  hal::ServiceProbeFacts p = healthy_probe(cert);
  p.handshake_ok = false;
  p.handshake_failure = hal::TransportErrorKind::TlsClientCertificateRefused;
  p.handshake_error = "the service refused this terminal's certificate (alert: certificate expired)";
  auto checks = check_service(p, {}, now, {});
  CHECK(find(checks, "TLS handshake").status == Status::Fail);
  CHECK_THAT(find(checks, "TLS handshake").action, Catch::Contains("terminal certificate"));
  CHECK(find(checks, "service answer").status == Status::Skip);

  p.handshake_failure = hal::TransportErrorKind::TlsServerUntrusted;
  p.server_trusted = false;
  p.server_verify_error = "unable to get local issuer certificate";
  checks = check_service(p, {}, now, {});
  CHECK(find(checks, "server certificate").status == Status::Fail);
  CHECK_THAT(find(checks, "server certificate").measured, Catch::Contains("unable to get local issuer certificate"));
  CHECK_THAT(find(checks, "server certificate").action, Catch::Contains("service CA"));
}

TEST_CASE("service: certificates warn 30 days before expiry and fail once expired") {
  const auto cert = some_certificate();
  const hal::ServiceProbeFacts p = healthy_probe(cert);
  auto at = [&](std::chrono::system_clock::time_point now) { return check_service(p, answer(now, 0s), now, {}); };

  auto checks = at(cert.not_after() - std::chrono::days(10));
  CHECK(find(checks, "terminal certificate").status == Status::Warn);
  CHECK_THAT(find(checks, "terminal certificate").measured, Catch::Contains("(10 days left)"));
  CHECK_THAT(find(checks, "terminal certificate").action, Catch::Contains("request a new terminal certificate"));
  CHECK(find(checks, "server certificate").status == Status::Warn);

  checks = at(cert.not_after() + 1h);
  CHECK(find(checks, "terminal certificate").status == Status::Fail);
  CHECK_THAT(find(checks, "terminal certificate").measured, Catch::Contains("expired on"));
  CHECK(find(checks, "server certificate").status == Status::Fail);

  checks = at(cert.not_before() - 1h);
  CHECK(find(checks, "terminal certificate").status == Status::Fail);
  CHECK_THAT(find(checks, "terminal certificate").action, Catch::Contains("clock"));

  hal::ServiceProbeFacts unreadable = p;
  unreadable.terminal_certificate.clear();
  unreadable.terminal_certificate_error = "cannot read the terminal certificate /etc/kiosk/terminal.pem";
  checks = check_service(unreadable, answer(cert.not_before() + 24h, 0s), cert.not_before() + 24h, {});
  CHECK(find(checks, "terminal certificate").status == Status::Fail);
  CHECK_THAT(find(checks, "terminal certificate").measured, Catch::Contains("/etc/kiosk/terminal.pem"));
}

TEST_CASE("service: clock offset within 5 s passes, up to 5 min warns, beyond fails") {
  const auto cert = some_certificate();
  const auto now = cert.not_before() + 24h;
  const hal::ServiceProbeFacts p = healthy_probe(cert);
  auto offset_check = [&](std::chrono::seconds service_ahead) {
    return find(check_service(p, answer(now, service_ahead), now, {}), "clock offset");
  };
  CHECK_THAT(offset_check(0s).measured, Catch::StartsWith("kiosk and service agree within ±520 ms"));
  CHECK(offset_check(2s).status == Status::Pass);
  CHECK(offset_check(-3s).status == Status::Pass);
  // The service's time has whole seconds: it read its clock somewhere within that second, the
  // offset is taken from the middle of it.
  const CheckResult behind = offset_check(60s);
  CHECK(behind.status == Status::Warn);
  CHECK_THAT(behind.measured, Catch::StartsWith("kiosk behind the service by 60.5 s"));
  CHECK_THAT(behind.action, Catch::Contains("NTP"));
  const CheckResult ahead = offset_check(-600s);
  CHECK(ahead.status == Status::Fail);
  CHECK_THAT(ahead.measured, Catch::StartsWith("kiosk ahead of the service by 599.5 s"));
}

TEST_CASE("service: no answer, another API version, a service in trouble") {
  const auto cert = some_certificate();
  const auto now = cert.not_before() + 24h;
  const hal::ServiceProbeFacts p = healthy_probe(cert);

  HealthFacts none;
  none.error = "server-error: HTTP 503 UNAVAILABLE";
  none.advice = "try again later";
  auto checks = check_service(p, none, now, {});
  CHECK(find(checks, "service answer").status == Status::Fail);
  CHECK_THAT(find(checks, "service answer").measured, Catch::Contains("503"));
  CHECK(find(checks, "clock offset").status == Status::Skip);

  HealthFacts other = answer(now, 0s);
  other.health->api_version = 2;
  checks = check_service(p, other, now, {});
  CHECK(find(checks, "service answer").status == Status::Fail);
  CHECK_THAT(find(checks, "service answer").action, Catch::Contains("update the kiosk firmware"));

  HealthFacts degraded = answer(now, 0s);
  degraded.health->status = "degraded";
  checks = check_service(p, degraded, now, {});
  CHECK(find(checks, "service answer").status == Status::Warn);
}

TEST_CASE("service: not configured is a warning") {
  const CheckResult c = service_not_configured();
  CHECK(c.status == Status::Warn);
  CHECK_THAT(c.action, Catch::Contains("counter"));
}
