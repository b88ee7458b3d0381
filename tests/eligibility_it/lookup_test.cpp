// The number path over mutual TLS (資格確認書, the old 健康保険証, 資格情報のお知らせ), with the
// service's clock set around the 2025-12-02 cut-off.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "core/eligibility/result_file.hpp"
#include "hal/calendar.hpp"
#include "sim/eligibility/rules.hpp"
#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;
using Json = nlohmann::json;

namespace {

Date d(const char* iso) { return *hal::calendar::parse_iso_date(iso); }

Json with_certificate(Json p, const char* valid_until) {
  p["qualifications"][0]["eligibility_certificates"] = Json::array({Json{{"issued_on", "2024-12-02"}, {"valid_until", valid_until}}});
  return p;
}

NumberLookup lookup_of(PresentedDocument doc, const std::string& number, const char* birth, std::optional<std::string> branch = "00") {
  NumberLookup l;
  l.document = doc;
  l.insurer_number = "01130012";
  l.insured_card_symbol = "12345678";
  l.insured_identification_number = number;
  l.insured_branch_number = std::move(branch);
  l.birthdate = d(birth);
  return l;
}

}  // namespace

TEST_CASE("number path over mutual TLS around the 2025-12-02 cut-off") {
  Json twin_a = person("sakura", "2019-03-03", "99");
  Json twin_b = person("momo", "2019-03-03", "99");
  twin_b["qualifications"][0]["id"] = "momo-family";
  twin_a["qualifications"][0]["branch"] = "01";
  twin_b["qualifications"][0]["branch"] = "02";
  World world({}, {with_certificate(person("hanako", "1990-05-05", "2001"), "2029-03-31"),
                   with_certificate(person("jiro", "1975-11-30", "2002"), "2025-07-31"), person("saburo", "1950-01-15", "3003"),
                   twin_a, twin_b});
  // The service's date in Japan: 2025-12-01, the last day of the old health insurance cards.
  const auto today = sim::eligibility::japan_date(std::chrono::system_clock::now());
  world.shift_clock(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::sys_days{d("2025-12-01")} - std::chrono::sys_days{today}));
  auto transport = world.transport();
  RealClock clock;
  EligibilityClient client(*transport, clock, quick_options());

  const Confirmation hanako = client.lookup(lookup_of(PresentedDocument::EligibilityCertificate, "2001", "1990-05-05"));
  REQUIRE(hanako.result);
  CHECK(hanako.method == ConfirmationMethod::Numbers);
  CHECK(hanako.result->header.reference_classification == ReferenceClassification::InsuranceNumbers);
  CHECK(hanako.result->header.qualification_confirmation_date == d("2025-12-01"));
  CHECK(hanako.result->body.qualification_validity == QualificationValidity::Valid);
  REQUIRE(hanako.result->body.search_info);
  CHECK(hanako.result->body.search_info->insured_identification_number == "2001");
  CHECK(hanako.result->body.results.at(0).pharmacists.flag == ConsentFlag::NotGiven);
  CHECK_FALSE(hanako.result->body.results.at(0).limit_application);  // no 限度額 consent in the search

  NumberLookup with_limit = lookup_of(PresentedDocument::EligibilityCertificate, "2001", "1990-05-05");
  with_limit.limit_application_consent = true;
  CHECK(client.lookup(with_limit).result->body.results.at(0).limit_application);

  const Confirmation jiro = client.lookup(lookup_of(PresentedDocument::EligibilityCertificate, "2002", "1975-11-30"));
  CHECK(jiro.result->body.processing_result_status == ProcessingResultStatus::Error);
  CHECK(jiro.result->body.processing_result_code == "E2002");
  CHECK_FALSE(jiro.result->body.qualification_validity);

  const auto old_card = lookup_of(PresentedDocument::HealthInsuranceCard, "3003", "1950-01-15");
  CHECK(client.lookup(old_card).result->body.qualification_validity == QualificationValidity::Valid);

  const Confirmation notice = client.lookup(lookup_of(PresentedDocument::QualificationNotice, "2001", "1990-05-05"));
  CHECK(notice.result->body.processing_result_code == "E2003");
  CHECK(notice.result->body.processing_result_status == ProcessingResultStatus::Error);

  const Confirmation twins = client.lookup(lookup_of(PresentedDocument::EligibilityCertificate, "99", "2019-03-03", std::nullopt));
  CHECK(twins.result->body.qualification_validity == QualificationValidity::MultipleMatches);
  CHECK(twins.result->body.results.empty());
  const Confirmation momo = client.lookup(lookup_of(PresentedDocument::EligibilityCertificate, "99", "2019-03-03", "02"));
  CHECK(momo.result->body.results.at(0).insured_branch_number == "02");

  const Confirmation wrong_birth = client.lookup(lookup_of(PresentedDocument::EligibilityCertificate, "2001", "1990-05-06"));
  CHECK(wrong_birth.result->body.qualification_validity == QualificationValidity::NoQualification);

  // The next day the old card is refused with guidance.
  world.shift_clock(std::chrono::hours{24});
  const Confirmation refused = client.lookup(old_card);
  CHECK(refused.result->header.qualification_confirmation_date == d("2025-12-02"));
  CHECK(refused.result->body.processing_result_code == "E2001");
  CHECK_THAT(refused.result->body.processing_result_message, Catch::Contains("資格確認書"));

  // The refusal goes to the reception system as a file too.
  test::TempDir outbox;
  const auto file = ResultFileWriter(outbox.path()).write(*refused.result);
  pugi::xml_document doc;
  REQUIRE(doc.load_file(file.c_str()));
  const pugi::xml_node body = doc.child("XmlMsg").child("MessageBody");
  CHECK(std::string(body.child_value("ProcessingResultStatus")) == "2");
  CHECK(std::string(body.child_value("ProcessingResultCode")) == "E2001");
  CHECK(std::string(body.child("QualificationConfirmSearchInfo").child_value("InsuredIdentificationNumber")) == "3003");
  CHECK(std::string(doc.child("XmlMsg").child("MessageHeader").child_value("ReferenceClassification")) == "2");
}
