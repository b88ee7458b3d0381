// The diagnostics page in the staff's language (issue 17 item 10): the report keeps its English
// (kiosk diag, tools) and gains the keys of its area, check and advice; every English text a key
// stands for still occurs in core/diagnostics or hal, so a reworded check cannot lose its
// translation unnoticed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/diagnostics/report.hpp"
#include "firmware/screen/diag_texts.hpp"
#include "tests/support/test_paths.hpp"

using namespace kiosk;
using core::diagnostics::Status;

namespace {

// The string literals of a C++ source, adjacent ones joined ("a " "b" is "a b").
std::set<std::string> literals(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  std::set<std::string> out;
  std::string current;
  bool joining = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '/') {  // a comment: to the end of the line
      i = s.find('\n', i);
      if (i == std::string::npos) break;
      continue;
    }
    if (s[i] == '\'') {  // a character literal: skip it ('"' must not open a string)
      i += (i + 1 < s.size() && s[i + 1] == '\\') ? 3U : 2U;
      continue;
    }
    if (s[i] != '"') {
      if (joining && s[i] != ' ' && s[i] != '\n' && s[i] != '\t') {
        out.insert(current);
        current.clear();
        joining = false;
      }
      continue;
    }
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      current += s[i];
    }
    joining = true;
  }
  if (joining) out.insert(current);
  return out;
}

}  // namespace

TEST_CASE("diagnostics for the staff page: the English stays, the keys of area, check and advice are added") {
  core::diagnostics::Report report;
  report.add({"pcsc", "card service (pcscd)", Status::Fail, "no-service: SCardEstablishContext failed",
              "start the PC/SC service: systemctl start pcscd.socket (or pcscd), then run the check again"});
  report.add({"usb", "card reader 054c:0dc8", Status::Pass, "054c:0dc8 bus 1 port 1-2", ""});
  report.add({"host", "a check nobody translated", Status::Warn, "42", "some new advice"});
  const nlohmann::json j = firmware::screen::with_text_keys(report.to_json());
  const auto& c = j.at("checks");
  REQUIRE(c.size() == 3);
  CHECK(c[0].at("check") == "card service (pcscd)");  // the English is untouched
  CHECK(c[0].at("area_key") == "staff.diag.area.pcsc");
  CHECK(c[0].at("check_key") == "staff.diag.name.pcscd");
  CHECK(c[0].at("action_key") == "staff.diag.advice.start_pcscd");
  CHECK(c[1].at("check_key") == "staff.diag.name.usb_card_reader");
  CHECK(c[1].at("check_detail") == "054c:0dc8");
  CHECK(c[1].at("action_key").is_null());  // a PASS has no advice
  CHECK(c[2].at("check_key").is_null());   // unknown: the page shows the English
  CHECK(c[2].at("action_key").is_null());
  CHECK(j.at("overall") == "FAIL");
}

TEST_CASE("diagnostics for the staff page: every English text with a key still occurs in core/diagnostics or hal") {
  std::set<std::string> known;
  for (const auto* dir : {"core/diagnostics", "hal"}) {
    for (const auto& e : std::filesystem::directory_iterator(test::source_dir() / dir)) {
      const auto ext = e.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      const auto found = literals(e.path());
      known.insert(found.begin(), found.end());
    }
  }
  REQUIRE(known.size() > 50);
  for (const std::string_view english : firmware::screen::diagnostics_english_texts()) {
    INFO(english);
    CHECK(known.count(std::string(english)) == 1);
  }
}
