// Dates and times as the card, the certificates and the eligibility service write them.
// Header-only vocabulary shared by every layer, like hal/bytes.hpp.
#pragma once

#include <array>
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

// The Japanese eras a card holder can be born in, as the card face prints birth dates
// ("昭和55年 2月17日生") and 照合番号B encodes them (era YYMMDD). 明治 ended on 1912-07-29.
enum class Era { Taisho, Showa, Heisei, Reiwa };

struct EraDate {
  Era era = Era::Showa;
  int year = 1;  // the era's year: 1 is printed 元年
  unsigned month = 1;
  unsigned day = 1;
};

namespace detail {
struct EraEntry {
  Era era;
  const char* name;  // UTF-8
  year_month_day start;
};
inline constexpr std::array<EraEntry, 4> kEras{{
    {Era::Taisho, "大正", year_month_day{std::chrono::year{1912}, std::chrono::month{7}, std::chrono::day{30}}},
    {Era::Showa, "昭和", year_month_day{std::chrono::year{1926}, std::chrono::month{12}, std::chrono::day{25}}},
    {Era::Heisei, "平成", year_month_day{std::chrono::year{1989}, std::chrono::month{1}, std::chrono::day{8}}},
    {Era::Reiwa, "令和", year_month_day{std::chrono::year{2019}, std::chrono::month{5}, std::chrono::day{1}}},
}};
inline std::size_t era_index(Era era) { return static_cast<std::size_t>(era); }
}  // namespace detail

inline const char* era_name(Era era) { return detail::kEras[detail::era_index(era)].name; }
inline year_month_day era_start(Era era) { return detail::kEras[detail::era_index(era)].start; }

// The Gregorian date of an era date. Nothing when the day does not exist or lies outside the
// era (昭和64年1月8日, 平成31年5月1日 and 令和元年4月30日 do not exist).
inline std::optional<year_month_day> to_gregorian(const EraDate& date) {
  using namespace std::chrono;
  const std::size_t i = detail::era_index(date.era);
  if (date.year < 1 || date.year > 99) return std::nullopt;
  const year_month_day g{year{static_cast<int>(detail::kEras[i].start.year()) + date.year - 1}, month{date.month},
                         day{date.day}};
  if (!g.ok() || sys_days{g} < sys_days{detail::kEras[i].start}) return std::nullopt;
  if (i + 1 < detail::kEras.size() && sys_days{g} >= sys_days{detail::kEras[i + 1].start}) return std::nullopt;
  return g;
}

// The era date of a Gregorian date. Nothing before 大正 (1912-07-30).
inline std::optional<EraDate> to_era(year_month_day date) {
  using namespace std::chrono;
  if (!date.ok()) return std::nullopt;
  for (auto it = detail::kEras.rbegin(); it != detail::kEras.rend(); ++it) {
    if (sys_days{date} >= sys_days{it->start}) {
      return EraDate{it->era, static_cast<int>(date.year()) - static_cast<int>(it->start.year()) + 1,
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day())};
    }
  }
  return std::nullopt;
}

}  // namespace kiosk::hal::calendar
