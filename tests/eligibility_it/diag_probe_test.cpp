// The diagnostic probe (drivers/https/service_probe) and the service verdicts
// (core/diagnostics/service_checks) against the simulated eligibility service on loopback:
// up, down (port closed), a server from another CA, an expired or expiring terminal
// certificate, a kiosk clock off by minutes, another API version.
#include <catch2/catch.hpp>

#include "core/diagnostics/service_checks.hpp"
#include "drivers/https/tls_service_probe.hpp"
#include "sim/eligibility/service_pki.hpp"
#include "tests/eligibility_it/world.hpp"
#include "tests/unit/core/diagnostics/check_lookup.hpp"

using namespace kiosk;
using namespace kiosk::core::diagnostics;
using namespace kiosk::test::it;
namespace elig = kiosk::sim::eligibility;
using namespace std::chrono_literals;

namespace {

struct Diagnosis {
  hal::ServiceProbeFacts probe;
  std::vector<CheckResult> checks;

  const CheckResult& check(const std::string& name) const { return test::find(checks, name); }
};

// What `kiosk diag` does for the service: the probe, then (over a working connection) one
// health call without retries.
Diagnosis diagnose(const drivers::https::HttpsTransportConfig& config) {
  Diagnosis d;
  d.probe = drivers::https::probe_service(config, 2000ms);
  HealthFacts health;
  if (d.probe.handshake_ok) {
    drivers::https::HttpsClientTransport transport(config);
    RealClock clock;
    core::eligibility::ClientOptions once = quick_options();
    once.max_attempts = 1;
    core::eligibility::EligibilityClient client(transport, clock, once);
    health = query_health(client, clock);
  }
  d.checks = check_service(d.probe, health, std::chrono::system_clock::now(), {});
  UNSCOPED_INFO(test::report_of(d.checks).to_table());
  return d;
}

drivers::https::HttpsTransportConfig with_terminal(drivers::https::HttpsTransportConfig config, const elig::IssuedFiles& files) {
  config.client_certificate = files.certificate;
  config.client_key = files.key;
  return config;
}

}  // namespace

TEST_CASE("diag probe: a healthy service passes every check") {
  World world({});
  const Diagnosis d = diagnose(world.transport_config());
  CHECK(d.probe.connected);
  CHECK(d.probe.handshake_ok);
  CHECK(d.probe.server_trusted);
  CHECK(d.probe.tls_version.rfind("TLSv1.", 0) == 0);
  REQUIRE(d.checks.size() == 6);
  for (const auto& c : d.checks) {
    INFO(c.name << ": " << c.measured);
    CHECK(c.status == Status::Pass);
  }
  CHECK_THAT(d.check("service answer").measured, Catch::Contains("kiosk-sim-eligibility/1"));
  CHECK_THAT(d.check("terminal certificate").measured, Catch::Contains("OU=1312345678"));
  // The probe's own request reached the service's health endpoint, then the client's.
  CHECK(world.service().counters().requests == 2);
}

TEST_CASE("diag probe: a stopped service fails reachability") {
  World world({});
  const auto config = world.transport_config();
  world.service().stop();
  const Diagnosis d = diagnose(config);
  CHECK_FALSE(d.probe.connected);
  CHECK(d.probe.connect_failure == hal::TransportErrorKind::ConnectionRefused);
  CHECK(d.check("reachability").status == Status::Fail);
  CHECK_THAT(d.check("reachability").measured, Catch::Contains("connection refused"));
  CHECK(d.check("TLS handshake").status == Status::Skip);
  CHECK(d.check("terminal certificate").status == Status::Pass);
}

