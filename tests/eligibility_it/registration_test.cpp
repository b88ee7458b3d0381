// 保険証利用登録 at the kiosk: an unregistered card gets a registration offer; with the patient's
// consent the card is registered once, however often the kiosk has to ask.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;

TEST_CASE("registration for insurance use on the spot, recorded once across retries") {
  const auto jiro = test::test_card_profile(sim::card::CertificateCondition::Valid);
  World world({{"jiro", jiro, false}});
  auto transport = world.transport();
  RealClock clock;
  EligibilityClient client(*transport, clock, quick_options());
  CardAtReader card(jiro);

  const Confirmation offered = client.confirm_by_pin(card.certificate(), card.signer());
  REQUIRE(offered.registration_offer);
  CHECK_FALSE(offered.result);
  CHECK_THAT(offered.registration_offer->message, Catch::Contains("利用登録"));
  CHECK(offered.registration_offer->expires_at > std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  CHECK(world.service().audit_tail(1).at(0).outcome == "registration-offered");

  // The kiosk sends the registration, loses the answer and sends it again with the same request id.
  const std::string body = codec::encode_registration("retry-test-0001", offered.registration_offer->ticket);
  const hal::HttpResponse first = transport->send({hal::HttpMethod::Post, "/v1/registrations", body, std::chrono::milliseconds{3000}});
  const hal::HttpResponse second = transport->send({hal::HttpMethod::Post, "/v1/registrations", body, std::chrono::milliseconds{3000}});
  CHECK(first.status == 200);
  CHECK(second.status == 200);
  CHECK(second.body == first.body);
  const Confirmation registered = codec::decode_confirmation(first.body);
  REQUIRE(registered.result);
  CHECK(registered.result->body.qualification_validity == QualificationValidity::Valid);
  CHECK_FALSE(registered.confirmation_id.empty());

  const auto audit = world.service().audit_tail(2);
  REQUIRE(audit.size() == 2);
  CHECK(audit[0].operation == "register");
  CHECK_THAT(audit[0].detail, Catch::Contains("registered for insurance use"));
  CHECK_THAT(audit[1].detail, Catch::Contains("repeated request retry-test-0001"));

  // The ticket is spent: another request id cannot register again with it.
  const std::string other = codec::encode_registration("retry-test-0002", offered.registration_offer->ticket);
  const hal::HttpResponse third = transport->send({hal::HttpMethod::Post, "/v1/registrations", other, std::chrono::milliseconds{3000}});
  CHECK(third.status == 404);
  CHECK(codec::decode_error(third.body)->code == "TICKET_UNKNOWN");

  // A request id used for a registration cannot be reused for a consent.
  const std::string reuse = codec::encode_consent("retry-test-0001", registered.confirmation_id, {true, std::nullopt});
  const hal::HttpResponse clash = transport->send({hal::HttpMethod::Post, "/v1/consents", reuse, std::chrono::milliseconds{3000}});
  CHECK(clash.status == 409);
  CHECK(codec::decode_error(clash.body)->code == "REQUEST_ID_REUSED");

  // From now on the card confirms directly, and the consent works on the new confirmation.
  const Confirmation next = client.confirm_by_pin(card.certificate(), card.signer());
  REQUIRE(next.result);
  CHECK_FALSE(next.registration_offer);
  const Confirmation consented = client.record_consent(next.confirmation_id, {false, PrescriptionIssue::Paper});
  CHECK(consented.result->body.results.at(0).pharmacists.flag == ConsentFlag::NotGiven);
  CHECK(consented.result->body.prescription_issue_select == PrescriptionIssue::Paper);

  // The client's own registration call on a fresh offer is impossible now; an unknown ticket is final.
  const EligibilityError e = error_of([&] {
    client.register_for_insurance_use({"t-00000000000000000000000000000000", parse_utc("2030-01-01T00:00:00Z"), ""});
  });
  CHECK(e.code() == "TICKET_UNKNOWN");
  CHECK_FALSE(e.counter_fallback());
}
