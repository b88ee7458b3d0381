// The kiosk configuration file: the example loads, every problem is reported with its key,
// secrets never reach the support bundle.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "core/card/secret.hpp"
#include "firmware/kiosk/config.hpp"
#include "tests/support/test_paths.hpp"

using namespace kiosk;
using namespace kiosk::firmware::kiosk;

namespace {

class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("kiosk-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + ".json")) {
    std::ofstream(path_) << text;
  }
  ~ConfigFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  ConfigFile(const ConfigFile&) = delete;
  ConfigFile& operator=(const ConfigFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

bool reports(const firmware::kiosk::LoadedConfig& loaded, const std::string& text) {
  return std::any_of(loaded.errors.begin(), loaded.errors.end(),
                     [&](const std::string& e) { return e.find(text) != std::string::npos; });
}

std::string errors_of(const firmware::kiosk::LoadedConfig& loaded) {
  std::string out;
  for (const auto& e : loaded.errors) out += e + "\n";
  return out;
}

}  // namespace

TEST_CASE("config: no file gives the defaults, the example file loads without a problem") {
  const firmware::kiosk::LoadedConfig defaults = firmware::kiosk::load_config({});
  CHECK(defaults.errors.empty());
  CHECK(defaults.source == "built-in defaults");
  CHECK(defaults.config.screen_port == -1);
  CHECK(defaults.config.staff_accounts.empty());

  const firmware::kiosk::LoadedConfig example = firmware::kiosk::load_config(test::source_dir() / "firmware/kiosk/kiosk.example.json");
  INFO(errors_of(example));
  CHECK(example.errors.empty());
  const firmware::kiosk::KioskConfig& c = example.config;
  CHECK(c.terminal_id == "KIOSK-01");
  CHECK(c.eligibility_host == "eligibility.example.invalid");
  CHECK(c.eligibility_port == 443);
  CHECK(c.screen_port == 8080);
  CHECK(c.result_outbox() == "/srv/reception/oqs-results");
  CHECK(c.journal() == "/var/lib/kiosk/journal.sqlite");
  REQUIRE(c.staff_accounts.size() == 1);
  CHECK(c.staff_accounts.front().id == "staff-01");
  CHECK(c.staff.visual_check == std::chrono::minutes(30));
  CHECK(c.code_b_reserve == 1);
}

TEST_CASE("config: every problem is reported with its key, loading does not stop at the first") {
  const ConfigFile file(R"({
    "card_reader": {"expiry_warning_months": "soon", "typo": 1},
    "storage": {"journal_retention_days": 0},
    "eligibility": {"host": "svc.example", "port": 70000},
    "screen": {"port": -5},
    "face": {"code_b_reserve": -1},
    "staff": {"accounts": [{"id": "a b", "passcode_hash": "x"},
                           {"id": "staff-02", "passcode_hash": "plain"},
                           {"id": "staff-03"}],
              "max_failures": 0, "session_minutes": 0},
    "printer": {}
  })");
  const firmware::kiosk::LoadedConfig loaded = firmware::kiosk::load_config(file.path());
  INFO(errors_of(loaded));
  CHECK(reports(loaded, "card_reader.expiry_warning_months: a whole number from 0 to 12, found \"soon\""));
  CHECK(reports(loaded, "card_reader.typo: unknown key"));
  CHECK(reports(loaded, "storage.journal_retention_days: a whole number from 1 to 3650, found 0"));
  CHECK(reports(loaded, "eligibility.port: a whole number from 1 to 65535, found 70000"));
  CHECK(reports(loaded, "eligibility: ca_certificate, terminal_certificate and terminal_key are needed"));
  CHECK(reports(loaded, "screen.port: a whole number from -1 to 65535, found -5 (-1: no screen"));
  CHECK(reports(loaded, "face.code_b_reserve: a whole number from 0 to 9, found -1 (照合番号B tries the kiosk keeps)"));
  CHECK(reports(loaded, "staff.accounts[0].id"));
  CHECK(reports(loaded, "staff.accounts[1].passcode_hash"));
  CHECK(reports(loaded, "staff.accounts[2]: expected"));
  CHECK(reports(loaded, "staff.max_failures: a whole number from 1 to 100, found 0"));
  CHECK(reports(loaded, "staff.session_minutes"));
  CHECK(reports(loaded, "printer: unknown section"));
  CHECK(loaded.config.staff_accounts.empty());  // none of the broken accounts is usable
}

TEST_CASE("config: the certificate periods are calendar months, the old day keys are refused with the new key") {
  const ConfigFile months(R"({"card_reader": {"expiry_warning_months": 2, "grace_months_after_expiry": 3}})");
  const firmware::kiosk::LoadedConfig ok = firmware::kiosk::load_config(months.path());
  INFO(errors_of(ok));
  CHECK(ok.errors.empty());
  CHECK(ok.config.expiry_warning_months == 2);
  CHECK(ok.config.grace_months_after_expiry == 3);
  CHECK(firmware::kiosk::load_config({}).config.grace_months_after_expiry == 3);

  const ConfigFile days(R"({"card_reader": {"expiry_warning_days": 90, "grace_days_after_expiry": 90}})");
  const firmware::kiosk::LoadedConfig old = firmware::kiosk::load_config(days.path());
  INFO(errors_of(old));
  CHECK(old.errors.size() == 2);
  CHECK(reports(old, "card_reader.grace_days_after_expiry: no longer read"));
  CHECK(reports(old, "\"grace_months_after_expiry\": 3"));
  CHECK(reports(old, "card_reader.expiry_warning_days: no longer read"));
  CHECK(reports(old, "\"expiry_warning_months\": 3"));

  const ConfigFile wild(R"({"card_reader": {"grace_months_after_expiry": 13}})");
  CHECK(reports(firmware::kiosk::load_config(wild.path()), "card_reader.grace_months_after_expiry: a whole number from 0 to 12, found 13"));
}

