// Calendar months on Japan dates: the one month arithmetic of the kiosk's certificate check
// (core/crypto/validation) and of the simulated eligibility service (sim/eligibility/rules):
// the card certificate's 3-month warning and 3-month grace period (docs/reception-rules.md §4).
// Header-only vocabulary, like hal/calendar.hpp.
#pragma once

#include <chrono>

namespace kiosk::hal::calendar {

// Adds calendar months: the same day of the month, clamped to the last day of a shorter month
// (2025-11-30 + 3 = 2026-02-28, 2027-11-30 + 3 = 2028-02-29, 2024-02-29 + 12 = 2025-02-28;
// 2026-05-31 - 3 = 2026-02-28).
inline std::chrono::year_month_day add_months(std::chrono::year_month_day d, int months) {
  std::chrono::year_month_day out = d + std::chrono::months{months};
  if (!out.ok()) out = out.year() / out.month() / std::chrono::last;
  return out;
}

// The calendar date in Japan (UTC+9 all year, no daylight saving time) at an instant: the date
// every rule of the reception is counted in, whatever the kiosk's own time zone.
inline std::chrono::year_month_day japan_date(std::chrono::system_clock::time_point t) {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t + std::chrono::hours{9})};
}

}  // namespace kiosk::hal::calendar
