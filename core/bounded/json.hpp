// JSON from outside the kiosk (the eligibility service's answers, the configuration, QA
// scenario and card files), read within bounds (issue 18, reliability 2, 3 and 7):
// - a size and a nesting depth: nlohmann's parser keeps its stack on the heap, but dump(),
//   copies and comparisons recurse, so a value nested 100,000 deep crashes whoever prints it;
// - numbers taken only when integral and in range, with the value as given in the error
//   (nlohmann's get<int>() wraps 2^32+9 to 9 and truncates 443.9 to 443);
// - short previews of values for error messages, never a whole (deep or huge) value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kiosk::core::bounded {

struct JsonLimits {
  std::size_t max_bytes = 1 << 20;  // 1 MiB
  int max_depth = 32;               // nested objects and arrays
};

// What is wrong with a JSON text, said so that the one who wrote it can fix it ("nested deeper
// than 32 levels", "not valid JSON: ... at line 3, column 7", "number overflow parsing '1e400'").
class JsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Checks size and nesting without building anything (a scan over the text, strings skipped).
// Empty when within the limits, else what is wrong.
std::optional<std::string> shape_problem(std::string_view text, const JsonLimits& limits);

// Parses within the limits. Throws JsonError.
nlohmann::json parse(std::string_view text, const JsonLimits& limits = {});

// Reads and parses a regular file within the limits. Throws JsonError naming the file: missing,
// a directory, unreadable, too big, not JSON.
nlohmann::json parse_file(const std::filesystem::path& file, const JsonLimits& limits = {});

// At most `max_chars` characters of the value as JSON ("[[[[...", "\"abc...\""), without
// recursing: safe for any value, however deep.
std::string preview(const nlohmann::json& value, std::size_t max_chars = 60);

// The value as an integer in [low, high]: an integer number, or a number with no fraction
// (5.0). Empty otherwise (a string, 443.9, 2^64, 1e300, out of range).
std::optional<std::int64_t> integer_in(const nlohmann::json& value, std::int64_t low, std::int64_t high);

// "a whole number from 1 to 3650, found 999999" / "..., found 443.9" / "..., found \"abc\"":
// why integer_in() refused `value`.
std::string integer_problem(const nlohmann::json& value, std::int64_t low, std::int64_t high);

}  // namespace kiosk::core::bounded
