#include "sim/eligibility/japanese_calendar.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace kiosk::sim::eligibility {

namespace {

using namespace std::chrono;

Date nth_weekday(int y, unsigned m, weekday wd, unsigned n) {
  return Date{sys_days{year{y} / month{m} / wd[n]}};
}

Date make(int y, unsigned m, unsigned d) { return Date{year{y}, month{m}, day{d}}; }

unsigned equinox_day(int y, double base) {
  const double shift = 0.242194 * (y - 1980) - std::floor((y - 1980) / 4.0);
  return static_cast<unsigned>(std::floor(base + shift));
}

// The holidays of the law itself (国民の祝日), without 振替休日 and 国民の休日.
std::map<sys_days, std::string> statutory(int y) {
  std::map<sys_days, std::string> h;
  auto add = [&](Date d, const char* name) { h[sys_days{d}] = name; };
  add(make(y, 1, 1), "元日");
  add(nth_weekday(y, 1, Monday, 2), "成人の日");
  add(make(y, 2, 11), "建国記念の日");
  if (y >= 2020) add(make(y, 2, 23), "天皇誕生日");
  add(make(y, 3, equinox_day(y, 20.8431)), "春分の日");
  add(make(y, 4, 29), "昭和の日");
  add(make(y, 5, 3), "憲法記念日");
  add(make(y, 5, 4), "みどりの日");
  add(make(y, 5, 5), "こどもの日");
  if (y == 2020) {
    add(make(y, 7, 23), "海の日");
    add(make(y, 7, 24), "スポーツの日");
    add(make(y, 8, 10), "山の日");
  } else if (y == 2021) {
    add(make(y, 7, 22), "海の日");
    add(make(y, 7, 23), "スポーツの日");
    add(make(y, 8, 8), "山の日");
  } else {
    add(nth_weekday(y, 7, Monday, 3), "海の日");
    add(make(y, 8, 11), "山の日");
    add(nth_weekday(y, 10, Monday, 2), y >= 2020 ? "スポーツの日" : "体育の日");
  }
  add(nth_weekday(y, 9, Monday, 3), "敬老の日");
  add(make(y, 9, equinox_day(y, 23.2488)), "秋分の日");
  add(make(y, 11, 3), "文化の日");
  add(make(y, 11, 23), "勤労感謝の日");
  return h;
}

std::map<sys_days, std::string> all_holidays(int y) {
  if (y < 1980 || y > 2099) throw std::out_of_range("holidays are computed for 1980-2099 only, not " + std::to_string(y));
  std::map<sys_days, std::string> base = statutory(y);
  std::map<sys_days, std::string> out = base;
  // 国民の休日: a day between two statutory holidays that is not one itself.
  for (const auto& [day_, name] : base) {
    const sys_days next = day_ + days{1};
    const sys_days after = day_ + days{2};
    if (!base.contains(next) && base.contains(after)) out[next] = "国民の休日";
  }
  // 振替休日: a statutory holiday on a Sunday moves to the next day that is not a holiday.
  for (const auto& [day_, name] : base) {
    if (weekday{day_} != Sunday) continue;
    sys_days substitute = day_ + days{1};
    while (out.contains(substitute)) substitute += days{1};
    out[substitute] = "振替休日";
  }
  return out;
}

}  // namespace

std::string holiday_name(Date d) {
  const auto holidays = all_holidays(static_cast<int>(d.year()));
  const auto it = holidays.find(sys_days{d});
  return it == holidays.end() ? std::string() : it->second;
}

bool is_public_holiday(Date d) { return !holiday_name(d).empty(); }

bool is_business_day(Date d) {
  const weekday wd{sys_days{d}};
  return wd != Saturday && wd != Sunday && !is_public_holiday(d);
}

std::vector<Date> public_holidays(int y) {
  std::vector<Date> out;
  for (const auto& [day_, name] : all_holidays(y)) out.emplace_back(day_);
  return out;
}

int business_days_between(Date from, Date to) {
  int count = 0;
  for (sys_days d = sys_days{from} + days{1}; d <= sys_days{to}; d += days{1}) {
    if (is_business_day(Date{d})) ++count;
  }
  return count;
}

Date add_business_days(Date from, int n) {
  if (n < 1) throw std::invalid_argument("add_business_days needs n >= 1");
  sys_days d{from};
  while (n > 0) {
    d += days{1};
    if (is_business_day(Date{d})) --n;
  }
  return Date{d};
}

}  // namespace kiosk::sim::eligibility
