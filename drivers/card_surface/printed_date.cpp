#include "drivers/card_surface/printed_date.hpp"

#include <array>
#include <vector>

namespace kiosk::drivers::card_surface {

namespace {

using namespace std::chrono;

// The code points of a UTF-8 string; malformed sequences become U+FFFD (which no rule accepts).
std::vector<char32_t> decode_utf8(std::string_view s) {
  std::vector<char32_t> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int extra = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
      cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      extra = 1;
      cp = b0 & 0x1Fu;
    } else if ((b0 & 0xF0) == 0xE0) {
      extra = 2;
      cp = b0 & 0x0Fu;
    } else if ((b0 & 0xF8) == 0xF0) {
      extra = 3;
      cp = b0 & 0x07u;
    } else {
      out.push_back(U'\uFFFD');
      ++i;
      continue;
    }
    if (i + static_cast<std::size_t>(extra) >= s.size()) {  // truncated sequence
      out.push_back(U'\uFFFD');
      break;
    }
    bool ok = true;
    for (int k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((b & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (b & 0x3Fu);
    }
    out.push_back(ok ? cp : U'\uFFFD');
    i += ok ? static_cast<std::size_t>(extra) + 1 : 1;
  }
  return out;
}

bool is_space(char32_t c) { return c == U' ' || c == U'\u3000' || c == U'\t' || c == U'\n' || c == U'\r'; }
bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
// Full-width digits (U+FF10..FF19) count as digits.
char32_t narrow(char32_t c) { return (c >= U'\uFF10' && c <= U'\uFF19') ? U'0' + (c - U'\uFF10') : c; }

// The line without spaces, full-width digits narrowed.
std::vector<char32_t> normalise(std::string_view utf8) {
  std::vector<char32_t> out;
  for (char32_t c : decode_utf8(utf8)) {
    if (!is_space(c)) out.push_back(narrow(c));
  }
  return out;
}

// A cursor over code points; remembers where the runs of digits it took are.
struct Cursor {
  const std::vector<char32_t>& s;
  std::size_t pos = 0;
  std::vector<TextSpan> numbers{};

  bool at(char32_t c) const { return pos < s.size() && s[pos] == c; }
  bool take(char32_t c) {
    if (!at(c)) return false;
    ++pos;
    return true;
  }
  // A run of digits of length in [min, max] (the run must end there); its value.
  std::optional<int> number(std::size_t min, std::size_t max) {
    std::size_t n = 0;
    int v = 0;
    while (pos + n < s.size() && is_digit(s[pos + n])) {
      v = v * 10 + static_cast<int>(s[pos + n] - U'0');
      ++n;
      if (n > max) return std::nullopt;
    }
    if (n < min) return std::nullopt;
    numbers.push_back(TextSpan{pos, pos + n});
    pos += n;
    return v;
  }
};

// "<M>月<D>日" after 年.
std::optional<std::pair<unsigned, unsigned>> month_day(Cursor& c) {
  const auto m = c.number(1, 2);
  if (!m || !c.take(U'月')) return std::nullopt;
  const auto d = c.number(1, 2);
  if (!d || !c.take(U'日')) return std::nullopt;
  return std::pair{static_cast<unsigned>(*m), static_cast<unsigned>(*d)};
}

std::optional<year_month_day> gregorian(int y, unsigned m, unsigned d) {
  const year_month_day date{year{y}, month{m}, day{d}};
  if (!date.ok()) return std::nullopt;
  return date;
}

// The era whose name starts at s[i].
std::optional<hal::calendar::Era> era_at(const std::vector<char32_t>& s, std::size_t i) {
  static constexpr struct {
    hal::calendar::Era era;
    char32_t first, second;
  } kNames[] = {{hal::calendar::Era::Taisho, U'大', U'正'},
                {hal::calendar::Era::Showa, U'昭', U'和'},
                {hal::calendar::Era::Heisei, U'平', U'成'},
                {hal::calendar::Era::Reiwa, U'令', U'和'}};
  for (const auto& n : kNames) {
    if (i + 1 < s.size() && s[i] == n.first && s[i + 1] == n.second) return n.era;
  }
  return std::nullopt;
}

// Where a date starts in the line: the first era name or digit run, not preceded by a digit.
// The line must hold exactly one such start (a second date on the line is ambiguous).
std::optional<std::size_t> date_start(const std::vector<char32_t>& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (era_at(s, i)) return i;
    if (is_digit(s[i])) return i;
  }
  return std::nullopt;
}

}  // namespace

