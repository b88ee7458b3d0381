// The simulated service's rules, at the boundary dates of each.
#include <catch2/catch.hpp>

#include "hal/calendar.hpp"
#include "hal/calendar_months.hpp"
#include "sim/eligibility/rules.hpp"

using namespace kiosk::sim::eligibility;
using std::chrono::sys_days;

namespace {

Date d(const char* iso) { return *kiosk::hal::calendar::parse_iso_date(iso); }

// 09:00 in Japan on that date.
TimePoint jst(const char* iso, int hour = 9) { return sys_days{d(iso)} + std::chrono::hours{hour - 9}; }

QualificationRecord qualification(std::int64_t id, const char* since, const char* filed) {
  QualificationRecord q;
  q.id = id;
  q.person_id = 1;
  q.key = "q" + std::to_string(id);
  q.insurer_number = "01130012";
  q.symbol = "12345678";
  q.number = "1001";
  q.branch = "00";
  q.qualification_date = d(since);
  q.filed_on = d(filed);
  return q;
}

QualificationRecord lost(QualificationRecord q, const char* on, const char* filed, const char* reason = "03") {
  q.disqualification_date = d(on);
  q.loss_filed_on = d(filed);
  q.reason_of_loss = reason;
  return q;
}

Candidate person_with(std::vector<QualificationRecord> qualifications, const char* birth = "1980-02-17", std::int64_t id = 1) {
  Candidate c;
  c.person.id = id;
  c.person.key = "p" + std::to_string(id);
  c.person.birth_date = d(birth);
  for (auto& q : qualifications) q.person_id = id;
  c.qualifications = std::move(qualifications);
  return c;
}

NumberQuery query(Document doc, const char* number = "1001", std::optional<std::string> branch = std::string("00")) {
  NumberQuery q;
  q.document = doc;
  q.insurer_number = "01130012";
  q.symbol = "12345678";
  q.number = number;
  q.branch = std::move(branch);
  q.birth_date = d("1980-02-17");
  return q;
}

}  // namespace

TEST_CASE("card path: 有効 when one qualification is active") {
  const auto e = evaluate_card_path({qualification(1, "2020-04-01", "2020-03-25")}, d("2025-12-02"));
  REQUIRE(e.validity == Validity::Valid);
  REQUIRE(e.shown.size() == 1);
  CHECK(e.shown[0].id == 1);
  CHECK(e.code.empty());
  CHECK_FALSE(e.refused);
}

TEST_CASE("card path: the 5-business-day data-registration lag") {
  // Filed Monday 2025-11-17; 11/24 is a substitute holiday: visible from Tuesday 11/25.
  const auto q = qualification(1, "2025-11-17", "2025-11-17");
  CHECK(visible_from(q.filed_on) == d("2025-11-25"));
  CHECK_FALSE(acquisition_visible(q, d("2025-11-21")));
  CHECK_FALSE(acquisition_visible(q, d("2025-11-24")));
  CHECK(acquisition_visible(q, d("2025-11-25")));

  const auto before = evaluate_card_path({q}, d("2025-11-24"));
  CHECK(before.validity == Validity::NoQualification);
  CHECK(before.code == result_codes::kNoQualification);
  REQUIRE(before.notes.size() == 1);
  CHECK_THAT(before.notes[0], Catch::Contains("not visible before 2025-11-25"));

  const auto on = evaluate_card_path({q}, d("2025-11-25"));
  CHECK(on.validity == Validity::Valid);

  // A filing long ago is visible whatever the calendar says.
  CHECK(acquisition_visible(qualification(2, "2001-01-01", "2001-01-01"), d("2025-11-25")));
}

TEST_CASE("card path: job change inside the lag shows the old qualification as lost (無効)") {
  // Left the old insurer on 2025-11-01 (loss known), new qualification filed 2025-11-20.
  const auto old_q = lost(qualification(1, "2015-04-01", "2015-03-30"), "2025-11-01", "2025-11-04");
  const auto new_q = qualification(2, "2025-11-01", "2025-11-20");
  const auto during = evaluate_card_path({old_q, new_q}, d("2025-11-26"));
  CHECK(during.validity == Validity::Invalid);
  REQUIRE(during.shown.size() == 1);
  CHECK(during.shown[0].id == 1);
  CHECK(during.code == result_codes::kInvalid);
  CHECK_THAT(during.message, Catch::Contains("2025年11月1日"));

  // Filed Thursday 11/20: Fri 21, (Mon 24 holiday) Tue 25, Wed 26, Thu 27, Fri 28 -> visible 11/28.
  CHECK(evaluate_card_path({old_q, new_q}, d("2025-11-27")).validity == Validity::Invalid);
  const auto after = evaluate_card_path({old_q, new_q}, d("2025-11-28"));
  CHECK(after.validity == Validity::Valid);
  CHECK(after.shown.at(0).id == 2);
}

