// A whole PIN confirmation over real mutual TLS: the simulated card signs the service's nonce
// through the kiosk's card layer, the client confirms, records the consent and writes the XML
// result file; the service audits each step.
#include <catch2/catch.hpp>

#include <pugixml.hpp>

#include "core/eligibility/result_file.hpp"
#include "core/eligibility/wire_format.hpp"
#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;

TEST_CASE("PIN confirmation over mutual TLS: result, consent, XML result file, audit") {
  const auto taro = test::test_card_profile(sim::card::CertificateCondition::Valid);
  const auto suspended = test::smartphone_profile();
  World world({{"taro", taro}, {"under-review", suspended, true, true}});
  auto transport = world.transport();
  RealClock clock;
  EligibilityClient client(*transport, clock, quick_options());

  const ServiceHealth health = client.health();
  CHECK(health.status == "ok");
  CHECK(health.api_version == 1);

  CardAtReader card(taro);
  CHECK(card.certificate() == taro.auth.certificate);
  const Confirmation c = client.confirm_by_pin(card.certificate(), card.signer());
  REQUIRE(c.result);
  CHECK_FALSE(c.registration_offer);
  CHECK_FALSE(c.confirmation_id.empty());
  CHECK(c.method == ConfirmationMethod::Pin);
  REQUIRE(c.card_certificate);
  CHECK(c.card_certificate->state == CardCertificateState::Valid);
  CHECK_FALSE(c.medical_information_viewing_suspended);

  const MessageHeader& header = c.result->header;
  CHECK(header.medical_institution_code == "1312345678");
  CHECK(header.reference_classification == ReferenceClassification::MyNumberCard);
  CHECK(header.qualification_confirmation_date == japan_date(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
  const MessageBody& body = c.result->body;
  CHECK(body.processing_result_status == ProcessingResultStatus::Normal);
  CHECK(body.qualification_validity == QualificationValidity::Valid);
  REQUIRE(body.results.size() == 1);
  const Qualification& q = body.results[0];
  CHECK(q.insurer_number == "01130012");
  CHECK(q.insured_identification_number == "1001");
  CHECK(q.name == "番号　太郎");
  CHECK(q.birthdate == Date{std::chrono::year{1980}, std::chrono::month{2}, std::chrono::day{17}});
  // A 46-year-old in 協会けんぽ: no 後期高齢者 ratio in the result (3割 follows from the age).
  CHECK(q.insured_partial_contribution_ratio.empty());
  CHECK(q.limit_application_consent.flag == ConsentFlag::Given);
  REQUIRE(q.limit_application);
  CHECK(q.limit_application->classification_flag == "A03");
  CHECK(q.pharmacists.flag == ConsentFlag::NotGiven);

  // The consent screen: 包括同意 and the prescription format.
  const Confirmation consented = client.record_consent(c.confirmation_id, {true, PrescriptionIssue::Electronic});
  REQUIRE(consented.result);
  CHECK(consented.confirmation_id == c.confirmation_id);
  const Qualification& after = consented.result->body.results.at(0);
  for (const Consent* consent : {&after.pharmacists, &after.diagnosis, &after.operation, &after.specific_health_checkups}) {
    CHECK(consent->flag == ConsentFlag::Given);
    REQUIRE(consent->time);
    REQUIRE(consent->available_until);
    CHECK(*consent->available_until - *consent->time == std::chrono::hours{24});
  }
  CHECK(consented.result->body.prescription_issue_select == PrescriptionIssue::Electronic);

  // The reception system's file.
  test::TempDir outbox;
  OqsResult for_file = *consented.result;
  for_file.header.arbitrary_file_identifier = "kiosk01-0001";
  const auto file = ResultFileWriter(outbox.path()).write(for_file);
  pugi::xml_document doc;
  REQUIRE(doc.load_file(file.c_str()));
  const pugi::xml_node xq = doc.child("XmlMsg").child("MessageBody").child("ResultList").child("ResultOfQualificationConfirmation");
  CHECK(std::string(xq.child_value("InsurerNumber")) == "01130012");
  CHECK(std::string(xq.child_value("PharmacistsInfoConsFlg")) == "1");
  CHECK(std::string(doc.child("XmlMsg").child("MessageBody").child_value("QualificationValidity")) == "1");
  CHECK(std::string(doc.child("XmlMsg").child("MessageHeader").child_value("ArbitraryFileIdentifier")) == "kiosk01-0001");

  // The same card again on the same keep-alive connection: the consent is still available.
  const Confirmation again = client.confirm_by_pin(card.certificate(), card.signer());
  CHECK(again.result->body.results.at(0).pharmacists.flag == ConsentFlag::Given);
  CHECK(again.confirmation_id != c.confirmation_id);

  // A person whose linkage is under review: qualification shown, medical information suspended.
  CardAtReader phone(suspended);
  const Confirmation review = client.confirm_by_pin(phone.certificate(), phone.signer());
  REQUIRE(review.result);
  CHECK(review.result->body.qualification_validity == QualificationValidity::Valid);
  CHECK(review.medical_information_viewing_suspended);
  CHECK(review.result->body.processing_result_code == "W1003");
  const Confirmation review_consent = client.record_consent(review.confirmation_id, {true, std::nullopt});
  CHECK(review_consent.result->body.results.at(0).pharmacists.flag == ConsentFlag::NotGiven);

  // The audit: every step, by terminal and card, and no My Number anywhere in what was exchanged.
  const auto audit = world.service().audit_tail(20);
  REQUIRE(audit.size() == 5);
  CHECK(audit[0].operation == "confirm");
  CHECK(audit[0].method == "pin");
  CHECK(audit[0].outcome == "ok");
  CHECK(audit[0].person == "taro");
  CHECK(audit[0].card_sha256 == sha256_hex(taro.auth.certificate));
  CHECK(audit[0].medical_institution_code == "1312345678");
  CHECK_THAT(audit[0].terminal, Catch::Contains("CN=kiosk-01"));
  CHECK(audit[1].operation == "consent");
  CHECK_THAT(audit[1].detail, Catch::Contains("consent given"));
  CHECK_THAT(audit[4].detail, Catch::Contains("viewing suspended"));
  const std::string exchanged = codec::encode_confirmation(consented);
  CHECK(exchanged.find(taro.my_number) == std::string::npos);
  for (const auto& entry : audit) CHECK(entry.detail.find(taro.my_number) == std::string::npos);
}
