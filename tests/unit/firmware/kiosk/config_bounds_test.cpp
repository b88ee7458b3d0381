// The configuration's numbers and durations are bounded and never wrapped, a hostile file is an
// error naming the file and key, and the start-up housekeeping cannot overflow (issue 18,
// reliability 1, 3, 7 and 10; security 6: file modes and the outbox purge).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "core/board/board.hpp"
#include "drivers/system/system_clock.hpp"
#include "firmware/kiosk/config.hpp"
#include "firmware/kiosk/run_command.hpp"
#include "hal/files.hpp"
#include "tests/support/test_cards.hpp"

using namespace kiosk;
using namespace kiosk::firmware::kiosk;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

LoadedConfig load_text(const test::TempDir& dir, const std::string& text) {
  const fs::path file = dir.path() / "kiosk.json";
  std::ofstream(file, std::ios::trunc) << text;
  return load_config(file);
}

std::string errors_of(const LoadedConfig& loaded) {
  std::string out;
  for (const auto& e : loaded.errors) out += e + "\n";
  return out;
}

unsigned mode_of(const fs::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("config bounds: numbers that would wrap or be truncated are refused with the value as written") {
  test::TempDir dir;
  const LoadedConfig loaded = load_text(dir, R"({
    "storage": {"data_dir": "/var/lib/kiosk", "journal_retention_days": 999999, "outbox_retention_days": 0},
    "eligibility": {"host": "svc.example", "port": 4294967305, "ca_certificate": "a", "terminal_certificate": "b", "terminal_key": "c"},
    "screen": {"port": 443.9},
    "card_reader": {"expiry_warning_months": -2147483649, "accepted_models": ["SONY FeliCa RC-S300/S", 7]},
    "staff": {"max_failures": 4294967297, "session_minutes": 2.9}
  })");
  const std::string errors = errors_of(loaded);
  INFO(errors);
  CHECK_THAT(errors, Catch::Contains("storage.journal_retention_days: a whole number from 1 to 3650, found 999999"));
  CHECK_THAT(errors, Catch::Contains("storage.outbox_retention_days: a whole number from 1 to 366, found 0"));
  CHECK_THAT(errors, Catch::Contains("eligibility.port: a whole number from 1 to 65535, found 4294967305"));
  CHECK_THAT(errors, Catch::Contains("screen.port: a whole number from -1 to 65535, found 443.9"));
  CHECK_THAT(errors, Catch::Contains("card_reader.expiry_warning_months: a whole number from 0 to 12, found -2147483649"));
  CHECK_THAT(errors, Catch::Contains("card_reader.accepted_models: expected a list of strings"));
  CHECK_THAT(errors, Catch::Contains("staff.max_failures: a whole number from 1 to 100, found 4294967297"));
  CHECK_THAT(errors, Catch::Contains("staff.session_minutes: a whole number from 1 to 60, found 2.9"));
  // Nothing wrapped into the configuration: the defaults stay.
  CHECK(loaded.config.eligibility_port == 443);
  CHECK(loaded.config.journal_retention_days == 90);
  CHECK(loaded.config.staff.max_failures == 5);
  CHECK(loaded.config.staff.session == 5min);
}

TEST_CASE("config bounds: whole numbers written as 443.0 are taken, reader models are read") {
  test::TempDir dir;
  const LoadedConfig loaded = load_text(dir, R"({
    "storage": {"data_dir": "/var/lib/kiosk", "outbox_retention_days": 14},
    "card_reader": {"accepted_models": ["SONY FeliCa RC-S300/S"]},
    "screen": {"port": 8080.0}
  })");
  INFO(errors_of(loaded));
  CHECK(loaded.errors.empty());
  CHECK(loaded.config.screen_port == 8080);
  CHECK(loaded.config.outbox_retention_days == 14);
  CHECK(loaded.config.accepted_models == std::vector<std::string>{"SONY FeliCa RC-S300/S"});
}

TEST_CASE("config bounds: 1e400, a directory, a deep value and a huge file are errors that name the file") {
  test::TempDir dir;
  CHECK_THAT(errors_of(load_text(dir, R"({"storage": {"journal_retention_days": 1e400}})")),
             Catch::Contains("kiosk.json: not usable JSON") && Catch::Contains("number overflow"));
  CHECK_THAT(errors_of(load_config(dir.path())), Catch::Contains(dir.path().string() + ": is a directory"));
  const std::string deep = R"({"terminal": {"id": )" + std::string(20000, '[') + std::string(20000, ']') + "}}";
  CHECK_THAT(errors_of(load_text(dir, deep)), Catch::Contains("nested deeper than 16 levels"));
  CHECK_THAT(errors_of(load_text(dir, std::string(300 * 1024, ' ') + "{}")), Catch::Contains("more than the 262144 allowed"));
  CHECK_THAT(errors_of(load_text(dir, R"({"terminal": {"id": [[[1]]]}})")), Catch::Contains("terminal.id: expected a string, found [[[1]]]"));
}

