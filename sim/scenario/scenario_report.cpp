#include "sim/scenario/scenario_report.hpp"

#include <cstdio>
#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "hal/files.hpp"

namespace kiosk::sim::scenario {

nlohmann::json to_json(const ScenarioResult& r) {
  return {{"name", r.name},
          {"file", r.file},
          {"passed", r.passed},
          {"skipped", r.skipped},
          {"skip_reason", r.skip_reason},
          {"failures", r.failures},
          {"transcript", r.transcript},
          {"wall_seconds", r.wall_seconds},
          {"virtual_seconds", r.virtual_seconds},
          {"reception_seconds", r.reception_seconds}};
}

ScenarioResult result_from_json(const nlohmann::json& j) {
  ScenarioResult r;
  r.name = j.value("name", "");
  r.file = j.value("file", "");
  r.passed = j.value("passed", false);
  r.skipped = j.value("skipped", false);
  r.skip_reason = j.value("skip_reason", "");
  r.failures = j.value("failures", std::vector<std::string>{});
  r.transcript = j.value("transcript", std::vector<std::string>{});
  r.wall_seconds = j.value("wall_seconds", 0.0);
  r.virtual_seconds = j.value("virtual_seconds", 0.0);
  r.reception_seconds = j.value("reception_seconds", std::vector<double>{});
  return r;
}

namespace {

std::string seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", s);
  return buffer;
}

std::string receptions(const ScenarioResult& r) {
  if (r.reception_seconds.empty()) return "no reception";
  std::string out = r.reception_seconds.size() == 1 ? "reception " : "receptions ";
  for (std::size_t i = 0; i < r.reception_seconds.size(); ++i) out += (i ? ", " : "") + seconds(r.reception_seconds[i]) + " s";
  return out + " virtual";
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';  // not allowed in XML 1.0
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

void print_summary(std::ostream& out, const std::vector<ScenarioResult>& results, double wall_seconds) {
  int passed = 0, failed = 0, skipped = 0;
  for (const auto& r : results) {
    const char* verdict = r.skipped ? "SKIP" : r.passed ? "PASS" : "FAIL";
    out << verdict << "  " << r.file << "  " << r.name << "  (" << receptions(r) << ", " << seconds(r.virtual_seconds)
        << " s virtual in all, " << seconds(r.wall_seconds) << " s wall)\n";
    if (r.skipped) {
      ++skipped;
      out << "      " << r.skip_reason << "\n";
    } else if (r.passed) {
      ++passed;
    } else {
      ++failed;
      for (const auto& f : r.failures) {
        std::istringstream lines(f);
        std::string line;
        while (std::getline(lines, line)) out << "      " << line << "\n";
      }
    }
  }
  out << results.size() << " scenario(s): " << passed << " passed, " << failed << " failed, " << skipped << " skipped in "
      << seconds(wall_seconds) << " s wall\n";
}

std::string junit_xml(const std::vector<ScenarioResult>& results, const std::string& suite_name) {
  int failures = 0, skipped = 0;
  double total = 0;
  for (const auto& r : results) {
    if (r.skipped) {
      ++skipped;
    } else if (!r.passed) {
      ++failures;
    }
    total += r.wall_seconds;
  }
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x << "<testsuites>\n<testsuite name=\"" << xml_escape(suite_name) << "\" tests=\"" << results.size()
    << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\"" << seconds(total) << "\">\n";
  for (const auto& r : results) {
    x << "  <testcase classname=\"" << xml_escape(r.file) << "\" name=\"" << xml_escape(r.name) << "\" time=\""
      << seconds(r.wall_seconds) << "\">\n";
    if (r.skipped) {
      x << "    <skipped message=\"" << xml_escape(r.skip_reason) << "\"/>\n";
    } else if (!r.passed) {
      const std::string first = r.failures.empty() ? "failed" : r.failures.front().substr(0, r.failures.front().find('\n'));
      std::string body;
      for (const auto& f : r.failures) body += f + "\n";
      x << "    <failure message=\"" << xml_escape(first) << "\">" << xml_escape(body) << "</failure>\n";
    }
    std::string transcript;
    for (const auto& t : r.transcript) transcript += t + "\n";
    x << "    <system-out>" << xml_escape(transcript) << "virtual time: " << seconds(r.virtual_seconds)
      << " s\n</system-out>\n";
    x << "  </testcase>\n";
  }
  x << "</testsuite>\n</testsuites>\n";
  return x.str();
}

void write_junit(const std::filesystem::path& file, const std::vector<ScenarioResult>& results,
                 const std::string& suite_name) {
  try {
    hal::write_file_atomically(file, junit_xml(results, suite_name), 0644);
  } catch (const std::system_error& e) {
    throw std::runtime_error("cannot write the JUnit report " + file.string() + ": " + e.what());
  }
}

}  // namespace kiosk::sim::scenario
