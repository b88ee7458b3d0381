#include "core/bounded/json.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace kiosk::core::bounded {

using nlohmann::json;

std::optional<std::string> shape_problem(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return std::to_string(text.size()) + " bytes, more than the " + std::to_string(limits.max_bytes) + " allowed";
  }
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limits.max_depth) return "nested deeper than " + std::to_string(limits.max_depth) + " levels";
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

json parse(std::string_view text, const JsonLimits& limits) {
  if (const auto problem = shape_problem(text, limits)) throw JsonError(*problem);
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw JsonError(std::string("not valid JSON: ") + e.what());
  } catch (const json::exception& e) {  // 1e400: out_of_range "number overflow"
    throw JsonError(std::string("not usable JSON: ") + e.what());
  }
}

json parse_file(const std::filesystem::path& file, const JsonLimits& limits) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status)) throw JsonError(file.string() + ": no such file");
  if (std::filesystem::is_directory(status)) throw JsonError(file.string() + ": is a directory, not a JSON file");
  if (!std::filesystem::is_regular_file(status)) throw JsonError(file.string() + ": not a regular file");
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) throw JsonError(file.string() + ": cannot be read (" + ec.message() + ")");
  if (size > limits.max_bytes) {
    throw JsonError(file.string() + ": " + std::to_string(size) + " bytes, more than the " + std::to_string(limits.max_bytes) +
                    " allowed");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw JsonError(file.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw JsonError(file.string() + ": cannot be read");
  try {
    return parse(text.str(), limits);
  } catch (const JsonError& e) {
    throw JsonError(file.string() + ": " + e.what());
  }
}

namespace {

// Appends the start of `value` to `out`, depth first, until `out` holds more than `budget`.
// Iterative: an explicit stack of (container, next index).
void append_preview(const json& value, std::string& out, std::size_t budget) {
  struct Frame {
    const json* container;
    json::const_iterator next;
  };
  std::vector<Frame> stack;
  const json* current = &value;
  for (;;) {
    if (out.size() > budget) return;
    if (current != nullptr) {
      if (current->is_object() || current->is_array()) {
        out += current->is_object() ? '{' : '[';
        stack.push_back({current, current->cbegin()});
      } else {
        out += current->dump(-1, ' ', false, json::error_handler_t::replace);  // a scalar: flat
      }
      current = nullptr;
      continue;
    }
    if (stack.empty()) return;
    Frame& top = stack.back();
    if (top.next == top.container->cend()) {
      out += top.container->is_object() ? '}' : ']';
      stack.pop_back();
      continue;
    }
    if (top.next != top.container->cbegin()) out += ',';
    if (top.container->is_object()) out += json(top.next.key()).dump(-1, ' ', false, json::error_handler_t::replace) + ':';
    current = &*top.next;
    ++top.next;
  }
}

}  // namespace

std::string preview(const json& value, std::size_t max_chars) {
  std::string out;
  append_preview(value, out, max_chars);
  if (out.size() > max_chars) {
    out.resize(max_chars);
    out += "...";
  }
  return out;
}

std::optional<std::int64_t> integer_in(const json& value, std::int64_t low, std::int64_t high) {
  std::int64_t n = 0;
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    n = static_cast<std::int64_t>(u);
  } else if (value.is_number_integer()) {
    n = value.get<std::int64_t>();
  } else if (value.is_number_float()) {
    const double d = value.get<double>();
    // Only exact whole numbers well inside the range of int64 (2^53: every integer is exact).
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9007199254740992.0) return std::nullopt;
    n = static_cast<std::int64_t>(d);
  } else {
    return std::nullopt;
  }
  if (n < low || n > high) return std::nullopt;
  return n;
}

std::string integer_problem(const json& value, std::int64_t low, std::int64_t high) {
  return "a whole number from " + std::to_string(low) + " to " + std::to_string(high) + ", found " + preview(value);
}

}  // namespace kiosk::core::bounded
