// The reception system's result file for each case a clinic meets, produced end to end (the
// simulated card signs, the client confirms over mutual TLS, the kiosk writes the XML) and read
// back field by field against the OQS layout (docs/reception-rules.md §11): a working-age adult,
// a 72-year-old with a 高齢受給者証, a 75+ 後期高齢者, a 限度額 区分, 該当資格なし, and the consent
// not given. Each ratio is in the element the layout defines for it, and the share the kiosk
// shows (core/eligibility/copayment.hpp) follows from the file.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/eligibility/copayment.hpp"
#include "core/eligibility/result_file.hpp"
#include "hal/calendar.hpp"
#include "hal/calendar_months.hpp"
#include "sim/eligibility/jpki_verifier.hpp"
#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;
using Json = nlohmann::json;
using std::chrono::sys_days;

namespace {

std::string yyyymmdd(Date d) { return hal::calendar::format_yyyymmdd(d); }
std::string iso(Date d) { return hal::calendar::format_iso_date(d); }

// Someone `age` years old today, with a birthday 100 days ago.
Date born_years_ago(Date today, int age) {
  Date d{sys_days{today} - std::chrono::days{100}};
  d = d - std::chrono::years{age};
  if (!d.ok()) d = d.year() / d.month() / std::chrono::last;
  return d;
}

// This August-to-July period (高齢受給者証, 限度額適用認定証).
std::pair<Date, Date> period_of(Date today) {
  using namespace std::chrono;
  const year y = today.month() >= August ? today.year() : today.year() - years{1};
  return {y / August / day{1}, (y + years{1}) / July / day{31}};
}

Json person_with_card(const std::string& id, const std::string& name, Date birth, const sim::card::CardProfile& card, Json qualification) {
  return Json{{"id", id},
              {"name", name},
              {"name_kana", "ﾃｽﾄ"},
              {"sex", "2"},
              {"birth_date", iso(birth)},
              {"registered_for_insurance_use", "2024-05-01"},
              {"cards", Json::array({Json{{"certificate_sha256", sim::eligibility::sha256_hex(card.auth.certificate)}}})},
              {"qualifications", Json::array({std::move(qualification)})}};
}

Json qualification(const std::string& id, const std::string& insurer, const std::string& insurer_name, const std::string& number) {
  return Json{{"id", id},       {"insurer_number", insurer}, {"insurer_name", insurer_name}, {"symbol", "12"},
              {"number", number}, {"branch", "00"},          {"qualification_date", "2018-04-01"}};
}

// The result file of `result` as the kiosk writes it, parsed.
struct ResultXml {
  test::TempDir outbox;
  pugi::xml_document doc;
  std::filesystem::path file;