std::optional<PrintedBirthDate> parse_birth_line(std::string_view utf8, DateSpans* spans) {
  const std::vector<char32_t> s = normalise(utf8);
  const auto start = date_start(s);
  if (!start) return std::nullopt;
  Cursor c{s, *start};
  PrintedBirthDate out;
  if (const auto era = era_at(s, c.pos)) {
    c.pos += 2;
    std::optional<int> y;
    if (c.take(U'元')) {
      y = 1;
    } else {
      y = c.number(1, 2);
    }
    if (!y || !c.take(U'年')) return std::nullopt;
    const auto md = month_day(c);
    if (!md || !c.take(U'生')) return std::nullopt;
    const auto g = hal::calendar::to_gregorian(hal::calendar::EraDate{*era, *y, md->first, md->second});
    if (!g) return std::nullopt;
    out.form = DateForm::Era;
    out.date = *g;
  } else {
    const auto y = c.number(4, 4);
    if (!y || !c.take(U'年')) return std::nullopt;
    const auto md = month_day(c);
    if (!md || !c.take(U'生')) return std::nullopt;
    const auto g = gregorian(*y, md->first, md->second);
    if (!g) return std::nullopt;
    out.form = DateForm::Gregorian;
    out.date = *g;
  }
  if (spans != nullptr) *spans = DateSpans{TextSpan{*start, c.pos}, c.numbers};
  return out;
}

std::optional<year_month_day> parse_expiry_line(std::string_view utf8, DateSpans* spans) {
  const std::vector<char32_t> s = normalise(utf8);
  const auto start = date_start(s);
  if (!start) return std::nullopt;
  Cursor c{s, *start};
  const auto y = c.number(4, 4);
  if (!y || !c.take(U'年')) return std::nullopt;
  const auto md = month_day(c);
  if (!md || !c.take(U'ま') || !c.take(U'で')) return std::nullopt;
  const auto g = gregorian(*y, md->first, md->second);
  if (g && spans != nullptr) *spans = DateSpans{TextSpan{*start, c.pos}, c.numbers};
  return g;
}

std::optional<year_month_day> parse_document_date(std::string_view utf8) {
  const std::vector<char32_t> s = normalise(utf8);
  if (s.empty()) return std::nullopt;
  Cursor c{s, 0};
  std::optional<year_month_day> out;
  if (const auto era = era_at(s, 0)) {
    c.pos = 2;
    const std::optional<int> y = c.take(U'元') ? std::optional<int>(1) : c.number(1, 2);
    if (!y || !c.take(U'年')) return std::nullopt;
    const auto md = month_day(c);
    if (!md) return std::nullopt;
    out = hal::calendar::to_gregorian(hal::calendar::EraDate{*era, *y, md->first, md->second});
  } else {
    const auto y = c.number(4, 4);
    if (!y || !c.take(U'年')) return std::nullopt;
    const auto md = month_day(c);
    if (!md) return std::nullopt;
    out = gregorian(*y, md->first, md->second);
  }
  if (c.pos != s.size()) return std::nullopt;
  return out;
}

std::optional<std::string> parse_security_code(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
    if (ch < '0' || ch > '9' || out.size() == 4) return std::nullopt;
    out.push_back(ch);
  }
  if (out.size() != 4) return std::nullopt;
  return out;
}

bool expiry_on_birthday(const year_month_day& birth, const year_month_day& expiry) {
  if (birth.month() == expiry.month() && birth.day() == expiry.day()) return true;
  if (birth.month() == February && birth.day() == day{29} && !expiry.year().is_leap()) {
    return (expiry.month() == February && expiry.day() == day{28}) || (expiry.month() == March && expiry.day() == day{1});
  }
  return false;
}

std::optional<std::string> implausibility(const year_month_day& birth, const year_month_day& expiry,
                                          const year_month_day& today, const PlausibilityRules& rules) {
  if (!birth.ok() || !expiry.ok()) return "not a real date";
  if (sys_days{birth} > sys_days{today}) return "birth date in the future";
  if (sys_days{birth} < sys_days{rules.earliest_birth}) return "birth date before the earliest plausible one (大正)";
  const int ey = static_cast<int>(expiry.year());
  const int ty = static_cast<int>(today.year());
  const int by = static_cast<int>(birth.year());
  if (ey > ty + rules.expiry_max_years_ahead) return "card expiry too far in the future";
  if (ey < ty - rules.expiry_max_years_past) return "card expiry too long ago";
  if (ey < by + rules.min_years_birth_to_expiry) return "card expiry too soon after the birth date";
  if (rules.expiry_on_birthday && !expiry_on_birthday(birth, expiry)) return "card expiry not on the holder's birthday";
  return std::nullopt;
}

}  // namespace kiosk::drivers::card_surface
