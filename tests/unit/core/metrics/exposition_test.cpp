#include <catch2/catch.hpp>

#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "core/journal/journal.hpp"
#include "core/metrics/exposition.hpp"

using namespace kiosk;
using namespace std::chrono_literals;
namespace metrics = kiosk::core::metrics;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kiosk-metrics-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A small parser of the text exposition format 0.0.4 (what the node exporter's textfile
// collector accepts): every line a HELP, a TYPE before the family's samples, or a sample
// `name{label="value",...} number`. Returns the samples as "name{labels}" -> value and fails
// the test on any malformed line or repeated series.
std::map<std::string, double> parse_exposition(const std::string& text) {
  static const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$)");
  static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|untyped)$)");
  static const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:\\[\\"n]|[^"\\\n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:\\[\\"n]|[^"\\\n])*")*\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)$)");
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  std::map<std::string, double> samples;
  std::set<std::string> typed;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    INFO("line: " << line);
    std::smatch m;
    if (std::regex_match(line, m, help)) continue;
    if (std::regex_match(line, m, type)) {
      CHECK(typed.insert(m[1]).second);  // one TYPE per family
      continue;
    }
    REQUIRE(std::regex_match(line, m, sample));
    CHECK(typed.count(m[1]) == 1);  // TYPE comes before the samples
    const std::string series = std::string(m[1]) + std::string(m[2]);
    CHECK(samples.count(series) == 0);
    samples[series] = std::stod(m[3]);
  }
  return samples;
}

core::journal::Record record(std::string event, std::string method, std::string code, std::chrono::system_clock::time_point at,
                       std::string kind = "reception") {
  core::journal::Record r;
  r.kind = std::move(kind);
  r.event = std::move(event);
  r.method = std::move(method);
  r.message_code = std::move(code);
  r.at = at;
  return r;
}

}  // namespace

TEST_CASE("metrics: receptions and failures of the last hour from a real journal") {
  TempDir dir;
  auto j = core::journal::Journal::open(dir.path() / "journal.sqlite", "KIOSK-07");
  const auto now = std::chrono::system_clock::now();
  j.append({"reception", "reception-completed", "pin", "qualification valid", ""}, now - 5min);
  j.append({"reception", "pin-wrong", "pin", "2 tries left", "K110"}, now - 4min);
  j.append({"reception", "pin-wrong", "pin", "1 tries left", "K110"}, now - 3min);
  j.append({"reception", "reception-completed", "face", "qualification valid", ""}, now - 2min);
  j.append({"reception", "card-refused", "", "certificate expired", "006"}, now - 1min);
  j.append({"staff", "login-failed", "", "staff-01", ""}, now - 1min);          // staff: not a reception
  j.append({"reception", "reception-completed", "pin", "old", ""}, now - 2h);   // outside the hour
  j.append({"reception", "timed-out", "pin", "old", "K120"}, now - 61min);       // outside the hour

  metrics::Inputs in;
  in.terminal_id = "KIOSK-07";
  in.version = "0.1.0";
  in.records = j.since(now - 3h);
  in.now = now;
  const auto s = parse_exposition(metrics::format_exposition(in));

  CHECK(s.at(R"(kiosk_info{terminal="KIOSK-07",version="0.1.0"})") == 1);
  CHECK(s.at(R"(kiosk_receptions_last_hour{method="pin",outcome="completed"})") == 1);
  CHECK(s.at(R"(kiosk_receptions_last_hour{method="face",outcome="completed"})") == 1);
  CHECK(s.at(R"(kiosk_receptions_last_hour{method="none",outcome="not_completed"})") == 1);
  CHECK(s.at(R"(kiosk_receptions_last_hour{method="pin",outcome="not_completed"})") == 0);  // wrong PINs are steps
  CHECK(s.at(R"(kiosk_receptions_last_hour{method="visual",outcome="completed"})") == 0);   // always present
  CHECK(s.at(R"(kiosk_reception_failures_last_hour{code="K110"})") == 2);
  CHECK(s.at(R"(kiosk_reception_failures_last_hour{code="006"})") == 1);
  CHECK(s.count(R"(kiosk_reception_failures_last_hour{code="K120"})") == 0);
  CHECK(s.at("kiosk_metrics_timestamp_seconds") ==
        Approx(static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count())));
  // Nothing measured about the devices: those families are absent, not reported as down.
  CHECK(s.count("kiosk_reader_present") == 0);
  CHECK(s.count("kiosk_camera_ok") == 0);
  CHECK(s.count("kiosk_health_checked_timestamp_seconds") == 0);
}

