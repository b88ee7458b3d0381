// The check digit of an 8-digit insurer number (保険者番号), shared by the reception's entry
// check (core/eligibility/number_entry.hpp), the document reader (drivers/card_surface) and the
// simulator's documents. Header-only vocabulary, like hal/calendar.hpp.
//
// 保険者番号設定要領: weights 2, 1, 2, ... from the digit before the check digit, the digit sums
// of the products added; the check digit is 10 minus the last digit of the sum (0 for 10).
#pragma once

#include <optional>
#include <string_view>

namespace kiosk::hal {

// The check digit of the first 7 digits; nothing when they are not 7 ASCII digits.
inline std::optional<int> insurer_check_digit(std::string_view first_seven) {
  if (first_seven.size() != 7) return std::nullopt;
  int sum = 0;
  int weight = 2;  // from the last digit backwards: 2, 1, 2, 1, ...
  for (auto it = first_seven.rbegin(); it != first_seven.rend(); ++it) {
    if (*it < '0' || *it > '9') return std::nullopt;
    const int product = (*it - '0') * weight;
    sum += product / 10 + product % 10;
    weight = weight == 2 ? 1 : 2;
  }
  return (10 - sum % 10) % 10;
}

}  // namespace kiosk::hal
