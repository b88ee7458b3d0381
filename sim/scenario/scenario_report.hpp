// Scenario results: what the runner reports per scenario, a human summary and JUnit XML (for
// CI). Results travel from a scenario's process to the runner as JSON.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kiosk::sim::scenario {

struct ScenarioResult {
  std::string name;
  std::string file;
  bool passed = false;
  bool skipped = false;
  std::string skip_reason;
  std::vector<std::string> failures;    // one block per failed check or error: what was expected, what was seen
  std::vector<std::string> transcript;  // screens and actions, in order
  double wall_seconds = 0;
  double virtual_seconds = 0;                  // the whole scenario in virtual time
  std::vector<double> reception_seconds;       // per reception: card placed -> result or notice, virtual time
};

nlohmann::json to_json(const ScenarioResult& r);
ScenarioResult result_from_json(const nlohmann::json& j);

// "PASS  pin-success.json  PIN success  (reception 6.4 s virtual, 0.31 s wall)" per scenario,
// the failures indented under a FAIL, then a count line.
void print_summary(std::ostream& out, const std::vector<ScenarioResult>& results, double wall_seconds);
std::string junit_xml(const std::vector<ScenarioResult>& results, const std::string& suite_name);
void write_junit(const std::filesystem::path& file, const std::vector<ScenarioResult>& results,
                 const std::string& suite_name = "kiosk-scenarios");

}  // namespace kiosk::sim::scenario
