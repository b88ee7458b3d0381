// Japanese public holidays and business days (the 5-business-day data-registration lag).
#include <catch2/catch.hpp>

#include "hal/calendar.hpp"
#include "sim/eligibility/japanese_calendar.hpp"

using namespace kiosk::sim::eligibility;

namespace {
Date d(const char* iso) { return *kiosk::hal::calendar::parse_iso_date(iso); }

std::vector<std::string> holidays_of(int year) {
  std::vector<std::string> out;
  for (const auto& h : public_holidays(year)) out.push_back(kiosk::hal::calendar::format_iso_date(h));
  return out;
}
}  // namespace

TEST_CASE("public holidays 2024-2026 match the Cabinet Office list") {
  // 内閣府「国民の祝日について」 for 2024, 2025 and 2026.
  CHECK(holidays_of(2024) == std::vector<std::string>{
                                 "2024-01-01", "2024-01-08", "2024-02-11", "2024-02-12", "2024-02-23", "2024-03-20",
                                 "2024-04-29", "2024-05-03", "2024-05-04", "2024-05-05", "2024-05-06", "2024-07-15",
                                 "2024-08-11", "2024-08-12", "2024-09-16", "2024-09-22", "2024-09-23", "2024-10-14",
                                 "2024-11-03", "2024-11-04", "2024-11-23"});
  CHECK(holidays_of(2025) == std::vector<std::string>{
                                 "2025-01-01", "2025-01-13", "2025-02-11", "2025-02-23", "2025-02-24", "2025-03-20",
                                 "2025-04-29", "2025-05-03", "2025-05-04", "2025-05-05", "2025-05-06", "2025-07-21",
                                 "2025-08-11", "2025-09-15", "2025-09-23", "2025-10-13", "2025-11-03", "2025-11-23",
                                 "2025-11-24"});
  CHECK(holidays_of(2026) == std::vector<std::string>{
                                 "2026-01-01", "2026-01-12", "2026-02-11", "2026-02-23", "2026-03-20", "2026-04-29",
                                 "2026-05-03", "2026-05-04", "2026-05-05", "2026-05-06", "2026-07-20", "2026-08-11",
                                 "2026-09-21", "2026-09-22", "2026-09-23", "2026-10-12", "2026-11-03", "2026-11-23"});
}

TEST_CASE("holiday names: substitute and citizens' holidays") {
  CHECK(holiday_name(d("2025-11-24")) == "振替休日");
  CHECK(holiday_name(d("2026-09-22")) == "国民の休日");
  CHECK(holiday_name(d("2026-05-06")) == "振替休日");  // 5/3 is a Sunday; 5/4 and 5/5 are holidays already
  CHECK(holiday_name(d("2025-01-13")) == "成人の日");
  CHECK(holiday_name(d("2020-07-24")) == "スポーツの日");  // Olympic move
  CHECK(holiday_name(d("2025-12-29")).empty());           // year-end closing is not a public holiday
}

TEST_CASE("business days skip weekends and public holidays") {
  CHECK(is_business_day(d("2025-12-01")));   // Monday
  CHECK_FALSE(is_business_day(d("2025-11-29")));  // Saturday
  CHECK_FALSE(is_business_day(d("2025-11-30")));  // Sunday
  CHECK_FALSE(is_business_day(d("2025-11-24")));  // 振替休日 (Monday)

  // Filed on Monday 2025-11-17: Tue..Fri are 4 business days, Monday 11/24 is a holiday.
  CHECK(add_business_days(d("2025-11-17"), 5) == d("2025-11-25"));
  CHECK(business_days_between(d("2025-11-17"), d("2025-11-24")) == 4);
  CHECK(business_days_between(d("2025-11-17"), d("2025-11-25")) == 5);
  // Golden Week 2025: 4/29 (Tue), 5/3-5/6.
  CHECK(add_business_days(d("2025-04-28"), 5) == d("2025-05-08"));
  CHECK(business_days_between(d("2025-05-02"), d("2025-05-07")) == 1);
  CHECK(business_days_between(d("2025-05-07"), d("2025-05-07")) == 0);
  CHECK(business_days_between(d("2025-05-08"), d("2025-05-07")) == 0);
  CHECK_THROWS_AS(add_business_days(d("2025-05-08"), 0), std::invalid_argument);
}
