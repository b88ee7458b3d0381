// The XML result file for the reception system: OQS layout, element names, atomic writing.
#include <catch2/catch.hpp>

#include <pugixml.hpp>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "core/eligibility/result_file.hpp"
#include "core/eligibility/wire_format.hpp"
#include "hal/calendar.hpp"
#include "tests/support/test_cards.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
namespace fs = std::filesystem;

namespace {

Date d(const char* iso) { return *hal::calendar::parse_iso_date(iso); }

OqsResult sample_result() {
  OqsResult r;
  r.header.process_execution_time = parse_utc("2025-12-02T00:30:15Z");
  r.header.qualification_confirmation_date = d("2025-12-02");
  r.header.medical_institution_code = "1312345678";
  r.header.arbitrary_file_identifier = "R0001";
  r.header.reference_classification = ReferenceClassification::MyNumberCard;
  r.body.prescription_issue_select = PrescriptionIssue::Paper;
  r.body.processing_result_status = ProcessingResultStatus::Normal;
  r.body.qualification_validity = QualificationValidity::Valid;
  Qualification q;
  q.insured_card_classification = "01";
  q.insurer_number = "01130012";
  q.insured_card_symbol = "１２３";
  q.insured_identification_number = "1001";
  q.insured_branch_number = "00";
  q.personal_family = PersonalFamily::Insured;
  q.name = "番号　太郎";
  q.name_kana = "ﾊﾞﾝｺﾞｳ ﾀﾛｳ";
  q.sex1 = Sex::Male;
  q.birthdate = d("1980-02-17");
  q.qualification_date = d("2020-04-01");
  q.insured_partial_contribution_ratio = "030";
  q.insurer_name = "全国健康保険協会東京支部";
  q.limit_application_consent = {ConsentFlag::Given, parse_utc("2025-12-02T00:30:15Z"), std::nullopt};
  q.limit_application = LimitApplicationCertificate{"01", "A03", std::nullopt, d("2025-08-01"), d("2026-07-31"), std::nullopt};
  q.specific_diseases = {SpecificDiseaseCertificate{"1", std::nullopt, d("2025-01-01"), d("2026-03-31"), "10000"}};
  q.pharmacists = {ConsentFlag::Given, parse_utc("2025-12-02T00:30:15Z"), parse_utc("2025-12-03T00:30:15Z")};
  r.body.results = {q};
  return r;
}

std::vector<std::string> child_names(const pugi::xml_node& node) {
  std::vector<std::string> out;
  for (const auto& c : node.children()) out.emplace_back(c.name());
  return out;
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  return out;
}

}  // namespace

TEST_CASE("the XML follows the OQS layout with the element names of docs/reception-rules.md §11") {
  const std::string xml = render_result_xml(sample_result());
  CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"", 0) == 0);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(xml.c_str()));
  const pugi::xml_node msg = doc.child("XmlMsg");
  REQUIRE(msg);
  CHECK(child_names(msg) == std::vector<std::string>{"MessageHeader", "MessageBody"});
  CHECK(child_names(msg.child("MessageHeader")) ==
        std::vector<std::string>{"ProcessExecutionTime", "QualificationConfirmationDate", "MedicalInstitutionCode",
                                 "ArbitraryFileIdentifier", "ReferenceClassification", "SegmentOfResult",
                                 "CharacterCodeIdentifier"});
  CHECK(std::string(msg.child("MessageHeader").child_value("ProcessExecutionTime")) == "20251202093015");
  CHECK(std::string(msg.child("MessageHeader").child_value("CharacterCodeIdentifier")) == "0");

  const pugi::xml_node body = msg.child("MessageBody");
  CHECK(child_names(body) == std::vector<std::string>{"PrescriptionIssueSelect", "ProcessingResultStatus",
                                                      "QualificationValidity", "ResultList"});
  CHECK(std::string(body.child_value("PrescriptionIssueSelect")) == "2");
  const pugi::xml_node q = body.child("ResultList").child("ResultOfQualificationConfirmation");
  REQUIRE(q);
  CHECK(child_names(q) ==
        std::vector<std::string>{"InsuredCardClassification",
                                 "InsurerNumber",
                                 "InsuredCardSymbol",
                                 "InsuredIdentificationNumber",
                                 "InsuredBranchNumber",
                                 "PersonalFamilyClassification",
                                 "Name",
                                 "NameKana",
                                 "Sex1",
                                 "Birthdate",
                                 "QualificationDate",
                                 "InsuredPartialContributionRatio",
                                 "InsurerName",
                                 "LimitApplicationCertificateRelatedConsFlg",
                                 "LimitApplicationCertificateRelatedConsTime",
                                 "LimitApplicationCertificateRelatedInfo",
                                 "SpecificDiseasesCertificateRelatedConsFlg",
                                 "SpecificDiseasesCertificateList",
                                 "SpecificHealthCheckupsInfoConsFlg",
                                 "PharmacistsInfoConsFlg",
                                 "PharmacistsInfoConsTime",
                                 "PharmacistsInfoAvailableTime",
                                 "DiagnosisInfoConsFlg",
                                 "OperationInfoConsFlg"});
  CHECK(std::string(q.child_value("Name")) == "番号　太郎");
  CHECK(std::string(q.child_value("InsuredCardSymbol")) == "１２３");
  CHECK(std::string(q.child_value("PharmacistsInfoAvailableTime")) == "20251203093015");
  CHECK(std::string(q.child("LimitApplicationCertificateRelatedInfo").child_value("LimitApplicationCertificateClassificationFlag")) ==
        "A03");
  CHECK(std::string(q.child("SpecificDiseasesCertificateList")
                        .child("SpecificDiseasesCertificateInfo")
                        .child_value("SpecificDiseasesDiseaseCategory")) == "1");
}