TEST_CASE("card path: a loss filed within the lag is not known yet") {
  const auto q = lost(qualification(1, "2015-04-01", "2015-03-30"), "2025-11-01", "2025-11-20");
  CHECK(evaluate_card_path({q}, d("2025-11-27")).validity == Validity::Valid);
  CHECK(evaluate_card_path({q}, d("2025-11-28")).validity == Validity::Invalid);
}

TEST_CASE("card path: the disqualification date is the first day without qualification") {
  const auto q = lost(qualification(1, "2015-04-01", "2015-03-30"), "2025-06-01", "2025-05-01");
  CHECK(evaluate_card_path({q}, d("2025-05-31")).validity == Validity::Valid);
  const auto e = evaluate_card_path({q}, d("2025-06-01"));
  CHECK(e.validity == Validity::Invalid);
  CHECK(e.shown.at(0).reason_of_loss == "03");
}

TEST_CASE("card path: 複数該当 and 該当資格なし") {
  const auto two = evaluate_card_path({qualification(1, "2020-01-01", "2020-01-01"), qualification(2, "2021-01-01", "2021-01-01")},
                                      d("2025-12-02"));
  CHECK(two.validity == Validity::Multiple);
  CHECK(two.shown.size() == 2);
  CHECK(two.code == result_codes::kMultiple);

  const auto none = evaluate_card_path({}, d("2025-12-02"));
  CHECK(none.validity == Validity::NoQualification);
  CHECK(none.shown.empty());

  // Starts in the future: not active yet.
  CHECK(evaluate_card_path({qualification(1, "2026-01-01", "2025-11-01")}, d("2025-12-31")).validity ==
        Validity::NoQualification);
  CHECK(evaluate_card_path({qualification(1, "2026-01-01", "2025-11-01")}, d("2026-01-01")).validity == Validity::Valid);
}

TEST_CASE("number path: 資格情報のお知らせ alone is never a qualification") {
  const auto e = evaluate_number_path(query(Document::QualificationNotice), {person_with({qualification(1, "2020-01-01", "2020-01-01")})},
                                      d("2025-06-01"));
  CHECK(e.refused);
  CHECK_FALSE(e.validity);
  CHECK(e.code == result_codes::kNoticeAlone);
  CHECK(e.shown.empty());
}

TEST_CASE("number path: old 健康保険証 usable until 2025-12-01, refused from 2025-12-02") {
  const std::vector<Candidate> people{person_with({qualification(1, "2020-01-01", "2020-01-01")})};
  const auto last_day = evaluate_number_path(query(Document::HealthInsuranceCard), people, d("2025-12-01"));
  CHECK_FALSE(last_day.refused);
  CHECK(last_day.validity == Validity::Valid);
  const auto cut_off = evaluate_number_path(query(Document::HealthInsuranceCard), people, d("2025-12-02"));
  CHECK(cut_off.refused);
  CHECK(cut_off.code == result_codes::kOldCardAbolished);
  CHECK_THAT(cut_off.message, Catch::Contains("2025年12月1日"));
  // The same numbers on a 資格確認書 are fine on that day.
  CHECK(evaluate_number_path(query(Document::EligibilityCertificate), people, d("2025-12-02")).validity == Validity::Valid);
}

TEST_CASE("number path: 資格確認書 refused after its validity") {
  auto q = qualification(1, "2024-12-02", "2024-12-02");
  q.eligibility_certificates = {{d("2024-12-02"), d("2025-07-31")}};
  const std::vector<Candidate> people{person_with({q})};
  CHECK(evaluate_number_path(query(Document::EligibilityCertificate), people, d("2025-07-31")).validity == Validity::Valid);
  const auto expired = evaluate_number_path(query(Document::EligibilityCertificate), people, d("2025-08-01"));
  CHECK(expired.refused);
  CHECK(expired.code == result_codes::kEligibilityCertificateExpired);
  CHECK_THAT(expired.message, Catch::Contains("2025年7月31日"));

  // A renewed certificate counts: the latest validity decides.
  q.eligibility_certificates.push_back({d("2025-07-15"), d("2029-03-31")});
  CHECK(evaluate_number_path(query(Document::EligibilityCertificate), {person_with({q})}, d("2025-08-01")).validity ==
        Validity::Valid);
}

TEST_CASE("number path: birth date must match, 該当資格なし otherwise") {
  const std::vector<Candidate> people{person_with({qualification(1, "2020-01-01", "2020-01-01")}, "1980-02-18")};
  const auto e = evaluate_number_path(query(Document::EligibilityCertificate), people, d("2025-06-01"));
  CHECK(e.validity == Validity::NoQualification);
  CHECK(e.shown.empty());
}

