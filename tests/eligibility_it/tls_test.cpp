// Mutual TLS: the service refuses terminals it did not certify, the kiosk refuses servers that
// are not the eligibility service; both say which side and why.
#include <catch2/catch.hpp>

#include <httplib.h>

#include "sim/eligibility/service_pki.hpp"
#include "tests/support/chunked_body.hpp"
#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;
namespace elig = kiosk::sim::eligibility;
using namespace std::chrono_literals;

namespace {

// A second service that presents `server` (issued by some CA) and trusts the real terminal CA.
std::unique_ptr<elig::SimulatedEligibilityService> service_presenting(const elig::IssuedFiles& server, const World& world) {
  elig::ServiceOptions o;
  o.tls = {server.certificate, server.key, world.pki().service_ca};
  o.jpki_ca_certificates = {test::test_ca_directory() / "auth-ca.pem"};
  auto service = std::make_unique<elig::SimulatedEligibilityService>(
      o, elig::Fixture::parse(R"({"format":"kiosk-eligibility-fixture","version":1})", "."));
  service->start();
  return service;
}

EligibilityError health_error(const drivers::https::HttpsTransportConfig& config) {
  drivers::https::HttpsClientTransport transport(config);
  RealClock clock;
  EligibilityClient client(transport, clock, quick_options());
  return error_of([&] { client.health(); });
}

}  // namespace

TEST_CASE("mutual TLS: wrong, expired or missing certificates are refused on both sides") {
  World world({});
  const auto now = std::chrono::system_clock::now();
  const auto rogue = elig::ServicePki::create(world.dir() / "rogue", now, "rogue-ca", "Rogue CA");
  const auto real = elig::ServicePki::open(world.dir() / "service");

  SECTION("the kiosk's own certificate works") {
    drivers::https::HttpsClientTransport transport(world.transport_config());
    RealClock clock;
    EligibilityClient client(transport, clock, quick_options());
    CHECK(client.health().status == "ok");
  }

  SECTION("a terminal certificate from another CA is refused by the service") {
    const auto files = rogue.issue_terminal(world.dir() / "rogue", "terminal", "1312345678", "kiosk-01", "", now - 1h, now + 24h);
    auto config = world.transport_config();
    config.client_certificate = files.certificate;
    config.client_key = files.key;
    const EligibilityError e = health_error(config);
    CHECK(e.kind() == ErrorKind::TerminalRefused);
    CHECK_FALSE(e.retryable());
    CHECK(e.counter_fallback());
    CHECK_THAT(e.detail(), Catch::Contains("refused this terminal's certificate"));
    CHECK(world.service().counters().requests == 0);
  }

  SECTION("an expired terminal certificate is refused by the service") {
    const auto files = real.issue_terminal(world.dir() / "old", "terminal", "1312345678", "kiosk-01", "", now - 48h, now - 1h);
    auto config = world.transport_config();
    config.client_certificate = files.certificate;
    config.client_key = files.key;
    const EligibilityError e = health_error(config);
    INFO(e.what());
    CHECK(e.kind() == ErrorKind::TerminalRefused);
    CHECK(world.service().counters().requests == 0);
  }

  SECTION("a server certificate from another CA is refused by the kiosk") {
    const auto server = rogue.issue_server(world.dir() / "rogue", "server", now - 1h, now + 24h);
    const auto impostor = service_presenting(server, world);
    auto config = world.transport_config();
    config.port = impostor->port();
    const EligibilityError e = health_error(config);
    CHECK(e.kind() == ErrorKind::ServerUntrusted);
    CHECK_FALSE(e.retryable());
    CHECK(e.counter_fallback());
    CHECK_THAT(e.detail(), Catch::Contains("not from the pinned service CA"));
    CHECK(impostor->counters().requests == 0);
  }

  SECTION("an expired server certificate is refused by the kiosk") {
    const auto server = real.issue_server(world.dir() / "expired", "server", now - 48h, now - 1h);
    const auto stale = service_presenting(server, world);
    auto config = world.transport_config();
    config.port = stale->port();
    const EligibilityError e = health_error(config);
    CHECK(e.kind() == ErrorKind::ServerCertificateExpired);
    CHECK_THAT(e.detail(), Catch::Contains("expired"));
    CHECK(stale->counters().requests == 0);
  }

  SECTION("a client without a certificate never gets an answer") {
    httplib::SSLClient bare("127.0.0.1", world.service().port());
    bare.set_ca_cert_path(world.pki().service_ca.string());
    bare.enable_server_certificate_verification(true);
    bare.set_connection_timeout(2, 0);
    bare.set_read_timeout(2, 0);
    const auto result = bare.Get("/v1/health");
    CHECK_FALSE(result);
    CHECK(world.service().counters().requests == 0);
  }

  SECTION("the transport refuses a key that does not belong to the certificate") {
    const auto files = rogue.issue_terminal(world.dir() / "rogue", "mismatch", "1312345678", "kiosk-01", "", now - 1h, now + 24h);
    auto config = world.transport_config();
    config.client_key = files.key;
    try {
      drivers::https::HttpsClientTransport transport(config);
      FAIL("accepted a foreign key");
    } catch (const hal::TransportError& e) {
      CHECK(e.kind() == hal::TransportErrorKind::Configuration);
      CHECK_THAT(e.detail(), Catch::Contains("does not belong"));
    }
  }
}

TEST_CASE("the service refuses a chunked request body with 411 before reading it") {
  World world({});
  const auto config = world.transport_config();
  httplib::SSLClient client("127.0.0.1", world.service().port(), config.client_certificate.string(),
                            config.client_key.string());
  client.set_ca_cert_path(world.pki().service_ca.string());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(3, 0);
  client.set_read_timeout(5, 0);
  std::size_t offered = 0;
  const auto res = client.Post("/v1/confirmations", test::chunked_body(64u * 1024u * 1024u, offered, ' '), "application/json");
  if (res) CHECK(res->status == 411);
  CHECK(offered < 8u * 1024u * 1024u);
  // A request with a length is still served.
  const auto health = client.Get("/v1/health");
  REQUIRE(health);
  CHECK(health->status == 200);
}