  explicit ResultXml(OqsResult result, const std::string& id) {
    result.header.arbitrary_file_identifier = id;
    file = ResultFileWriter(outbox.path()).write(result);
    REQUIRE(doc.load_file(file.c_str()));
  }
  pugi::xml_node header() const { return doc.child("XmlMsg").child("MessageHeader"); }
  pugi::xml_node body() const { return doc.child("XmlMsg").child("MessageBody"); }
  pugi::xml_node item() const { return body().child("ResultList").child("ResultOfQualificationConfirmation"); }
  std::size_t items() const {
    std::size_t n = 0;
    for (auto i : body().child("ResultList").children("ResultOfQualificationConfirmation")) {
      (void)i;
      ++n;
    }
    return n;
  }
};

std::string value(const pugi::xml_node& node, const char* name) { return node.child_value(name); }
bool has(const pugi::xml_node& node, const char* name) { return static_cast<bool>(node.child(name)); }

// The element order of ResultOfQualificationConfirmation in the layout (docs/reception-rules.md §11).
const std::vector<std::string> kQualificationOrder = {
    "InsuredCardClassification", "InsurerNumber", "InsuredCardSymbol", "InsuredIdentificationNumber", "InsuredBranchNumber",
    "PersonalFamilyClassification", "InsuredName", "Name", "NameOfOther", "NameKana", "NameOfOtherKana", "Sex1", "Sex2",
    "Birthdate", "Address", "PostNumber", "QualificationDate", "DisqualificationDate", "InsuredCertificateIssuanceDate",
    "InsuredCardValidDate", "InsuredCardExpirationDate", "InsuredPartialContributionRatio", "PreschoolClassification",
    "ReasonOfLoss", "InsurerName", "ElderlyRecipientCertificateInfo", "LimitApplicationCertificateRelatedConsFlg",
    "LimitApplicationCertificateRelatedConsTime", "LimitApplicationCertificateRelatedInfo",
    "SpecificDiseasesCertificateRelatedConsFlg", "SpecificDiseasesCertificateRelatedConsTime",
    "SpecificDiseasesCertificateList", "PublicExpenseResultList", "SpecificHealthCheckupsInfoConsFlg",
    "SpecificHealthCheckupsInfoConsTime", "SpecificHealthCheckupsInfoAvailableTime", "PharmacistsInfoConsFlg",
    "PharmacistsInfoConsTime", "PharmacistsInfoAvailableTime", "DiagnosisInfoConsFlg", "DiagnosisInfoConsTime",
    "DiagnosisInfoAvailableTime", "OperationInfoConsFlg", "OperationInfoConsTime", "OperationInfoAvailableTime"};

void check_layout_order(const pugi::xml_node& item) {
  std::size_t at = 0;
  for (const auto& child : item.children()) {
    const auto it = std::find(kQualificationOrder.begin() + static_cast<std::ptrdiff_t>(at), kQualificationOrder.end(), child.name());
    INFO("element " << child.name() << " out of the layout's order");
    REQUIRE(it != kQualificationOrder.end());
    at = static_cast<std::size_t>(it - kQualificationOrder.begin()) + 1;
  }
}

// What every file has, whatever the case.
void check_common(const ResultXml& x, Date today, const char* reference_classification, const std::string& id) {
  const auto header = x.header();
  CHECK(value(header, "ProcessExecutionTime").size() == 14);
  CHECK(value(header, "ProcessExecutionTime").substr(0, 8) == yyyymmdd(today));
  CHECK(value(header, "QualificationConfirmationDate") == yyyymmdd(today));
  CHECK(value(header, "MedicalInstitutionCode") == "1312345678");
  CHECK(value(header, "ArbitraryFileIdentifier") == id);
  CHECK(value(header, "ReferenceClassification") == reference_classification);
  CHECK(value(header, "SegmentOfResult") == "1");
  CHECK(value(header, "CharacterCodeIdentifier") == "0");
  CHECK_FALSE(has(header, "ErrorCode"));
  CHECK(x.file.filename().string() == "OQS_res_" + value(header, "ProcessExecutionTime") + "_" + id + ".xml");
}

// The four viewing consents: flag, and time with availability only when given.
void check_viewing_consents(const pugi::xml_node& item, const char* flag) {
  for (const char* prefix : {"SpecificHealthCheckupsInfo", "PharmacistsInfo", "DiagnosisInfo", "OperationInfo"}) {
    INFO(prefix);
    CHECK(value(item, (std::string(prefix) + "ConsFlg").c_str()) == flag);
    CHECK(has(item, (std::string(prefix) + "ConsTime").c_str()) == (std::string(flag) == "1"));
    CHECK(has(item, (std::string(prefix) + "AvailableTime").c_str()) == (std::string(flag) == "1"));
  }
}

// The share the kiosk shows for the first result of a confirmation.
int shown_tenths(const Confirmation& c) {
  const auto share = patient_copayment(c.result->body.results.at(0), *c.result->header.qualification_confirmation_date);
  return share ? share->tenths : 0;
}

}  // namespace

