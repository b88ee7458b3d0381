// The card's user-authentication certificate as the service judges it: revoked and expired
// (beyond the 3-month grace period) refused with 【006】; expired within the grace period and
// expiring soon accepted with a notice; a certificate from another CA untrusted.
#include <catch2/catch.hpp>

#include "sim/eligibility/jpki_verifier.hpp"
#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;
using Condition = kiosk::sim::card::CertificateCondition;

TEST_CASE("card certificates: revoked, expired, in grace, expiring soon, untrusted") {
  const auto revoked = test::test_card_profile(Condition::Revoked);
  const auto expired = test::test_card_profile(Condition::Expired);
  const auto grace = test::test_card_profile(Condition::ExpiredInGrace);
  const auto soon = test::test_card_profile(Condition::ExpiringSoon);
  World world({{"revoked", revoked}, {"expired", expired}, {"grace", grace}, {"soon", soon}});
  auto transport = world.transport();
  RealClock clock;
  EligibilityClient client(*transport, clock, quick_options());

  SECTION("revoked: refused with 【006】") {
    CardAtReader card(revoked);
    const EligibilityError e = error_of([&] { client.confirm_by_pin(card.certificate(), card.signer()); });
    CHECK(e.kind() == ErrorKind::Rejected);
    CHECK(e.code() == "CARD_CERTIFICATE_REVOKED");
    CHECK(e.http_status() == 403);
    CHECK_THAT(e.display_message(), Catch::Contains("【006:利用者証明用電子証明書の失効・有効期限切れ】"));
    CHECK_FALSE(e.counter_fallback());
    CHECK_THAT(world.service().audit_tail(1).at(0).detail, Catch::Contains("auth.crl"));
  }

  SECTION("expired beyond the grace period: refused with 【006】") {
    CardAtReader card(expired);
    const EligibilityError e = error_of([&] { client.confirm_by_pin(card.certificate(), card.signer()); });
    CHECK(e.code() == "CARD_CERTIFICATE_EXPIRED");
    CHECK_THAT(e.display_message(), Catch::Contains("【006"));
    CHECK_THAT(e.detail(), Catch::Contains("grace period ended"));
  }

  SECTION("expired within the grace period: accepted, with the last usable day") {
    CardAtReader card(grace);
    const Confirmation c = client.confirm_by_pin(card.certificate(), card.signer());
    REQUIRE(c.result);
    CHECK(c.result->body.qualification_validity == QualificationValidity::Valid);
    REQUIRE(c.card_certificate);
    CHECK(c.card_certificate->state == CardCertificateState::ExpiredInGrace);
    REQUIRE(c.card_certificate->usable_until);
    REQUIRE(c.card_certificate->not_after);
    CHECK(std::chrono::sys_days{*c.card_certificate->usable_until} > std::chrono::sys_days{*c.card_certificate->not_after});
    CHECK(c.result->body.processing_result_code == "W1002");
    CHECK_THAT(c.result->body.processing_result_message, Catch::Contains("まで保険証として利用できます"));
  }

  SECTION("the service's certificate cache never keeps a card usable past its grace period") {
    CardAtReader card(grace);
    CHECK(client.confirm_by_pin(card.certificate(), card.signer()).result);  // parsed and cached
    world.shift_clock(std::chrono::days{70});  // expired 100 days ago: beyond the 3 months
    CHECK(error_of([&] { client.confirm_by_pin(card.certificate(), card.signer()); }).code() == "CARD_CERTIFICATE_EXPIRED");
  }

  SECTION("expiring within 3 months: accepted, with a warning") {
    CardAtReader card(soon);
    const Confirmation c = client.confirm_by_pin(card.certificate(), card.signer());
    REQUIRE(c.card_certificate);
    CHECK(c.card_certificate->state == CardCertificateState::ExpiringSoon);
    CHECK(c.result->body.processing_result_code == "W1001");
    CHECK_THAT(c.result->body.processing_result_message, Catch::Contains("更新手続き"));
  }

  SECTION("a certificate that does not chain to the JPKI CA is untrusted") {
    // The terminal's own TLS certificate is a fine X.509 certificate, but not a card's.
    const Bytes foreign = sim::eligibility::certificate_der(sim::eligibility::parse_certificate_file(world.pki().terminal_certificate).get());
    CardAtReader card(soon);
    const EligibilityError e = error_of([&] { client.confirm_by_pin(foreign, card.signer()); });
    CHECK(e.code() == "CARD_CERTIFICATE_UNTRUSTED");
    CHECK(e.http_status() == 403);
  }

  SECTION("bytes that are not a certificate are a bad request") {
    CardAtReader card(soon);
    const EligibilityError e = error_of([&] { client.confirm_by_pin(Bytes{0x30, 0x03, 0x02, 0x01, 0x00}, card.signer()); });
    CHECK(e.code() == "BAD_REQUEST");
    CHECK(e.http_status() == 400);
  }
}