TEST_CASE("number path: 複数該当 without the branch number, one match with it") {
  auto a = qualification(1, "2019-03-03", "2019-03-03");
  a.branch = "01";
  auto b = qualification(2, "2019-03-03", "2019-03-03");
  b.branch = "02";
  const std::vector<Candidate> twins{person_with({a}, "1980-02-17", 1), person_with({b}, "1980-02-17", 2)};
  const auto no_branch = evaluate_number_path(query(Document::EligibilityCertificate, "1001", std::nullopt), twins, d("2025-06-01"));
  CHECK(no_branch.validity == Validity::Multiple);
  CHECK(no_branch.code == result_codes::kMultiple);
  const auto with_branch = evaluate_number_path(query(Document::EligibilityCertificate, "1001", "02"), twins, d("2025-06-01"));
  CHECK(with_branch.validity == Validity::Valid);
  CHECK(with_branch.shown.at(0).id == 2);
}

TEST_CASE("number path: 無効（新しい資格あり） and 無効") {
  const auto old_q = lost(qualification(1, "2015-04-01", "2015-04-01"), "2025-04-01", "2025-04-03");
  auto new_q = qualification(2, "2025-04-01", "2025-04-04");
  new_q.insurer_number = "06271234";
  new_q.number = "456";
  const auto newer = evaluate_number_path(query(Document::EligibilityCertificate), {person_with({old_q, new_q})}, d("2025-06-01"));
  CHECK(newer.validity == Validity::InvalidNewer);
  CHECK(newer.code == result_codes::kInvalidNewer);
  REQUIRE(newer.shown.size() == 1);
  CHECK(newer.shown[0].id == 1);

  // While the new qualification is still inside the lag, the old one is plainly 無効.
  const auto lagging = evaluate_number_path(query(Document::EligibilityCertificate), {person_with({old_q, new_q})}, d("2025-04-10"));
  CHECK(lagging.validity == Validity::Invalid);

  const auto alone = evaluate_number_path(query(Document::EligibilityCertificate), {person_with({old_q})}, d("2025-06-01"));
  CHECK(alone.validity == Validity::Invalid);
  CHECK(alone.code == result_codes::kInvalid);
}

TEST_CASE("certificate dates: warning 3 months before, grace 3 months after (Japan time)") {
  // notAfter 2026-03-31 14:59:59Z = 23:59:59 on 3/31 in Japan.
  const TimePoint not_before = jst("2021-04-01");
  const TimePoint not_after = sys_days{d("2026-03-31")} + std::chrono::hours{14} + std::chrono::minutes{59} + std::chrono::seconds{59};

  auto judge = [&](TimePoint now) { return judge_certificate_dates(not_before, not_after, now); };
  CHECK(judge(jst("2025-12-30")).judgement == CertificateJudgement::Valid);
  CHECK(judge(jst("2025-12-31")).judgement == CertificateJudgement::ExpiringSoon);
  CHECK(judge(jst("2026-03-31", 23)).judgement == CertificateJudgement::ExpiringSoon);
  const auto grace = judge(jst("2026-04-01"));
  CHECK(grace.judgement == CertificateJudgement::ExpiredInGrace);
  CHECK(grace.not_after == d("2026-03-31"));
  CHECK(grace.usable_until == d("2026-06-30"));
  CHECK(judge(jst("2026-06-30", 23)).judgement == CertificateJudgement::ExpiredInGrace);
  CHECK(judge(jst("2026-07-01")).judgement == CertificateJudgement::Expired);
  CHECK(judge(jst("2021-03-31")).judgement == CertificateJudgement::NotYetValid);
}

TEST_CASE("the service counts the certificate's months with the kiosk's add_months (end of month, leap day)") {
  using kiosk::hal::calendar::add_months;
  CHECK(add_months(d("2025-11-30"), 3) == d("2026-02-28"));
  CHECK(add_months(d("2027-11-30"), 3) == d("2028-02-29"));
  CHECK(add_months(d("2025-01-31"), 1) == d("2025-02-28"));
  CHECK(add_months(d("2025-12-15"), 3) == d("2026-03-15"));
  CHECK(add_months(d("2026-05-31"), -3) == d("2026-02-28"));
  // notAfter on 2025-11-30 in Japan: usable through 2026-02-28, warned from 2025-08-30.
  const TimePoint not_before = jst("2020-12-01");
  const TimePoint not_after = sys_days{d("2025-11-30")} + std::chrono::hours{14} + std::chrono::minutes{59};
  auto judge = [&](TimePoint now) { return judge_certificate_dates(not_before, not_after, now); };
  CHECK(judge(jst("2026-02-28", 23)).judgement == CertificateJudgement::ExpiredInGrace);
  CHECK(judge(jst("2026-02-28")).usable_until == d("2026-02-28"));
  CHECK(judge(jst("2026-03-01")).judgement == CertificateJudgement::Expired);
  CHECK(judge(jst("2025-08-29")).judgement == CertificateJudgement::Valid);
  CHECK(judge(jst("2025-08-30")).judgement == CertificateJudgement::ExpiringSoon);
}
