// The challenge protocol over the wire: nonces are single use, bound to the terminal that asked,
// and short-lived; the card's signature must be over that nonce with that certificate's key.
#include <catch2/catch.hpp>

#include "sim/eligibility/service_pki.hpp"
#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;
namespace elig = kiosk::sim::eligibility;
using namespace std::chrono_literals;

namespace {
codec::ConfirmRequest pin_request(const Bytes& certificate, const codec::Challenge& challenge, Bytes signature) {
  codec::ConfirmRequest r;
  r.method = ConfirmationMethod::Pin;
  r.card_certificate = certificate;
  r.nonce = challenge.nonce;
  r.card_signature = std::move(signature);
  return r;
}
}  // namespace

TEST_CASE("challenge nonces: replay, tampering, other terminals and expiry are refused") {
  const auto taro = test::test_card_profile(sim::card::CertificateCondition::Valid);
  World world({{"taro", taro}});
  auto transport = world.transport();
  RealClock clock;
  EligibilityClient client(*transport, clock, quick_options());
  CardAtReader card(taro);

  SECTION("a replayed confirmation is refused") {
    const auto challenge = client.issue_challenge();
    const auto request = pin_request(card.certificate(), challenge, card.sign(challenge.nonce));
    CHECK(client.confirm(request).result);
    const EligibilityError e = error_of([&] { client.confirm(request); });
    CHECK(e.kind() == ErrorKind::Rejected);
    CHECK(e.code() == "NONCE_REPLAYED");
    CHECK(e.http_status() == 409);
    CHECK_FALSE(e.retryable());
    CHECK_FALSE(e.display_message().empty());
    const auto audit = world.service().audit_tail(1);
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].outcome == "refused");
    CHECK(audit[0].code == "NONCE_REPLAYED");
  }

  SECTION("a tampered signature is refused, and the nonce is burnt") {
    const auto challenge = client.issue_challenge();
    Bytes signature = card.sign(challenge.nonce);
    signature[100] ^= 0x01;
    const EligibilityError e = error_of([&] { client.confirm(pin_request(card.certificate(), challenge, signature)); });
    CHECK(e.code() == "SIGNATURE_INVALID");
    CHECK(e.http_status() == 401);
    // The genuine signature cannot use that nonce any more.
    CHECK(error_of([&] { client.confirm(pin_request(card.certificate(), challenge, card.sign(challenge.nonce))); }).code() ==
          "NONCE_REPLAYED");
  }

  SECTION("a signature over another nonce is refused") {
    const auto challenge = client.issue_challenge();
    const Bytes other(32, 0x77);
    CHECK(error_of([&] { client.confirm(pin_request(card.certificate(), challenge, card.sign(other))); }).code() ==
          "SIGNATURE_INVALID");
  }

  SECTION("a nonce the service never issued is unknown") {
    codec::Challenge invented{Bytes(32, 0x42), {}};
    const EligibilityError e = error_of([&] { client.confirm(pin_request(card.certificate(), invented, card.sign(invented.nonce))); });
    CHECK(e.code() == "NONCE_UNKNOWN");
    CHECK(e.retryable());
  }

  SECTION("a nonce expires after 3 minutes") {
    const auto challenge = client.issue_challenge();
    world.shift_clock(181s);
    const EligibilityError e = error_of([&] { client.confirm(pin_request(card.certificate(), challenge, card.sign(challenge.nonce))); });
    CHECK(e.code() == "NONCE_EXPIRED");
    CHECK(e.http_status() == 410);
    CHECK(e.retryable());
  }

  SECTION("a terminal cannot use another terminal's nonce") {
    const auto now = std::chrono::system_clock::now();
    const auto pki = elig::ServicePki::open(world.dir() / "service");
    const auto second = pki.issue_terminal(world.dir() / "second", "terminal", "1398765432", "kiosk-02", "", now - 1h, now + 24h);
    auto config = world.transport_config();
    config.client_certificate = second.certificate;
    config.client_key = second.key;
    drivers::https::HttpsClientTransport other_transport(config);
    EligibilityClient other(other_transport, clock, quick_options());
    const auto challenge = other.issue_challenge();
    CHECK(error_of([&] { client.confirm(pin_request(card.certificate(), challenge, card.sign(challenge.nonce))); }).code() ==
          "NONCE_UNKNOWN");
    // ... while the terminal it was issued to can.
    const Confirmation c = other.confirm(pin_request(card.certificate(), challenge, card.sign(challenge.nonce)));
    CHECK(c.result->header.medical_institution_code == "1398765432");
  }

  SECTION("confirm_by_pin starts a new round when its nonce expired while the card was signing") {
    int signatures = 0;
    const Confirmation c = client.confirm_by_pin(card.certificate(), [&](ByteView nonce) {
      if (signatures++ == 0) world.shift_clock(200s);  // a very slow card, the first time
      return card.sign(nonce);
    });
    CHECK(c.result);
    CHECK(signatures == 2);
  }
}
