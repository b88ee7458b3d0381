// Japanese public holidays (国民の祝日) and business days, for the eligibility service's data
// registration lag ("about 3-5 business days after the insurer receives the filing").
//
// The holidays follow the 祝日法 as amended for 2020 onwards: fixed-date holidays, Happy Monday
// holidays (成人の日, 海の日, 敬老の日, スポーツの日), 天皇誕生日 on 23 February, the equinoxes by
// the standard astronomical approximation (valid 1980-2099; the Cabinet Office announces each
// year's equinox a year ahead, and the formula matches every announced date 2020-2027),
// substitute holidays (振替休日) and sandwiched citizens' holidays (国民の休日), and the Olympic
// moves of 2020 and 2021. Exact for 2020-2099; dates before 2020 are computed with the same rules
// (so 2019's 天皇誕生日 on 23 December is missing). Year-end closing days (12/29-1/3) are not
// public holidays and count as business days, as they do for the insurers' filing clocks here.
// The tests check 2024, 2025 and 2026 against the Cabinet Office's published list.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace kiosk::sim::eligibility {

using Date = std::chrono::year_month_day;

// The holiday's name ("元日", "振替休日", ...) or empty when the date is not a public holiday.
std::string holiday_name(Date d);
bool is_public_holiday(Date d);
// Not Saturday, not Sunday, not a public holiday.
bool is_business_day(Date d);
// All public holidays of a year, in date order.
std::vector<Date> public_holidays(int year);

// The number of business days d with from < d <= to (0 when to <= from).
int business_days_between(Date from, Date to);
// The n-th business day after `from` (n >= 1).
Date add_business_days(Date from, int n);

}  // namespace kiosk::sim::eligibility