TEST_CASE("config bounds: the support bundle's redaction of a value nested 100,000 deep does not recurse into it") {
  nlohmann::json deep = nlohmann::json::array();
  nlohmann::json* at = &deep;
  for (int i = 0; i < 100000; ++i) {
    at->push_back(nlohmann::json::array());
    at = &at->back();
  }
  const nlohmann::json config{{"terminal", {{"id", "K"}}}, {"extra", std::move(deep)}};
  const nlohmann::json shown = redacted(config);
  CHECK(shown["terminal"]["id"] == "K");
  CHECK(shown.dump().find("nested too deep") != std::string::npos);
}

TEST_CASE("housekeeping: a retention of 999,999 days keeps the journal, old result files go, fresh ones stay") {
  test::TempDir dir;
  KioskConfig c;
  c.data_dir = dir.path();
  c.journal_retention_days = 999999;  // past the configuration's bound: housekeeping must not overflow anyway
  c.outbox_retention_days = 7;
  core::board::Board board;
  board.clock = std::make_unique<drivers::system::SystemClock>();
  board.journal = std::make_unique<core::journal::Journal>(core::journal::Journal::open(c.journal(), "K"));
  const auto now = std::chrono::system_clock::now();
  board.journal->append({"reception", "reception-completed", "pin", "ok", ""}, now - std::chrono::days(400));
  board.journal->append({"reception", "reception-completed", "pin", "ok", ""}, now);
  fs::create_directories(c.result_outbox());
  board.results = std::make_unique<core::eligibility::ResultFileWriter>(c.result_outbox());
  const fs::path old_result = c.result_outbox() / "OQS_res_20240101120000_a.xml";
  const fs::path fresh_result = c.result_outbox() / "OQS_res_20250101120000_b.xml";
  const fs::path stale_temp = c.result_outbox() / ".OQS_res_20240101120000_c.xml.1234.tmp";
  const fs::path other = c.result_outbox() / "README.txt";
  for (const auto& f : {old_result, fresh_result, stale_temp, other}) std::ofstream(f) << "x";
  const auto file_now = fs::file_time_type::clock::now();
  fs::last_write_time(old_result, file_now - std::chrono::days(8));
  fs::last_write_time(stale_temp, file_now - 2h);
  fs::last_write_time(other, file_now - std::chrono::days(30));

  const auto done = housekeeping(board, c);
  CHECK(board.journal->since(now - std::chrono::days(1000)).size() == 2);  // nothing purged
  CHECK_FALSE(fs::exists(old_result));
  CHECK(fs::exists(fresh_result));
  CHECK_FALSE(fs::exists(stale_temp));
  CHECK(fs::exists(other));
  REQUIRE(done.size() == 2);

  c.journal_retention_days = 90;
  housekeeping(board, c);
  CHECK(board.journal->since(now - std::chrono::days(1000)).size() == 1);
}

TEST_CASE("retention cutoff: computed in days, saturated instead of overflowing") {
  const auto now = std::chrono::system_clock::now();
  CHECK(core::journal::retention_cutoff(now, std::chrono::days(90)) == now - std::chrono::days(90));
  CHECK(core::journal::retention_cutoff(now, std::chrono::days(999999)) == std::chrono::system_clock::time_point::min());
  CHECK(core::journal::retention_cutoff(now, std::chrono::days(std::numeric_limits<int>::max())) ==
        std::chrono::system_clock::time_point::min());
}

TEST_CASE("file modes: the journal and its WAL are the owner's only, files are replaced whole") {
  test::TempDir dir;
  const mode_t old_mask = ::umask(022);
  {
    auto journal = core::journal::Journal::open(dir.path() / "journal.sqlite", "K");
    journal.append({"system", "start", "", "", ""}, std::chrono::system_clock::now());
    CHECK(mode_of(dir.path() / "journal.sqlite") == 0600);
    CHECK(mode_of(dir.path() / "journal.sqlite-wal") == 0600);
  }
  // An existing journal that was world-readable is tightened.
  fs::permissions(dir.path() / "journal.sqlite", fs::perms(0644), fs::perm_options::replace);
  { auto journal = core::journal::Journal::open(dir.path() / "journal.sqlite", "K"); }
  CHECK(mode_of(dir.path() / "journal.sqlite") == 0600);

  const fs::path bundle = dir.path() / "bundle.json";
  hal::write_file_atomically(bundle, "{\"a\": 1}\n", 0600);
  CHECK(mode_of(bundle) == 0600);
  hal::write_file_atomically(bundle, "{\"a\": 2}\n", 0600);
  std::ifstream in(bundle);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "{\"a\": 2}\n");
  std::size_t leftovers = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) leftovers += e.path().extension() == ".tmp" ? 1U : 0U;
  CHECK(leftovers == 0);
  ::umask(old_mask);
}

TEST_CASE("kiosk run: a configuration without storage.data_dir is refused before anything starts") {
  test::TempDir dir;
  const fs::path file = dir.path() / "kiosk.json";
  std::ofstream(file) << R"({"card_reader": {"reader": "Reader A"}})";
  const fs::path before = fs::current_path();
  fs::create_directories(dir.path() / "cwd");
  fs::current_path(dir.path() / "cwd");
  const int status = run_on_hardware(file, 1);
  fs::current_path(before);
  CHECK(status == 1);
  CHECK_FALSE(fs::exists(dir.path() / "cwd" / "var"));  // no journal made under the current directory
}
