// Finding a check by name in a list of results, and a report of them (the diagnostics tests).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/diagnostics/report.hpp"

namespace kiosk::test {

inline const core::diagnostics::CheckResult& find(const std::vector<core::diagnostics::CheckResult>& results, const std::string& name) {
  for (const auto& r : results) {
    if (r.name == name) return r;
  }
  FAIL("no check named '" << name << "'");
  throw std::logic_error("unreachable");
}

inline bool has(const std::vector<core::diagnostics::CheckResult>& results, const std::string& name) {
  for (const auto& r : results) {
    if (r.name == name) return true;
  }
  return false;
}

inline core::diagnostics::Report report_of(const std::vector<core::diagnostics::CheckResult>& checks) {
  core::diagnostics::Report r;
  r.add(checks);
  return r;
}

}  // namespace kiosk::test
