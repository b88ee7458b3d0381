// hardware_board(config): every member of the Board from a complete configuration, and notes for
// what a configuration leaves out. Nothing here needs a reader, a camera or a network: the
// factory opens devices lazily and loads files.
#include <catch2/catch.hpp>

#include <chrono>

#include "core/board/board.hpp"
#include "firmware/kiosk/hardware_board.hpp"
#include "sim/eligibility/service.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/support/test_paths.hpp"

using namespace kiosk;

namespace {

// A configuration with every section filled: trust anchors, the service's files, storage, models.
firmware::kiosk::KioskConfig complete_config(const std::filesystem::path& dir) {
  const auto service = sim::eligibility::init_service_directory(dir / "service", "1312345678", std::chrono::system_clock::now());
  firmware::kiosk::KioskConfig c;
  c.terminal_id = "KIOSK-TEST";
  c.reader = "ACS ACR1252 Dual Reader PICC 00 00";
  c.jpki_ca_dir = test::test_ca_directory();
  c.data_dir = dir / "data";
  c.eligibility_host = "127.0.0.1";
  c.eligibility_port = 9;  // nothing listens: the factory connects to nothing
  c.eligibility_ca_certificate = service.service_ca;
  c.terminal_certificate = service.terminal_certificate;
  c.terminal_key = service.terminal_key;
  c.model_dir = test::faces_dir() / "models";
  // Recorded input: the board opens no camera while it is built, and diagnostics need no device.
  c.camera = "dir:" + (dir / "face-frames").string();
  c.scanner_camera = "dir:" + (dir / "tray-frames").string();
  return c;
}

}  // namespace

TEST_CASE("hardware board: fills every member from a complete configuration") {
  if (!std::filesystem::is_directory(test::faces_dir() / "models")) FAIL("the face set is missing: " << test::faces_dir());
  test::TempDir dir;
  const auto config = complete_config(dir.path());
  core::board::Board b = firmware::kiosk::hardware_board(config);
  std::string notes;
  for (const auto& n : b.notes) notes += n + "\n";
  INFO("notes:\n" << notes);
  CHECK(core::board::missing_members(b).empty());
  CHECK(b.face_ready());
  CHECK(b.kind == "hardware");
  CHECK(b.terminal_id == "KIOSK-TEST");
  CHECK(b.reader == config.reader);
  CHECK(b.face_camera.describe() == config.camera);
  CHECK(std::filesystem::exists(config.journal()));
  CHECK(std::filesystem::is_directory(config.result_outbox()));
  CHECK(core::board::missing_essentials(b).empty());
}

TEST_CASE("hardware board: a configured score cohort that is missing leaves the face path off, with a note") {
  if (!std::filesystem::is_directory(test::faces_dir() / "models")) FAIL("the face set is missing: " << test::faces_dir());
  test::TempDir dir;
  auto config = complete_config(dir.path());
  config.score_cohort = dir.path() / "no-cohort.yml.gz";
  core::board::Board b = firmware::kiosk::hardware_board(config);
  CHECK_FALSE(b.face);
  CHECK_FALSE(b.face_ready());
  std::string notes;
  for (const auto& n : b.notes) notes += n + "\n";
  INFO("notes:\n" << notes);
  CHECK(notes.find("no score cohort at " + config.score_cohort.string()) != std::string::npos);
}

TEST_CASE("hardware board: what the configuration leaves out stays empty, with a note") {
  test::TempDir dir;
  firmware::kiosk::KioskConfig c;
  c.jpki_ca_dir = dir.path() / "no-such-ca";
  c.data_dir = dir.path() / "data";
  c.face_enabled = false;
  core::board::Board b = firmware::kiosk::hardware_board(c);
  const auto missing = core::board::missing_members(b);
  for (const char* m : {"eligibility", "service_probe", "terminal", "trust", "cameras", "face", "card_face_anchors"}) {
    CHECK(std::find(missing.begin(), missing.end(), m) != missing.end());
  }
  CHECK(core::board::missing_essentials(b) ==
        std::vector<std::string>{"trust", "reader (card_reader.reader or card_reader.accepted_models)"});
  std::string notes;
  for (const auto& n : b.notes) notes += n + "\n";
  CHECK(notes.find("eligibility service: not configured") != std::string::npos);
  CHECK(notes.find("JPKI trust anchors") != std::string::npos);
  CHECK(notes.find("face authentication: switched off") != std::string::npos);
}

TEST_CASE("hardware board: no scanner camera, or a layout that cannot be read: no scanner, with a note") {
  test::TempDir dir;
  firmware::kiosk::KioskConfig c;
  c.jpki_ca_dir = dir.path() / "no-such-ca";
  c.data_dir = dir.path() / "data";
  c.model_dir = dir.path() / "no-models";
  core::board::Board unset = firmware::kiosk::hardware_board(c, firmware::kiosk::BoardUse::Diagnostics);
  CHECK(unset.cameras);
  CHECK_FALSE(unset.scanner);
  std::string notes;
  for (const auto& n : unset.notes) notes += n + "\n";
  CHECK(notes.find("card-surface scanner: no scanner camera configured (face.scanner_camera)") != std::string::npos);

  c.scanner_camera = "/dev/video2";
  c.surface_layout = dir.path() / "no-such-layout.json";
  core::board::Board bad_layout = firmware::kiosk::hardware_board(c, firmware::kiosk::BoardUse::Diagnostics);
  CHECK_FALSE(bad_layout.scanner);
  notes.clear();
  for (const auto& n : bad_layout.notes) notes += n + "\n";
  CHECK(notes.find("card-surface scanner: " + c.surface_layout.string()) != std::string::npos);
}

TEST_CASE("hardware board: a diagnostics board opens no journal and loads no face models") {
  if (!std::filesystem::is_directory(test::faces_dir() / "models")) FAIL("the face set is missing: " << test::faces_dir());
  test::TempDir dir;
  const auto config = complete_config(dir.path());
  core::board::Board b = firmware::kiosk::hardware_board(config, firmware::kiosk::BoardUse::Diagnostics);
  CHECK_FALSE(std::filesystem::exists(config.journal()));
  CHECK_FALSE(b.journal);
  CHECK_FALSE(b.face);
  CHECK(b.service_probe);
  CHECK(b.cameras);
}
