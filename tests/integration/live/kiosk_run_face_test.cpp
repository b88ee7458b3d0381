// The field binary end to end (issue 13): `kiosk run`, built without the simulator, on a real
// pcscd with the card in a vpcd reader, the eligibility service over mutual TLS, and its two
// cameras playing recorded frames ("dir:" sources): the face camera sees a person, the card-tray
// camera the printed front of the card. The card-surface OCR reads 照合番号B, the card proves
// itself genuine, the live face is matched against the card photo. Everything but the two
// camera devices is the real part; the frames are what `kiosk-sim camera record` renders.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/journal/journal.hpp"
#include "tests/integration/support/pcscd_harness.hpp"
#include "tests/integration/support/process.hpp"

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using kiosk::test::PcscdHarness;
using kiosk::test::TempDir;

#if defined(KIOSK_SIM_EXE) && defined(KIOSK_EXE)
namespace {

fs::path faces_dir() {
  if (const char* env = std::getenv("KIOSK_FACES_DIR")) return env;
  return fs::path(KIOSK_SCENARIO_DIR) / ".." / ".." / ".." / "shared" / "faces";
}

// The face set's photos of the n-th identity (sorted), or none.
std::vector<fs::path> photos_of(std::size_t n) {
  std::vector<fs::path> identities;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(faces_dir() / "data", ec)) {
    if (e.is_directory()) identities.push_back(e.path());
  }
  std::sort(identities.begin(), identities.end());
  std::vector<fs::path> photos;
  if (n >= identities.size()) return photos;
  for (const auto& e : fs::directory_iterator(identities[n], ec)) {
    if (e.path().extension() == ".jpg") photos.push_back(e.path());
  }
  std::sort(photos.begin(), photos.end());
  return photos;
}

kiosk::test::CommandResult sim(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 120s) {
  std::vector<std::string> argv{KIOSK_SIM_EXE};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = kiosk::test::run_command(argv, timeout);
  INFO("kiosk-sim " << args.front() << ":\n" << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return r;
}

// Waits until `file` contains `text`.
bool wait_for_text(const fs::path& file, const std::string& text, std::chrono::seconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    std::error_code ec;
    if (fs::exists(file, ec) && kiosk::test::read_file(file).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

struct FieldKiosk {
  PcscdHarness pcscd;
  TempDir work{"kiosk-run-face"};
  std::unique_ptr<kiosk::test::ChildProcess> service;
  std::unique_ptr<kiosk::test::ChildProcess> card;

  fs::path at(const std::string& name) const { return work.path() / name; }

  // The world: CA, a card with `card_photo`, the service, the card in the vpcd reader, the
  // card tray's frames; the face camera's frames are recorded per case (record_face).
  explicit FieldKiosk(const fs::path& card_photo) {
    pcscd.start();
    sim({"ca", "init", "--dir", at("ca").string()});
    fs::create_directories(at("cards"));
    sim({"card", "issue", "--ca", at("ca").string(), "--out", at("cards/holder.json").string(), "--name", "番号 花子",
         "--birth", "19850923", "--photo", card_photo.string()});
    sim({"eligibility", "init", "--dir", at("svc").string()});
    ::chmod(at("svc/terminal.key").c_str(), 0600);
    sim({"camera", "record", "--card-front", at("cards/holder.json").string(), "--out", at("tray").string(),
         "--seconds", "2"});
    service = std::make_unique<kiosk::test::ChildProcess>(
        std::vector<std::string>{KIOSK_SIM_EXE, "eligibility", "serve", "--dir", at("svc").string(), "--port", "0"},
        at("service.log"));
    REQUIRE(wait_for_text(at("service.log"), "listening on https://127.0.0.1:", 30s));
    const std::string log = kiosk::test::read_file(at("service.log"));
    const auto colon = log.find("https://127.0.0.1:") + std::string("https://127.0.0.1:").size();
    const int port = std::stoi(log.substr(colon));
    card = std::make_unique<kiosk::test::ChildProcess>(
        std::vector<std::string>{KIOSK_SIM_EXE, "card", "serve", "--vpcd", "127.0.0.1:" + std::to_string(pcscd.vpcd_port()),
                                 "--card", at("cards/holder.json").string()},
        at("card.log"));
    REQUIRE(wait_for_text(at("card.log"), "connected to vpcd", 30s));
    kiosk::test::write_file(at("kiosk.json"), R"({
  "terminal": {"id": "E2E-01"},
  "card_reader": {"reader": ")" + pcscd.reader_name() + R"(", "jpki_ca_dir": ")" + at("ca").string() + R"("},
  "storage": {"data_dir": ")" + at("data").string() + R"(", "outbox": ")" + at("outbox").string() + R"("},
  "eligibility": {"host": "127.0.0.1", "port": )" + std::to_string(port) + R"(,
                  "ca_certificate": ")" + at("svc/service-ca.pem").string() + R"(",
                  "terminal_certificate": ")" + at("svc/terminal.pem").string() + R"(",
                  "terminal_key": ")" + at("svc/terminal.key").string() + R"("},
  "screen": {"port": -1},
  "face": {"enabled": true, "camera": "dir:)" + at("face").string() + R"(/", "scanner_camera": "dir:)" +
                                              at("tray").string() + R"(/",
           "model_dir": ")" + (faces_dir() / "models").string() + R"(", "head_turn_challenge": false}
})");
  }

  void record_face(const fs::path& photo, const std::string& presentation = "live") {
    std::error_code ec;
    fs::remove_all(at("face"), ec);
    sim({"camera", "record", "--person", photo.string(), "--presentation", presentation, "--out", at("face").string(),
         "--seconds", "4"});
  }

  std::size_t result_files() const {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(at("outbox"), ec)) n += e.path().extension() == ".xml";
    return n;
  }

  // The journal's reception entries as "method|outcome|code" lines.
  std::string journal() const {
    std::string lines;
    const auto j = kiosk::core::journal::Journal::open(at("data") / "journal.sqlite", "E2E-01");
    for (const auto& r : j.since({})) lines += r.method + "|" + r.outcome + "|" + r.message_code + "\n";
    return lines;
  }

  struct Run {
    bool reached = false;          // the kiosk printed `until`
    std::optional<int> exit_code;  // after the card was taken
    std::string log;               // stdout and stderr
  };

  // `kiosk run` for one patient, answering the terminal screen's questions from `answers`; once
  // it prints `until`, the patient takes the card (the card leaves the vpcd reader) and the
  // kiosk, its one patient served, exits.
  Run run(const std::string& answers, const std::string& until) {
    kiosk::test::write_file(at("answers.txt"), answers);
    kiosk::test::ChildProcess k({"/bin/sh", "-c", "exec \"$0\" run --config \"$1\" --patients 1 < \"$2\"", KIOSK_EXE,
                                 at("kiosk.json").string(), at("answers.txt").string()},
                                at("kiosk.log"));
    Run r;
    r.reached = wait_for_text(at("kiosk.log"), until, 60s);
    card->terminate();
    r.exit_code = k.wait_for_exit(30s);
    r.log = kiosk::test::read_file(at("kiosk.log"));
    return r;
  }
};

bool faces_available() { return fs::exists(faces_dir() / "models") && photos_of(0).size() >= 2; }

}  // namespace
#endif

