// The 資格確認書 form's entries: checked and normalised before the lookup, so that a typo says
// which entry is wrong instead of 該当資格なし.
#include <catch2/catch.hpp>

#include "core/eligibility/number_entry.hpp"

using namespace kiosk::core::eligibility;

namespace {

NumberEntry hanako() {
  NumberEntry e;
  e.insurer_number = "06139992";
  e.symbol = "10";
  e.number = "2001";
  e.branch = "00";
  e.birthdate = "19900505";
  return e;
}

std::string problem_of(const NumberEntry& e) {
  const auto r = check_number_entry(e);
  const auto* p = std::get_if<EntryProblem>(&r);
  return p ? p->entry : "none";
}

}  // namespace

TEST_CASE("insurer numbers carry the check digit of 保険者番号設定要領") {
  // Published numbers: 協会けんぽ 東京 and 大阪, 東京都後期高齢者医療広域連合, 千葉県警察共済 (the example
  // of the rule's explanation), and a 国保 number padded to 8 digits.
  CHECK(insurer_check_digit("0113001") == 2);
  CHECK(insurer_check_digit("0127001") == 6);
  CHECK(insurer_check_digit("3913100") == 8);
  CHECK(insurer_check_digit("3312001") == 5);
  CHECK(insurer_check_digit("0013812") == 3);
  CHECK(insurer_check_digit("0613999") == 2);
  CHECK_FALSE(insurer_check_digit("061399"));
  CHECK_FALSE(insurer_check_digit("06139a9"));
}

TEST_CASE("a correct entry becomes the lookup: 国保 numbers padded, branch 1 digit padded, grouping dropped") {
  NumberEntry e = hanako();
  e.limit_application_consent = true;
  auto r = check_number_entry(e);
  const auto* l = std::get_if<NumberLookup>(&r);
  REQUIRE(l);
  CHECK(l->document == PresentedDocument::EligibilityCertificate);
  CHECK(l->insurer_number == "06139992");
  CHECK(l->insured_card_symbol == "10");
  CHECK(l->insured_identification_number == "2001");
  CHECK(l->insured_branch_number == "00");
  CHECK(l->birthdate == Date{std::chrono::year{1990}, std::chrono::May, std::chrono::day{5}});
  CHECK(l->limit_application_consent);

  NumberEntry kokuho = hanako();
  kokuho.document = PresentedDocument::HealthInsuranceCard;
  kokuho.insurer_number = "138 123";
  kokuho.symbol = " ｻﾝﾌﾟﾙ ";
  kokuho.number = "30-03";
  kokuho.branch = "1";
  kokuho.birthdate = "1954-01-15";
  r = check_number_entry(kokuho);
  l = std::get_if<NumberLookup>(&r);
  REQUIRE(l);
  CHECK(l->document == PresentedDocument::HealthInsuranceCard);
  CHECK(l->insurer_number == "00138123");
  CHECK(l->insured_card_symbol == "ｻﾝﾌﾟﾙ");
  CHECK(l->insured_identification_number == "3003");
  CHECK(l->insured_branch_number == "01");
  CHECK(l->birthdate == Date{std::chrono::year{1954}, std::chrono::January, std::chrono::day{15}});

  NumberEntry no_branch = hanako();
  no_branch.branch.clear();
  r = check_number_entry(no_branch);
  REQUIRE(std::get_if<NumberLookup>(&r));
  CHECK_FALSE(std::get<NumberLookup>(r).insured_branch_number);
}

TEST_CASE("full-width digits and letters are read as ASCII (what a Japanese input method types)") {
  CHECK(narrow_ascii("０６１３９９９２") == "06139992");
  CHECK(narrow_ascii("ＡＢ１") == "AB1");
  CHECK(narrow_ascii("記号\u3000１０") == "記号 10");
  NumberEntry e = hanako();
  e.insurer_number = "０６１３９９９２";
  e.birthdate = "１９９０－０５－０５";
  const auto r = check_number_entry(e);
  REQUIRE(std::get_if<NumberLookup>(&r));
  CHECK(std::get<NumberLookup>(r).insurer_number == "06139992");
}

TEST_CASE("each wrong entry is named, never with its value") {
  NumberEntry e = hanako();
  e.insurer_number = "0613999";
  CHECK(problem_of(e) == "insurer_number");
  e.insurer_number = "06139999";  // one digit off: the check digit catches it
  CHECK(problem_of(e) == "insurer_check_digit");
  const auto r = check_number_entry(e);
  CHECK(std::get<EntryProblem>(r).detail.find("06139999") == std::string::npos);

  e = hanako();
  e.number.clear();
  CHECK(problem_of(e) == "number");
  e.number = std::string(21, '1');
  CHECK(problem_of(e) == "number");
  e.number = "20\n01";
  CHECK(problem_of(e) == "number");

  e = hanako();
  e.symbol = std::string(21, 'A');
  CHECK(problem_of(e) == "symbol");
  e.symbol = "\xff\xfe";
  CHECK(problem_of(e) == "symbol");

  e = hanako();
  e.branch = "001";
  CHECK(problem_of(e) == "branch");
  e.branch = "a";
  CHECK(problem_of(e) == "branch");

  e = hanako();
  for (const char* bad : {"", "1990055", "19900230", "18991231", "平成2年5月5日", "19900505x"}) {
    INFO(bad);
    e.birthdate = bad;
    CHECK(problem_of(e) == "birthdate");
  }
}
