// Scenario reports: JUnit XML, the summary, the JSON a scenario process hands back.
#include <catch2/catch.hpp>

#include <sstream>

#include "sim/scenario/scenario_report.hpp"

using namespace kiosk::sim::scenario;

namespace {

std::vector<ScenarioResult> sample() {
  ScenarioResult pass;
  pass.name = "PIN <success>";
  pass.file = "pin.json";
  pass.passed = true;
  pass.reception_seconds = {6.25};
  pass.virtual_seconds = 6.5;
  pass.transcript = {"[0.000 s] screen : idle"};
  ScenarioResult fail;
  fail.name = "lock";
  fail.file = "lock.json";
  fail.failures = {"step 3 (check): expectation not met\n  screen: expected notice, seen pin-entry"};
  ScenarioResult skip;
  skip.name = "face";
  skip.file = "face.json";
  skip.skipped = true;
  skip.skip_reason = "no face models";
  return {pass, fail, skip};
}

}  // namespace

TEST_CASE("report: JUnit XML counts failures and skips and escapes text") {
  const std::string xml = junit_xml(sample(), "kiosk-scenarios");
  CHECK(xml.find(R"(<testsuite name="kiosk-scenarios" tests="3" failures="1" errors="0" skipped="1")") != std::string::npos);
  CHECK(xml.find(R"(name="PIN &lt;success&gt;")") != std::string::npos);
  CHECK(xml.find(R"(<failure message="step 3 (check): expectation not met">)") != std::string::npos);
  CHECK(xml.find("screen: expected notice, seen pin-entry") != std::string::npos);
  CHECK(xml.find(R"(<skipped message="no face models"/>)") != std::string::npos);
}

TEST_CASE("report: the summary shows verdicts, reception times and indented failures") {
  std::ostringstream out;
  print_summary(out, sample(), 1.5);
  const std::string s = out.str();
  CHECK(s.find("PASS  pin.json  PIN <success>  (reception 6.25 s virtual") != std::string::npos);
  CHECK(s.find("FAIL  lock.json") != std::string::npos);
  CHECK(s.find("\n        screen: expected notice, seen pin-entry\n") != std::string::npos);
  CHECK(s.find("3 scenario(s): 1 passed, 1 failed, 1 skipped") != std::string::npos);
}

TEST_CASE("report: a result survives the trip through JSON") {
  const auto original = sample()[1];
  const auto back = result_from_json(to_json(original));
  CHECK(back.name == original.name);
  CHECK(back.failures == original.failures);
  CHECK_FALSE(back.passed);
}
