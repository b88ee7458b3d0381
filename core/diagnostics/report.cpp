#include "core/diagnostics/report.hpp"

#include <algorithm>
#include <sstream>

namespace kiosk::core::diagnostics {
namespace {

int rank(Status s) {
  switch (s) {
    case Status::Skip: return 0;
    case Status::Pass: return 1;
    case Status::Warn: return 2;
    case Status::Fail: return 3;
  }
  return 3;
}

// Display width of UTF-8 text: East Asian characters take two columns.
std::size_t columns(const std::string& s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    width += len >= 3 ? 2 : 1;
    i += len;
  }
  return width;
}

std::string pad(const std::string& s, std::size_t width) {
  const std::size_t w = columns(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

}  // namespace

Status Report::worst() const noexcept {
  Status w = Status::Skip;
  for (const auto& c : checks_) {
    if (rank(c.status) > rank(w)) w = c.status;
  }
  return w;
}

int Report::exit_code() const noexcept {
  switch (worst()) {
    case Status::Fail: return 2;
    case Status::Warn: return 1;
    default: return 0;
  }
}

std::string Report::to_table() const {
  std::size_t area_w = 4;
  std::size_t name_w = 5;
  for (const auto& c : checks_) {
    area_w = std::max(area_w, columns(c.area));
    name_w = std::max(name_w, columns(c.name));
  }
  std::ostringstream out;
  out << pad("AREA", area_w) << "  " << pad("CHECK", name_w) << "  RESULT  MEASURED\n";
  for (const auto& c : checks_) {
    out << pad(c.area, area_w) << "  " << pad(c.name, name_w) << "  " << pad(to_string(c.status), 6) << "  " << c.measured
        << "\n";
    if (!c.action.empty()) out << std::string(area_w + name_w + 12, ' ') << "-> " << c.action << "\n";
  }
  std::size_t counts[4] = {0, 0, 0, 0};
  for (const auto& c : checks_) ++counts[static_cast<int>(c.status)];
  out << "\n" << counts[0] << " PASS, " << counts[1] << " WARN, " << counts[2] << " FAIL, " << counts[3]
      << " SKIP; overall " << to_string(worst() == Status::Skip ? Status::Pass : worst()) << "\n";
  return out.str();
}

nlohmann::json Report::to_json() const {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : checks_) {
    checks.push_back({{"area", c.area}, {"check", c.name}, {"result", to_string(c.status)}, {"measured", c.measured},
                      {"action", c.action}});
  }
  return {{"overall", to_string(worst() == Status::Skip ? Status::Pass : worst())}, {"exit_code", exit_code()},
          {"checks", checks}};
}

}  // namespace kiosk::core::diagnostics