TEST_CASE("config: a file that is not JSON, not an object, or not there is an error, not a crash") {
  const ConfigFile broken(R"({"terminal": {"id": )");
  CHECK(reports(firmware::kiosk::load_config(broken.path()), "not valid JSON"));
  const ConfigFile array(R"([1, 2])");
  CHECK(reports(firmware::kiosk::load_config(array.path()), "must be a JSON object"));
  CHECK(reports(firmware::kiosk::load_config("/nonexistent/kiosk.json"), "no such file"));
}

TEST_CASE("config: a staff account made with kiosk staff-passcode is accepted") {
  const std::string hash = firmware::staff::hash_passcode(core::card::Secret("246813"), firmware::staff::kMinPasscodeIterations);
  const ConfigFile file(R"({"staff": {"accounts": [{"id": "staff-07", "passcode_hash": ")" + hash +
                        R"("}], "visual_check_minutes": 45}})");
  const firmware::kiosk::LoadedConfig loaded = firmware::kiosk::load_config(file.path());
  INFO(errors_of(loaded));
  CHECK(loaded.errors.empty());
  REQUIRE(loaded.config.staff_accounts.size() == 1);
  CHECK(loaded.config.staff_accounts.front().id == "staff-07");
  CHECK(loaded.config.staff.visual_check == std::chrono::minutes(45));
}

TEST_CASE("config: the support bundle's copy hides keys, passcode hashes and secrets") {
  const nlohmann::json raw = nlohmann::json::parse(R"({
    "eligibility": {"host": "svc.example", "terminal_key": "/etc/kiosk/terminal.key"},
    "staff": {"accounts": [{"id": "staff-07", "passcode_hash": "pbkdf2-sha256$600000$aa$bb"}]}
  })");
  const std::string shown = redacted(raw).dump();
  CHECK(shown.find("svc.example") != std::string::npos);
  CHECK(shown.find("staff-07") != std::string::npos);
  CHECK(shown.find("/etc/kiosk/terminal.key") == std::string::npos);
  CHECK(shown.find("pbkdf2-sha256") == std::string::npos);
}

TEST_CASE("config: the face pipeline finds the model files directly in face.model_dir") {
  firmware::kiosk::KioskConfig c;
  c.model_dir = "/usr/share/kiosk/models";
  const core::face::FaceConfig fc = face_config(c);
  CHECK(fc.resolve(fc.detector.model) == "/usr/share/kiosk/models/face_detection_yunet_2022mar.onnx");
  CHECK(fc.resolve(fc.recognizer.model).parent_path() == "/usr/share/kiosk/models");
  CHECK(fc.recognizer.cohort.empty());  // no score cohort unless configured
}

TEST_CASE("config: face.score_cohort is read and resolved against face.model_dir") {
  const ConfigFile file(R"({"face": {"model_dir": "/usr/share/kiosk/models", "score_cohort": "score_cohort.yml.gz"}})");
  const LoadedConfig loaded = load_config(file.path());
  INFO(errors_of(loaded));
  CHECK(loaded.errors.empty());
  CHECK(loaded.config.score_cohort == "score_cohort.yml.gz");
  const core::face::FaceConfig fc = face_config(loaded.config);
  CHECK(fc.resolve(fc.recognizer.cohort) == "/usr/share/kiosk/models/score_cohort.yml.gz");
  const ConfigFile absolute(R"({"face": {"score_cohort": "/var/lib/kiosk/cohort.yml"}})");
  const core::face::FaceConfig fa = face_config(load_config(absolute.path()).config);
  CHECK(fa.resolve(fa.recognizer.cohort) == "/var/lib/kiosk/cohort.yml");
}

TEST_CASE("config: cameras by source string, the scanner camera and the card-surface layout") {
  const ConfigFile good(R"({"face": {"camera": "dir:/srv/recorded/faces?fps=5", "scanner_camera": "2"}})");
  const LoadedConfig loaded = load_config(good.path());
  INFO(errors_of(loaded));
  CHECK(loaded.errors.empty());
  CHECK(loaded.config.camera == "dir:/srv/recorded/faces?fps=5");
  CHECK(loaded.config.scanner_camera == "2");
  CHECK(loaded.config.surface_layout.empty());
  CHECK(load_config({}).config.scanner_camera.empty());  // not configured: no scanner

  const ConfigFile layout_file(R"({"layout": {"margin_mm": [5.0, 3.5]}, "read": {"frames_to_agree": 3}})");
  const ConfigFile with_layout(R"({"face": {"scanner_camera": "/dev/video2", "surface_layout": ")" +
                               layout_file.path().string() + R"("}})");
  CHECK(load_config(with_layout.path()).errors.empty());

  const ConfigFile bad_layout_file(R"({"layout": {"birth": {}}})");
  const ConfigFile bad(R"({"face": {"camera": "webcam", "scanner_camera": "file:", "surface_layout": ")" +
                       bad_layout_file.path().string() + R"("}})");
  const LoadedConfig wrong = load_config(bad.path());
  CHECK(reports(wrong, "face.camera: camera source 'webcam'"));
  CHECK(reports(wrong, "face.scanner_camera: camera source 'file:'"));
  CHECK(reports(wrong, "face.surface_layout: layout.birth"));
  const ConfigFile missing(R"({"face": {"surface_layout": "/nonexistent/layout.json"}})");
  CHECK(reports(load_config(missing.path()), "face.surface_layout: /nonexistent/layout.json"));
}
