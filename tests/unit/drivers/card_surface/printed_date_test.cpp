// The dates printed on the card face as the OCR reads them: era and Gregorian birth dates,
// the card expiry, the security code, and what a plausible card is.
#include <catch2/catch.hpp>

#include "drivers/card_surface/printed_date.hpp"
#include "hal/calendar.hpp"

using namespace kiosk;
using namespace kiosk::drivers::card_surface;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

namespace {
year_month_day ymd(int y, unsigned m, unsigned d) { return year_month_day{year{y}, month{m}, day{d}}; }
}  // namespace

TEST_CASE("card surface dates: era birth dates, 元年 and the sex after 生") {
  const auto b = parse_birth_line("昭和55年 2月17日生");
  REQUIRE(b);
  CHECK(b->form == DateForm::Era);
  CHECK(b->date == ymd(1980, 2, 17));
  const auto gan = parse_birth_line("令和元年 5月 1日生");
  REQUIRE(gan);
  CHECK(gan->date == ymd(2019, 5, 1));
  const auto with_sex = parse_birth_line("平成 3年12月31日生 女");
  REQUIRE(with_sex);
  CHECK(with_sex->date == ymd(1991, 12, 31));
  const auto taisho = parse_birth_line("大正15年 1月 2日生");
  REQUIRE(taisho);
  CHECK(taisho->date == ymd(1926, 1, 2));
}

TEST_CASE("card surface dates: Gregorian birth dates of the next-generation card") {
  DateSpans spans;
  const auto b = parse_birth_line("1980年 2月17日生", &spans);
  REQUIRE(b);
  CHECK(b->form == DateForm::Gregorian);
  CHECK(b->date == ymd(1980, 2, 17));
  CHECK(spans.numbers.size() == 3);
  // 照合番号B wants the era form whichever way it was printed.
  const auto era = hal::calendar::to_era(b->date);
  REQUIRE(era);
  CHECK(era->era == hal::calendar::Era::Showa);
  CHECK(era->year == 55);
}

TEST_CASE("card surface dates: dates that do not exist or do not fit are refused") {
  CHECK_FALSE(parse_birth_line("昭和64年 1月 8日生"));  // 平成 had begun
  CHECK_FALSE(parse_birth_line("平成31年 5月 1日生"));  // 令和 had begun
  CHECK_FALSE(parse_birth_line("令和 2年 2月30日生"));
  CHECK_FALSE(parse_birth_line("明治45年 1月 1日生"));  // no such era on a card
  CHECK_FALSE(parse_birth_line("昭和555年 2月17日生"));
  CHECK_FALSE(parse_birth_line("昭和55年 2月17日"));     // no 生
  CHECK_FALSE(parse_birth_line("昭和5S年 2月17日生"));   // a letter where a digit goes
  CHECK_FALSE(parse_birth_line(""));
}

TEST_CASE("card surface dates: the card expiry line and the security code") {
  DateSpans spans;
  const auto e = parse_expiry_line("2035年 2月17日まで有効", &spans);
  REQUIRE(e);
  CHECK(*e == ymd(2035, 2, 17));
  CHECK(spans.numbers.size() == 3);
  CHECK(parse_expiry_line("2035年2月17日まで"));
  CHECK_FALSE(parse_expiry_line("2035年 2月17日"));
  CHECK_FALSE(parse_expiry_line("203年 2月17日まで有効"));
  CHECK_FALSE(parse_expiry_line("2035年13月17日まで有効"));

  CHECK(parse_security_code("1234") == std::optional<std::string>("1234"));
  CHECK(parse_security_code(" 0 9 8 7 ") == std::optional<std::string>("0987"));
  CHECK_FALSE(parse_security_code("123"));
  CHECK_FALSE(parse_security_code("12345"));
  CHECK_FALSE(parse_security_code("12a4"));
}

TEST_CASE("card surface dates: plausibility of birth date and card expiry for today") {
  const PlausibilityRules rules;
  const auto today = ymd(2025, 6, 1);
  CHECK_FALSE(implausibility(ymd(1980, 2, 17), ymd(2030, 2, 17), today, rules));
  // Born in the future, before 大正, or a card valid too far ahead or long expired.
  CHECK(implausibility(ymd(2026, 1, 1), ymd(2031, 1, 1), today, rules));
  CHECK(implausibility(ymd(1900, 2, 17), ymd(2030, 2, 17), today, rules));
  CHECK(implausibility(ymd(1980, 2, 17), ymd(2040, 2, 17), today, rules));
  CHECK(implausibility(ymd(1980, 2, 17), ymd(2020, 2, 17), today, rules));
  // An expiry that is not on the birthday is a misread unless the rule is off.
  CHECK(implausibility(ymd(1980, 2, 17), ymd(2030, 3, 17), today, rules));
  PlausibilityRules lenient = rules;
  lenient.expiry_on_birthday = false;
  CHECK_FALSE(implausibility(ymd(1980, 2, 17), ymd(2030, 3, 17), today, lenient));
  // The reason names the rule, not the dates.
  const auto why = implausibility(ymd(2026, 1, 1), ymd(2031, 1, 1), today, rules);
  REQUIRE(why);
  CHECK(why->find("2026") == std::string::npos);
  // 29 February births expire on 1 March (or 28 February) in common years.
  CHECK(expiry_on_birthday(ymd(2000, 2, 29), ymd(2027, 3, 1)));
  CHECK(expiry_on_birthday(ymd(2000, 2, 29), ymd(2028, 2, 29)));
  CHECK_FALSE(expiry_on_birthday(ymd(2000, 2, 28), ymd(2027, 3, 1)));
}

TEST_CASE("calendar: era conversion both ways at the era boundaries") {
  using hal::calendar::Era;
  using hal::calendar::EraDate;
  CHECK(hal::calendar::to_gregorian(EraDate{Era::Heisei, 1, 1, 8}) == ymd(1989, 1, 8));
  CHECK_FALSE(hal::calendar::to_gregorian(EraDate{Era::Heisei, 1, 1, 7}));
  CHECK(hal::calendar::to_gregorian(EraDate{Era::Showa, 64, 1, 7}) == ymd(1989, 1, 7));
  const auto r = hal::calendar::to_era(ymd(2019, 5, 1));
  REQUIRE(r);
  CHECK(r->era == Era::Reiwa);
  CHECK(r->year == 1);
  CHECK_FALSE(hal::calendar::to_era(ymd(1912, 7, 29)));
  CHECK(std::string(hal::calendar::era_name(Era::Taisho)) == "大正");
}