TEST_CASE("metrics: device health from a diagnostics report") {
  using core::diagnostics::Status;
  core::diagnostics::Report report;
  report.add({"pcsc", "card service (pcscd)", Status::Pass, "pcscd 1.9.9", ""});
  report.add({"pcsc", "readers", Status::Pass, "SONY FeliCa Port/PaSoRi 4.0", ""});
  report.add({"pcsc", "configured reader", Status::Fail, "'ACS ACR1252' not found", "plug it in"});
  report.add({"camera", "camera opens", Status::Pass, "/dev/video0", ""});
  report.add({"camera", "frame rate", Status::Warn, "12 fps", "more light"});
  report.add({"camera", "face detected", Status::Skip, "nobody in front", ""});
  report.add({"service", "reachability", Status::Fail, "connection refused", "check the line"});
  const auto at = std::chrono::system_clock::time_point(std::chrono::seconds(1'780'000'000));
  const auto h = metrics::health_from_report(report, at);
  CHECK(h.card_service_up == true);
  CHECK(h.reader_present == false);  // the configured reader decides, not "some reader"
  CHECK(h.camera_ok == true);        // WARN still works; SKIP says nothing
  CHECK(h.service_reachable == false);

  metrics::Inputs in;
  in.terminal_id = "KIOSK-01";
  in.health = h;
  in.now = at + 10s;
  const auto s = parse_exposition(metrics::format_exposition(in));
  CHECK(s.at("kiosk_card_service_up") == 1);
  CHECK(s.at("kiosk_reader_present") == 0);
  CHECK(s.at("kiosk_camera_ok") == 1);
  CHECK(s.at("kiosk_eligibility_service_reachable") == 0);
  CHECK(s.at("kiosk_health_checked_timestamp_seconds") == 1'780'000'000.0);

  SECTION("a failing camera check makes the camera not ok; no service check leaves it unmeasured") {
    core::diagnostics::Report r2;
    r2.add({"camera", "camera opens", Status::Pass, "", ""});
    r2.add({"camera", "frame rate", Status::Fail, "0 fps", "replace it"});
    r2.add({"pcsc", "readers", Status::Pass, "one reader", ""});
    r2.add({"service", "reachability", Status::Skip, "not configured", ""});
    const auto h2 = metrics::health_from_report(r2);
    CHECK(h2.camera_ok == false);
    CHECK(h2.reader_present == true);  // no configured reader: any reader counts
    CHECK_FALSE(h2.service_reachable.has_value());
    CHECK_FALSE(h2.card_service_up.has_value());
    CHECK_FALSE(h2.checked_at.has_value());
  }
}

TEST_CASE("metrics: label values are escaped, so a hostile terminal id or code cannot break the file") {
  CHECK(metrics::escape_label_value(R"(a"b\c)") == R"(a\"b\\c)");
  CHECK(metrics::escape_label_value("line\nbreak") == "line\\nbreak");
  metrics::Inputs in;
  in.terminal_id = "KIOSK \"01\"\n# TYPE evil gauge";
  in.version = "1\\2";
  in.now = std::chrono::system_clock::now();
  in.records.push_back(record("pin-wrong", "pin", "K1\"10\n", in.now - 1s));
  const auto text = metrics::format_exposition(in);
  const auto s = parse_exposition(text);
  CHECK(s.at(R"(kiosk_info{terminal="KIOSK \"01\"\n# TYPE evil gauge",version="1\\2"})") == 1);
  CHECK(s.at(R"(kiosk_reception_failures_last_hour{code="K1\"10\n"})") == 1);
  CHECK(text.find("\n# TYPE evil") == std::string::npos);
}

TEST_CASE("metrics: only the in-reception steps are not receptions") {
  CHECK(metrics::is_step_event("pin-wrong"));
  CHECK(metrics::is_step_event("pin-locked"));
  CHECK(metrics::is_step_event("face-failed"));
  CHECK_FALSE(metrics::is_step_event("reception-completed"));
  CHECK_FALSE(metrics::is_step_event("card-removed"));
  // A locked PIN is a failure by code and ends in a session end of its own.
  metrics::Inputs in;
  in.now = std::chrono::system_clock::now();
  in.records = {record("pin-locked", "pin", "K112", in.now - 2s), record("authentication-impossible", "pin", "K112", in.now - 1s),
                record("visual-check-on", "visual", "", in.now - 1s, "staff")};
  const auto s = parse_exposition(metrics::format_exposition(in));
  CHECK(s.at(R"(kiosk_reception_failures_last_hour{code="K112"})") == 2);
  CHECK(s.at(R"(kiosk_receptions_last_hour{method="pin",outcome="not_completed"})") == 1);
  CHECK(s.at(R"(kiosk_receptions_last_hour{method="visual",outcome="completed"})") == 0);
}