TEST_CASE("kiosk run on pcscd, TLS and recorded cameras: a face reception through OCR, the genuine-card proof and the face match") {
#if !defined(KIOSK_SIM_EXE) || !defined(KIOSK_EXE)
  WARN("kiosk or kiosk-sim is not built in this tree; skipped");
#else
  if (!fs::exists(KIOSK_EXE)) {
    WARN("kiosk is not built in this tree (" << KIOSK_EXE << "); skipped");
    return;
  }
  if (!faces_available()) {
    WARN("no face models and face set at " << faces_dir().string() << " (KIOSK_FACES_DIR); skipped");
    return;
  }
  const auto photos = photos_of(0);
  FieldKiosk kiosk(photos[0]);
  kiosk.record_face(photos[1]);  // the holder, another photo of them
  // Method: face; consent: yes; prescription: electronic; the result acknowledged.
  const auto r = kiosk.run("f\ny\ne\n\n", "カードをお取りください");
  INFO("kiosk run:\n" << r.log << "\npcscd:\n" << kiosk.pcscd.log_tail());
  CHECK(r.reached);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.log, Catch::Contains("look at the camera"));
  CHECK_THAT(r.log, Catch::Contains("result: 有効"));
  CHECK_THAT(r.log, Catch::Contains("result file OQS_res_"));  // the reception system's file, in the outbox
  CHECK(kiosk.result_files() == 1);
  CHECK(r.log.find("face.") == std::string::npos);  // texts, not message keys
  // The journal says how: by face.
  CHECK_THAT(kiosk.journal(), Catch::Contains("face|qualification valid; consent given|"));
#endif
}

TEST_CASE("kiosk run on pcscd, TLS and recorded cameras: another person's face is refused with K120") {
#if !defined(KIOSK_SIM_EXE) || !defined(KIOSK_EXE)
  WARN("kiosk or kiosk-sim is not built in this tree; skipped");
#else
  if (!fs::exists(KIOSK_EXE) || !faces_available() || photos_of(1).empty()) {
    WARN("kiosk, the face models or the face set are missing; skipped");
    return;
  }
  FieldKiosk kiosk(photos_of(0)[0]);
  kiosk.record_face(photos_of(1)[0]);  // somebody else
  const auto r = kiosk.run("f\n", "【K120】");
  INFO("kiosk run:\n" << r.log);
  CHECK(r.reached);
  CHECK(r.exit_code == 0);
  CHECK(r.log.find("result: ") == std::string::npos);
  CHECK(kiosk.result_files() == 0);
  CHECK_THAT(kiosk.journal(), Catch::Contains("face|not-matched|K120"));
#endif
}

TEST_CASE("kiosk run on pcscd, TLS and recorded cameras: the holder's printed photo held up to the camera is refused") {
#if !defined(KIOSK_SIM_EXE) || !defined(KIOSK_EXE)
  WARN("kiosk or kiosk-sim is not built in this tree; skipped");
#else
  if (!fs::exists(KIOSK_EXE) || !faces_available()) {
    WARN("kiosk, the face models or the face set are missing; skipped");
    return;
  }
  const auto photos = photos_of(0);
  FieldKiosk kiosk(photos[0]);
  kiosk.record_face(photos[1], "printed-photo");  // the right face, on paper
  const auto r = kiosk.run("f\n", "【K12");  // not matched (K120), whatever the reason given
  INFO("kiosk run:\n" << r.log);
  CHECK(r.reached);
  CHECK(r.log.find("result: ") == std::string::npos);
  CHECK(kiosk.result_files() == 0);
  CHECK_THAT(kiosk.journal(), Catch::Contains("face|"));
  CHECK(kiosk.journal().find("qualification valid") == std::string::npos);
#endif
}
