// The patient's share (3割 / 2割 / 1割) from the record that holds it for the age and insurance.
#include <catch2/catch.hpp>

#include "core/eligibility/copayment.hpp"
#include "hal/calendar.hpp"

using namespace kiosk::core::eligibility;

namespace {

Date d(const char* iso) { return *kiosk::hal::calendar::parse_iso_date(iso); }

Qualification insured(const char* birth, const char* insurer = "01130012") {
  Qualification q;
  q.insured_card_classification = "01";
  q.insurer_number = insurer;
  q.birthdate = d(birth);
  return q;
}

ElderlyRecipientCertificate elderly(const char* ratio, const char* from, const char* to) {
  ElderlyRecipientCertificate e;
  e.contribution_ratio = ratio;
  e.valid_start = d(from);
  e.valid_end = d(to);
  return e;
}

int tenths(const Qualification& q, const char* today) {
  const auto c = patient_copayment(q, d(today));
  return c ? c->tenths : 0;
}

}  // namespace

TEST_CASE("copayment: a working-age adult pays 3割 whatever InsuredPartialContributionRatio says") {
  Qualification q = insured("1980-02-17");
  const auto c = patient_copayment(q, d("2026-12-06"));
  REQUIRE(c);
  CHECK(c->tenths == 3);
  CHECK(c->source == CopaymentSource::ByAge);
  CHECK(c->ratio_code() == "030");
  // The 後期高齢者 field, wrongly filled for a 46-year-old, is not read outside 後期高齢者医療.
  q.insured_partial_contribution_ratio = "010";
  CHECK(tenths(q, "2026-12-06") == 3);
}

TEST_CASE("copayment: 72 years old with a valid 高齢受給者証 pays its ratio (2割), not 3割") {
  Qualification q = insured("1954-05-10");
  q.insured_partial_contribution_ratio = "030";  // the old fixture's mistake: ignored
  q.elderly_recipient = elderly("020", "2026-08-01", "2027-07-31");
  const auto c = patient_copayment(q, d("2026-12-06"));
  REQUIRE(c);
  CHECK(c->tenths == 2);
  CHECK(c->source == CopaymentSource::ElderlyRecipient);
  q.elderly_recipient = elderly("030", "2026-08-01", "2027-07-31");  // 現役並み所得
  CHECK(tenths(q, "2026-12-06") == 3);
}

TEST_CASE("copayment: 70-74 without a valid 高齢受給者証 shows nothing rather than guess") {
  Qualification q = insured("1954-05-10");
  CHECK_FALSE(patient_copayment(q, d("2026-12-06")));
  q.elderly_recipient = elderly("020", "2025-08-01", "2026-07-31");  // ended: the sample's old record
  CHECK_FALSE(patient_copayment(q, d("2026-12-06")));
  q.elderly_recipient = elderly("020", "2027-01-01", "2027-07-31");  // not yet started
  CHECK_FALSE(patient_copayment(q, d("2026-12-06")));
  q.elderly_recipient = elderly("02", "2026-08-01", "2027-07-31");  // not an OQS ratio
  CHECK_FALSE(patient_copayment(q, d("2026-12-06")));
}

TEST_CASE("copayment: the 70-74 regime starts the month after the 70th birthday (that month for the 1st)") {
  Qualification born_10th = insured("1956-12-10");
  born_10th.elderly_recipient = elderly("020", "2027-01-01", "2027-07-31");
  CHECK(tenths(born_10th, "2026-12-31") == 3);  // 70 since 12-10, still 3割 in December
  CHECK(tenths(born_10th, "2027-01-01") == 2);
  Qualification born_1st = insured("1956-12-01");
  born_1st.elderly_recipient = elderly("020", "2026-12-01", "2027-07-31");
  CHECK(tenths(born_1st, "2026-11-30") == 3);  // reached 70 on 11-30: the regime starts in December
  CHECK(tenths(born_1st, "2026-12-01") == 2);
}

