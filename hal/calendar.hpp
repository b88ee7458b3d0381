// Dates and times as the card, the certificates and the eligibility service write them.
// Header-only vocabulary shared by every layer, like hal/bytes.hpp.
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk::hal::calendar {

using std::chrono::year_month_day;

namespace detail {
inline std::optional<int> number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}
inline std::optional<year_month_day> make(std::string_view y, std::string_view m, std::string_view d) {
  const auto yy = number(y);
  const auto mm = number(m);
  const auto dd = number(d);
  if (!yy || !mm || !dd) return std::nullopt;
  const year_month_day date{std::chrono::year{*yy}, std::chrono::month{static_cast<unsigned>(*mm)},
                            std::chrono::day{static_cast<unsigned>(*dd)}};
  if (!date.ok()) return std::nullopt;
  return date;
}
}  // namespace detail

// "19800217" (the card's and the service's form). Nothing when malformed or not a real date.
inline std::optional<year_month_day> parse_yyyymmdd(std::string_view s) {
  if (s.size() != 8) return std::nullopt;
  return detail::make(s.substr(0, 4), s.substr(4, 2), s.substr(6, 2));
}

// "1980-02-17".
inline std::optional<year_month_day> parse_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  return detail::make(s.substr(0, 4), s.substr(5, 2), s.substr(8, 2));
}

inline std::string format_yyyymmdd(year_month_day d) {
  char out[16];
  std::snprintf(out, sizeof out, "%04d%02u%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return out;
}

inline std::string format_iso_date(year_month_day d) {
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return out;
}

// "2026-11-22T02:46:21Z".
inline std::string format_iso8601_utc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day_start = floor<days>(secs);
  const hh_mm_ss time{secs - day_start};
  char out[32];
  std::snprintf(out, sizeof out, "%sT%02d:%02d:%02dZ", format_iso_date(year_month_day{day_start}).c_str(),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return out;
}

}  // namespace kiosk::hal::calendar
