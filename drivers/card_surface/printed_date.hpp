// The dates printed on the front of a My Number card, as the OCR reads them, and the checks a
// read must pass before its digits are used (card-face-layout.md, jpki-card.md §6).
//
// Today's card prints the birth date in the Japanese era ("昭和55年 2月17日生", year 1 as
// "元年"), the next-generation card in the Gregorian calendar ("1980年 2月17日生"); both print
// the card expiry as "2035年 2月17日まで有効". 照合番号B wants the birth date as era YYMMDD
// whichever way it is printed.
//
// Pure logic: no OCR engine, no images (unit-tested alone).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hal/calendar.hpp"

namespace kiosk::drivers::card_surface {

using std::chrono::year_month_day;

// Eras and their conversion: hal/calendar.hpp (hal::calendar::Era, to_era, to_gregorian).

enum class DateForm { Era, Gregorian };

struct PrintedBirthDate {
  DateForm form = DateForm::Era;  // Era: today's card; Gregorian: the next-generation card
  year_month_day date;            // Gregorian
};

// Which characters of a line a date was read from: [first, last) counted in characters
// (code points) of the line without its spaces, so the reader can check the confidence of
// exactly those.
struct TextSpan {
  std::size_t first = 0;
  std::size_t last = 0;
};

// Where a parsed date is in its line: the whole match and each run of digits in it (year,
// month, day), so that the reader can check those characters again.
struct DateSpans {
  TextSpan whole;
  std::vector<TextSpan> numbers;
};

// Parses an OCR'd birth-date line: <era><YY|元>年<M>月<D>日生 or <YYYY>年<M>月<D>日生. Spaces are
// ignored and text after 生 is allowed (the sex field on the same line); anything that does
// not fit exactly (a digit too many or too few, an unknown era, a day that does not exist)
// gives nothing.
std::optional<PrintedBirthDate> parse_birth_line(std::string_view utf8, DateSpans* spans = nullptr);

// Parses an OCR'd card-expiry line: <YYYY>年<M>月<D>日まで[有効]; the span ends after まで.
std::optional<year_month_day> parse_expiry_line(std::string_view utf8, DateSpans* spans = nullptr);

// Parses a date printed on a paper insurance document (資格確認書, 健康保険証):
// <era><YY|元>年<M>月<D>日 or <YYYY>年<M>月<D>日, spaces ignored, nothing before or after it;
// nothing when it does not fit exactly or the day does not exist.
std::optional<year_month_day> parse_document_date(std::string_view utf8);

// Exactly four ASCII digits (spaces ignored); nothing otherwise.
std::optional<std::string> parse_security_code(std::string_view text);

// What a plausible card looks like (card-face-layout.md "Public facts").
struct PlausibilityRules {
  // The earliest plausible birth date: the first day of 大正 (1912-07-30).
  year_month_day earliest_birth{std::chrono::year{1912}, std::chrono::month{7}, std::chrono::day{30}};
  // The card expires at the 5th (minors) or 10th birthday after issue: an expiry year more than
  // this many years after today is not plausible.
  int expiry_max_years_ahead = 11;
  // A card that expired more than this many years ago (by year) is not plausible; 0 allows an
  // expiry earlier this year (the kiosk's card checks decide what an expired card may do).
  int expiry_max_years_past = 1;
  // The card is issued at the earliest on the day of birth, and expires no earlier than the
  // 5th birthday after issue.
  int min_years_birth_to_expiry = 5;
  // Cards expire on the holder's birthday (cards of foreign residents may expire with their
  // residence period instead). When true, an expiry month/day that differs from the birth
  // month/day is treated as a misread; when false it is allowed (see ReadPolicy).
  bool expiry_on_birthday = true;
};

// Why a birth date and card expiry cannot be real for a card read today; nothing when they can.
// The reason names the rule, never the dates (they are personal data).
std::optional<std::string> implausibility(const year_month_day& birth, const year_month_day& expiry,
                                          const year_month_day& today, const PlausibilityRules& rules);

// Is the expiry on the holder's birthday (29 Feb births: 28 Feb or 1 Mar in common years)?
bool expiry_on_birthday(const year_month_day& birth, const year_month_day& expiry);

}  // namespace kiosk::drivers::card_surface