TEST_CASE("diag probe: a server from another CA fails and is sent nothing") {
  World world({});
  const auto now = std::chrono::system_clock::now();
  const auto rogue = elig::ServicePki::create(world.dir() / "rogue", now, "rogue-ca", "Rogue CA");
  const auto server = rogue.issue_server(world.dir() / "rogue", "server", now - 1h, now + 24h);
  elig::ServiceOptions o;
  o.tls = {server.certificate, server.key, world.pki().service_ca};
  o.jpki_ca_certificates = {test::test_ca_directory() / "auth-ca.pem"};
  elig::SimulatedEligibilityService impostor(o, elig::Fixture::parse(R"({"format":"kiosk-eligibility-fixture","version":1})", "."));
  impostor.start();
  auto config = world.transport_config();
  config.port = impostor.port();

  const Diagnosis d = diagnose(config);
  CHECK(d.probe.connected);
  CHECK_FALSE(d.probe.server_trusted);
  CHECK(d.probe.handshake_failure == hal::TransportErrorKind::TlsServerUntrusted);
  CHECK(d.check("TLS handshake").status == Status::Fail);
  CHECK(d.check("server certificate").status == Status::Fail);
  CHECK_THAT(d.check("server certificate").measured, Catch::Contains("Rogue CA"));
  CHECK(d.check("service answer").status == Status::Skip);
  CHECK(impostor.counters().requests == 0);
  impostor.stop();
}

TEST_CASE("diag probe: an expired terminal certificate fails, one about to expire warns") {
  World world({});
  const auto now = std::chrono::system_clock::now();
  const auto ca = elig::ServicePki::open(world.dir() / "service");

  SECTION("expired: the kiosk sees it, the service refuses it") {
    const auto files = ca.issue_terminal(world.dir() / "old", "terminal", "1312345678", "kiosk-01", "", now - 48h, now - 1h);
    const Diagnosis d = diagnose(with_terminal(world.transport_config(), files));
    CHECK(d.check("terminal certificate").status == Status::Fail);
    CHECK_THAT(d.check("terminal certificate").measured, Catch::Contains("expired on"));
    CHECK(d.probe.handshake_failure == hal::TransportErrorKind::TlsClientCertificateRefused);
    CHECK(d.check("TLS handshake").status == Status::Fail);
    CHECK_THAT(d.check("TLS handshake").measured, Catch::Contains("refused this terminal's certificate"));
    CHECK(world.service().counters().requests == 0);
  }

  SECTION("ten days left: a warning to renew") {
    const auto files =
        ca.issue_terminal(world.dir() / "soon", "terminal", "1312345678", "kiosk-01", "", now - 24h, now + std::chrono::days(10));
    const Diagnosis d = diagnose(with_terminal(world.transport_config(), files));
    CHECK(d.check("terminal certificate").status == Status::Warn);
    CHECK(d.check("TLS handshake").status == Status::Pass);
    CHECK(d.check("service answer").status == Status::Pass);
  }
}

TEST_CASE("diag probe: the clock offset against the service's time") {
  World world({});
  SECTION("two minutes: a warning") {
    world.shift_clock(120s);
    const CheckResult c = diagnose(world.transport_config()).check("clock offset");
    CHECK(c.status == Status::Warn);
    CHECK_THAT(c.measured, Catch::StartsWith("kiosk behind the service by 1"));
  }
  SECTION("ten minutes: a failure") {
    world.shift_clock(-600s);
    const CheckResult c = diagnose(world.transport_config()).check("clock offset");
    CHECK(c.status == Status::Fail);
    CHECK_THAT(c.measured, Catch::StartsWith("kiosk ahead of the service by "));
  }
}

TEST_CASE("diag probe: a service speaking another API version, or unavailable") {
  World world({});
  SECTION("another version") {
    world.service().set_faults({0ms, elig::Faults::Reply::WrongVersion, "/v1/health"});
    const CheckResult c = diagnose(world.transport_config()).check("service answer");
    CHECK(c.status == Status::Fail);
    CHECK_THAT(c.measured, Catch::Contains("malformed"));
  }
  SECTION("unavailable") {
    world.service().set_faults({0ms, elig::Faults::Reply::Unavailable, "/v1/health"});
    const Diagnosis d = diagnose(world.transport_config());
    CHECK(d.check("TLS handshake").status == Status::Pass);
    CHECK(d.check("service answer").status == Status::Fail);
    CHECK(d.check("clock offset").status == Status::Skip);
  }
}