TEST_CASE("a refused number-path result keeps the search info and the message") {
  OqsResult r;
  r.header.medical_institution_code = "1312345678";
  r.header.reference_classification = ReferenceClassification::InsuranceNumbers;
  r.body.search_info = SearchInfo{"06139999", "10", "2002", "00", d("1975-11-30"), ConsentFlag::NotGiven};
  r.body.processing_result_status = ProcessingResultStatus::Error;
  r.body.processing_result_code = "E2002";
  r.body.processing_result_message = "資格確認書の有効期限（2025年7月31日）が過ぎています。";
  pugi::xml_document doc;
  REQUIRE(doc.load_string(render_result_xml(r).c_str()));
  const pugi::xml_node body = doc.child("XmlMsg").child("MessageBody");
  CHECK(child_names(body) == std::vector<std::string>{"QualificationConfirmSearchInfo", "ProcessingResultStatus",
                                                      "ProcessingResultCode", "ProcessingResultMessage"});
  CHECK(std::string(body.child("QualificationConfirmSearchInfo").child_value("Birthdate")) == "19751130");
  CHECK(std::string(body.child("QualificationConfirmSearchInfo").child_value("LimitApplicationCertificateRelatedConsFlg")) == "0");
  CHECK(std::string(body.child_value("ProcessingResultStatus")) == "2");
  CHECK(std::string(body.child_value("ProcessingResultMessage")) == "資格確認書の有効期限（2025年7月31日）が過ぎています。");
}

TEST_CASE("result files are written atomically into the outbox and never replace a file") {
  test::TempDir outbox;
  const ResultFileWriter writer(outbox.path());
  const fs::path written = writer.write(sample_result());
  CHECK(written.parent_path() == outbox.path());
  CHECK(written.filename() == "OQS_res_20251202093015_R0001.xml");
  CHECK(files_in(outbox.path()) == std::vector<fs::path>{written});  // no temporary file left behind
  pugi::xml_document doc;
  REQUIRE(doc.load_file(written.c_str()));
  CHECK(std::string(doc.child("XmlMsg").child("MessageHeader").child_value("ArbitraryFileIdentifier")) == "R0001");

  std::ifstream in(written, std::ios::binary);
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(content == render_result_xml(sample_result()));

  // The same identifier again: refused, the first file intact, nothing else left behind.
  CHECK_THROWS_AS(writer.write(sample_result()), ResultFileError);
  CHECK(files_in(outbox.path()) == std::vector<fs::path>{written});

  OqsResult anonymous = sample_result();
  anonymous.header.arbitrary_file_identifier.clear();
  const fs::path second = writer.write(anonymous);
  CHECK(second != written);
  CHECK(files_in(outbox.path()).size() == 2);

  OqsResult bad = sample_result();
  bad.header.arbitrary_file_identifier = "../escape";
  CHECK_THROWS_WITH(writer.write(bad), Catch::Contains("ArbitraryFileIdentifier"));
  CHECK(files_in(outbox.path()).size() == 2);
}

TEST_CASE("a missing or unwritable outbox is an error, not a new folder") {
  test::TempDir base;
  CHECK_THROWS_WITH(ResultFileWriter(base.path() / "not-mounted").write(sample_result()), Catch::Contains("is not a folder"));
  CHECK_FALSE(fs::exists(base.path() / "not-mounted"));
  if (::geteuid() != 0) {  // root writes anywhere
    fs::permissions(base.path(), fs::perms::owner_read | fs::perms::owner_exec);
    CHECK_THROWS_AS(ResultFileWriter(base.path()).write(sample_result()), ResultFileError);
    fs::permissions(base.path(), fs::perms::owner_all);
  }
}