TEST_CASE("result files per case, field by field: adult, 72, 75+, 限度額, 該当資格なし, consent not given") {
  const Date today = hal::calendar::japan_date(std::chrono::system_clock::now());
  const auto [period_start, period_end] = period_of(today);
  const auto adult_card = test::test_card_profile(sim::card::CertificateCondition::Valid);
  const auto elder_card = test::test_card_profile(sim::card::CertificateCondition::ExpiringSoon);
  const auto kouki_card = test::test_card_profile(sim::card::CertificateCondition::ExpiredInGrace);
  const auto limit_card = test::smartphone_profile();

  const Date adult_birth{std::chrono::year{1980}, std::chrono::February, std::chrono::day{17}};
  const Date elder_birth = born_years_ago(today, 72);
  const Date kouki_birth = born_years_ago(today, 78);

  Json elder_q = qualification("elder-kokuho", "00138123", "サンプル市国民健康保険", "3001");
  elder_q["elderly"] = {{"ElderlyRecipientCertificateDate", yyyymmdd(Date{sys_days{period_start} - std::chrono::days{20}})},
                        {"ElderlyRecipientValidStartDate", yyyymmdd(period_start)},
                        {"ElderlyRecipientValidEndDate", yyyymmdd(period_end)},
                        {"ElderlyRecipientContributionRatio", "020"}};
  Json kouki_q = qualification("kouki", "39131008", "東京都後期高齢者医療広域連合", "4001");
  kouki_q["contribution_ratio"] = "010";
  Json limit_q = qualification("limit-kyokai", "01130012", "全国健康保険協会東京支部", "5001");
  limit_q["limit_application"] = {{"LimitApplicationCertificateClassification", "01"},
                                  {"LimitApplicationCertificateClassificationFlag", "A03"},
                                  {"LimitApplicationCertificateValidStartDate", yyyymmdd(period_start)},
                                  {"LimitApplicationCertificateValidEndDate", yyyymmdd(period_end)}};
  // An old 限度額 record that ended, on the adult: never answered as current.
  Json adult_q = qualification("adult-kyokai", "01130012", "全国健康保険協会東京支部", "1001");
  adult_q["limit_application"] = {{"LimitApplicationCertificateClassificationFlag", "A01"},
                                  {"LimitApplicationCertificateValidEndDate", yyyymmdd(Date{sys_days{period_start} - std::chrono::days{1}})}};

  World world({}, {person_with_card("adult", "成人　一子", adult_birth, adult_card, adult_q),
                   person_with_card("elder", "高齢　二郎", elder_birth, elder_card, elder_q),
                   person_with_card("kouki", "後期　三子", kouki_birth, kouki_card, kouki_q),
                   person_with_card("limit", "限度　四郎", adult_birth, limit_card, limit_q)});
  auto transport = world.transport();
  RealClock clock;
  EligibilityClient client(*transport, clock, quick_options());

  SECTION("a working-age adult: 3割 by age, no 後期高齢者 ratio, no expired 限度額, consent given") {
    CardAtReader card(adult_card);
    const Confirmation c = client.confirm_by_pin(card.certificate(), card.signer());
    const Confirmation consented = client.record_consent(c.confirmation_id, {true, PrescriptionIssue::Electronic});
    REQUIRE(consented.result);
    CHECK(shown_tenths(consented) == 3);
    const ResultXml x(*consented.result, "adult-0001");
    check_common(x, today, "1", "adult-0001");
    CHECK(value(x.body(), "ProcessingResultStatus") == "1");
    CHECK(value(x.body(), "QualificationValidity") == "1");
    CHECK(value(x.body(), "PrescriptionIssueSelect") == "1");
    REQUIRE(x.items() == 1);
    const auto q = x.item();
    check_layout_order(q);
    CHECK(value(q, "InsuredCardClassification") == "01");
    CHECK(value(q, "InsurerNumber") == "01130012");
    CHECK(value(q, "InsuredCardSymbol") == "12");
    CHECK(value(q, "InsuredIdentificationNumber") == "1001");
    CHECK(value(q, "InsuredBranchNumber") == "00");
    CHECK(value(q, "PersonalFamilyClassification") == "1");
    CHECK(value(q, "Name") == "成人　一子");
    CHECK(value(q, "NameKana") == "ﾃｽﾄ");
    CHECK(value(q, "Sex1") == "2");
    CHECK(value(q, "Birthdate") == "19800217");
    CHECK(value(q, "QualificationDate") == "20180401");
    CHECK(value(q, "InsurerName") == "全国健康保険協会東京支部");
    CHECK_FALSE(has(q, "InsuredPartialContributionRatio"));  // the 後期高齢者 field
    CHECK_FALSE(has(q, "ElderlyRecipientCertificateInfo"));
    CHECK_FALSE(has(q, "DisqualificationDate"));
    CHECK(value(q, "LimitApplicationCertificateRelatedConsFlg") == "1");
    CHECK_FALSE(has(q, "LimitApplicationCertificateRelatedInfo"));  // ended before today
    check_viewing_consents(q, "1");
  }

  SECTION("72 years old in 国保: the 高齢受給者証 carries 2割, InsuredPartialContributionRatio stays empty") {
    CardAtReader card(elder_card);
    const Confirmation c = client.confirm_by_pin(card.certificate(), card.signer());
    REQUIRE(c.result);
    REQUIRE(c.card_certificate);
    CHECK(c.card_certificate->state == CardCertificateState::ExpiringSoon);
    const Confirmation consented = client.record_consent(c.confirmation_id, {true, PrescriptionIssue::Paper});
    CHECK(shown_tenths(consented) == 2);
    const ResultXml x(*consented.result, "elder-0001");
    check_common(x, today, "1", "elder-0001");
    CHECK(value(x.body(), "PrescriptionIssueSelect") == "2");
    CHECK(value(x.body(), "ProcessingResultCode") == "W1001");  // the certificate expires within 3 months
    const auto q = x.item();
    check_layout_order(q);
    CHECK(value(q, "InsurerNumber") == "00138123");
    CHECK(value(q, "Birthdate") == yyyymmdd(elder_birth));
    CHECK_FALSE(has(q, "InsuredPartialContributionRatio"));
    const auto elderly = q.child("ElderlyRecipientCertificateInfo");
    REQUIRE(elderly);
    CHECK(value(elderly, "ElderlyRecipientContributionRatio") == "020");
    CHECK(value(elderly, "ElderlyRecipientValidStartDate") == yyyymmdd(period_start));
    CHECK(value(elderly, "ElderlyRecipientValidEndDate") == yyyymmdd(period_end));
    CHECK(has(elderly, "ElderlyRecipientCertificateDate"));
    check_viewing_consents(q, "1");
  }

  SECTION("78 years old in 後期高齢者医療: 1割 in InsuredPartialContributionRatio, no 高齢受給者証") {
    CardAtReader card(kouki_card);
    const Confirmation c = client.confirm_by_pin(card.certificate(), card.signer());
    REQUIRE(c.result);
    REQUIRE(c.card_certificate);
    CHECK(c.card_certificate->state == CardCertificateState::ExpiredInGrace);
    REQUIRE(c.card_certificate->usable_until);
    const Confirmation consented = client.record_consent(c.confirmation_id, {true, PrescriptionIssue::Electronic});
    CHECK(shown_tenths(consented) == 1);
    const ResultXml x(*consented.result, "kouki-0001");
    check_common(x, today, "1", "kouki-0001");
    CHECK(value(x.body(), "ProcessingResultCode") == "W1002");  // expired, usable in the grace period
    CHECK_THAT(value(x.body(), "ProcessingResultMessage"), Catch::Contains("まで"));
    const auto q = x.item();
    check_layout_order(q);
    CHECK(value(q, "InsurerNumber") == "39131008");
    CHECK(value(q, "InsuredPartialContributionRatio") == "010");
    CHECK_FALSE(has(q, "ElderlyRecipientCertificateInfo"));
    CHECK(value(q, "InsurerName") == "東京都後期高齢者医療広域連合");
  }

  SECTION("a 限度額 区分 of this period: LimitApplicationCertificateRelatedInfo with its flag and dates") {
    CardAtReader card(limit_card);
    const Confirmation c = client.confirm_by_pin(card.certificate(), card.signer());
    const Confirmation consented = client.record_consent(c.confirmation_id, {true, PrescriptionIssue::Electronic});
    REQUIRE(consented.result);
    CHECK(shown_tenths(consented) == 3);
    const ResultXml x(*consented.result, "limit-0001");
    check_common(x, today, "1", "limit-0001");
    const auto q = x.item();
    check_layout_order(q);
    CHECK(value(q, "LimitApplicationCertificateRelatedConsFlg") == "1");
    CHECK(value(q, "LimitApplicationCertificateRelatedConsTime").size() == 14);
    const auto limit = q.child("LimitApplicationCertificateRelatedInfo");
    REQUIRE(limit);
    CHECK(value(limit, "LimitApplicationCertificateClassification") == "01");
    CHECK(value(limit, "LimitApplicationCertificateClassificationFlag") == "A03");
    CHECK(value(limit, "LimitApplicationCertificateValidStartDate") == yyyymmdd(period_start));
    CHECK(value(limit, "LimitApplicationCertificateValidEndDate") == yyyymmdd(period_end));
    CHECK_FALSE(has(q, "InsuredPartialContributionRatio"));
  }

  SECTION("該当資格なし on the number path: validity 4, no result list, the search echoed") {
    NumberLookup l;
    l.document = PresentedDocument::EligibilityCertificate;
    l.insurer_number = "01130012";
    l.insured_card_symbol = "12";
    l.insured_identification_number = "9999";
    l.insured_branch_number = "00";
    l.birthdate = adult_birth;
    const Confirmation none = client.lookup(l);
    REQUIRE(none.result);
    const ResultXml x(*none.result, "none-0001");
    check_common(x, today, "2", "none-0001");
    CHECK(value(x.body(), "ProcessingResultStatus") == "1");
    CHECK(value(x.body(), "QualificationValidity") == "4");
    CHECK(value(x.body(), "ProcessingResultCode") == "I3004");
    CHECK_FALSE(value(x.body(), "ProcessingResultMessage").empty());
    CHECK(x.items() == 0);
    const auto search = x.body().child("QualificationConfirmSearchInfo");
    REQUIRE(search);
    CHECK(value(search, "InsurerNumber") == "01130012");
    CHECK(value(search, "InsuredIdentificationNumber") == "9999");
    CHECK(value(search, "Birthdate") == "19800217");
    CHECK(value(search, "LimitApplicationCertificateRelatedConsFlg") == "0");
    CHECK_FALSE(has(x.body(), "PrescriptionIssueSelect"));
  }

  SECTION("consent not given: the result the kiosk writes on cancel, and a declined consent") {
    CardAtReader card(adult_card);
    const Confirmation c = client.confirm_by_pin(card.certificate(), card.signer());
    REQUIRE(c.result);
    // Cancel on the consent screen: the confirmation's own result, as the reception machine writes it.
    const ResultXml cancelled(*c.result, "cancel-0001");
    check_common(cancelled, today, "1", "cancel-0001");
    CHECK(value(cancelled.body(), "QualificationValidity") == "1");
    CHECK_FALSE(has(cancelled.body(), "PrescriptionIssueSelect"));
    check_layout_order(cancelled.item());
    check_viewing_consents(cancelled.item(), "0");
    // 限度額 information is part of the confirmation since 2024-10-07, consent or not.
    CHECK(value(cancelled.item(), "LimitApplicationCertificateRelatedConsFlg") == "1");

    // "No" on the consent screen, paper prescription: recorded by the service, flags 0.
    const Confirmation declined = client.record_consent(c.confirmation_id, {false, PrescriptionIssue::Paper});
    REQUIRE(declined.result);
    const ResultXml x(*declined.result, "declined-0001");
    check_common(x, today, "1", "declined-0001");
    CHECK(value(x.body(), "PrescriptionIssueSelect") == "2");
    check_viewing_consents(x.item(), "0");
  }
}
