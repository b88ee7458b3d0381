// Diagnostics for field technicians: each check says PASS / WARN / FAIL, what was measured and
// what to do. A report renders as a table for people and as JSON for tools, and its exit code
// reflects the worst result.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiosk::core::diagnostics {

enum class Status { Pass, Warn, Fail, Skip };

constexpr const char* to_string(Status s) {
  switch (s) {
    case Status::Pass: return "PASS";
    case Status::Warn: return "WARN";
    case Status::Fail: return "FAIL";
    case Status::Skip: return "SKIP";
  }
  return "?";
}

struct CheckResult {
  std::string area;      // "usb", "pcsc", "card", "host", ...
  std::string name;      // what was checked
  Status status = Status::Pass;
  std::string measured;  // what was found, with figures
  std::string action;    // what the technician should do (empty for PASS)
};

class Report {
 public:
  void add(CheckResult result) { checks_.push_back(std::move(result)); }
  void add(const std::vector<CheckResult>& results) { checks_.insert(checks_.end(), results.begin(), results.end()); }
  const std::vector<CheckResult>& checks() const noexcept { return checks_; }

  Status worst() const noexcept;
  // 0: all PASS (or SKIP), 1: some WARN, 2: some FAIL.
  int exit_code() const noexcept;
  std::string to_table() const;
  nlohmann::json to_json() const;

 private:
  std::vector<CheckResult> checks_;
};

}  // namespace kiosk::core::diagnostics