TEST_CASE("copayment: 後期高齢者医療 (insurer 39...) reads InsuredPartialContributionRatio: 1割, 2割, 3割") {
  Qualification q = insured("1948-03-03", "39131008");
  q.insured_partial_contribution_ratio = "010";
  const auto c = patient_copayment(q, d("2026-12-06"));
  REQUIRE(c);
  CHECK(c->tenths == 1);
  CHECK(c->source == CopaymentSource::LatterStageElderly);
  q.insured_partial_contribution_ratio = "020";
  CHECK(tenths(q, "2026-12-06") == 2);
  q.insured_partial_contribution_ratio = "030";
  CHECK(tenths(q, "2026-12-06") == 3);
  q.insured_partial_contribution_ratio.clear();
  CHECK_FALSE(patient_copayment(q, d("2026-12-06")));
  // 65-74 certified by the 広域連合 are in 後期高齢者医療 too: the insurer decides, not the age.
  Qualification young = insured("1958-01-01", "39131008");
  young.insured_partial_contribution_ratio = "010";
  CHECK(tenths(young, "2026-12-06") == 1);
  CHECK(latter_stage_elderly_insurer("39131008"));
  CHECK_FALSE(latter_stage_elderly_insurer("01130012"));
  CHECK_FALSE(latter_stage_elderly_insurer("391310"));
}

TEST_CASE("copayment: children pay 2割 until the April after they turn 6") {
  const Qualification child = insured("2020-06-15");
  CHECK(tenths(child, "2026-12-06") == 2);  // 6 years old, school from April 2027
  CHECK(tenths(child, "2027-03-31") == 2);
  CHECK(tenths(child, "2027-04-01") == 3);
  // Born on 1 April: reaches 6 on 31 March and starts school that April, with the older year.
  const Qualification april_first = insured("2020-04-01");
  CHECK(tenths(april_first, "2026-03-31") == 2);
  CHECK(tenths(april_first, "2026-04-01") == 3);
  const Qualification april_second = insured("2020-04-02");
  CHECK(tenths(april_second, "2026-04-01") == 2);
  CHECK(tenths(april_second, "2027-04-01") == 3);
  // The result's PreschoolClassification wins when the birth date is missing.
  Qualification flagged;
  flagged.insurer_number = "01130012";
  flagged.preschool_classification = "1";
  CHECK(tenths(flagged, "2026-12-06") == 2);
}

TEST_CASE("copayment: nothing without a birth date, for 医療扶助, or a birth date after today") {
  Qualification q;
  q.insurer_number = "01130012";
  CHECK_FALSE(patient_copayment(q, d("2026-12-06")));
  Qualification aid = insured("1980-02-17", "12130011");
  aid.insured_card_classification = "A1";
  CHECK_FALSE(patient_copayment(aid, d("2026-12-06")));
  CHECK_FALSE(patient_copayment(insured("2027-01-01"), d("2026-12-06")));
}

TEST_CASE("copayment_label: patients read 3割, never 030") {
  CHECK(copayment_label("030") == "3割");
  CHECK(copayment_label("020") == "2割");
  CHECK(copayment_label("010") == "1割");
  CHECK_FALSE(copayment_label("30"));
  CHECK_FALSE(copayment_label(""));
  CHECK_FALSE(copayment_label("100"));
}

TEST_CASE("age_on: whole years, a 29 February birthday counts on 1 March in common years") {
  CHECK(age_on(d("1980-02-17"), d("2026-02-16")) == 45);
  CHECK(age_on(d("1980-02-17"), d("2026-02-17")) == 46);
  CHECK(age_on(d("2000-02-29"), d("2026-02-28")) == 25);
  CHECK(age_on(d("2000-02-29"), d("2026-03-01")) == 26);
  CHECK(age_on(d("2000-02-29"), d("2028-02-29")) == 28);
}
