#include "firmware/kiosk/diag_command.hpp"

#include <libusb-1.0/libusb.h>
#include <openssl/crypto.h>
#include <pcsclite.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/utsname.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <opencv2/core/version.hpp>

#include "core/diagnostics/camera_checks.hpp"
#include "core/genuine_card/trust_anchors.hpp"
#include "core/diagnostics/card_checks.hpp"
#include "core/diagnostics/host_checks.hpp"
#include "core/diagnostics/service_checks.hpp"
#include "core/diagnostics/usb_checks.hpp"
#include "core/face/face_config.hpp"
#include "core/face/face_error.hpp"
#include "core/face/score_cohort.hpp"
#include "core/eligibility/client.hpp"
#include "firmware/kiosk/config.hpp"
#include "firmware/kiosk/hardware_board.hpp"
#include "hal/calendar.hpp"
#include "hal/files.hpp"

namespace kiosk::firmware::kiosk {
namespace {

// SIGINT/SIGTERM are blocked while the watch runs and taken with sigtimedwait().
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~StopSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  bool received() const {
    timespec zero{0, 0};
    return sigtimedwait(&set_, nullptr, &zero) > 0;
  }

 private:
  sigset_t set_{};
  sigset_t old_{};
};

// How long a network step of the service checks may take.
constexpr std::chrono::milliseconds kServiceTimeout{3000};
// One short scan of the tray: long enough for a recorded source to play a few frames.
constexpr std::chrono::milliseconds kScannerCheckTime{2500};

std::unique_ptr<core::face::FaceDetector> load_detector(const KioskConfig& c) {
  const core::face::FaceConfig fc = face_config(c);
  try {
    return std::make_unique<core::face::FaceDetector>(fc.resolve(fc.detector.model), fc.detector);
  } catch (const std::exception&) {
    return nullptr;  // reported by the host check of the model files
  }
}

// The note a factory left about `what`, if any.
std::string note_about(const core::board::Board& b, std::string_view what) {
  for (const auto& n : b.notes) {
    if (n.rfind(what, 0) == 0) return n;
  }
  return {};
}

core::diagnostics::CheckResult trust_check(const core::board::Board& b, const std::filesystem::path& dir) {
  const std::string name = "JPKI trust anchors";
  if (!b.trust) {
    return {"pcsc", name, core::diagnostics::Status::Fail, note_about(b, "JPKI trust anchors"),
            "install the JPKI CA certificates (and CRLs) in card_reader.jpki_ca_dir"};
  }
  if (b.trust->ca_certificates().empty()) {
    return {"pcsc", name, core::diagnostics::Status::Fail, dir.string() + " holds no CA certificate",
            "install the JPKI CA certificates in card_reader.jpki_ca_dir"};
  }
  return {"pcsc", name, core::diagnostics::Status::Pass,
          std::to_string(b.trust->ca_certificates().size()) + " CA certificates, " + std::to_string(b.trust->crls().size()) +
              " CRLs from " + dir.string(),
          ""};
}

// The J-LIS keys that prove card-face records genuine (docs/genuine-card.md), next to the JPKI
// anchors: without them the face path is not offered.
core::diagnostics::CheckResult card_face_anchors_check(const core::board::Board& b, const KioskConfig& c) {
  const std::string name = "card-face anchors";
  if (!c.face_enabled) return {"pcsc", name, core::diagnostics::Status::Skip, "face authentication is off", ""};
  if (!b.card_face_anchors) {
    return {"pcsc", name, core::diagnostics::Status::Warn, note_about(b, "card-face anchors"),
            "install the J-LIS card-face anchors (cardface-anchors.json) in card_reader.jpki_ca_dir"};
  }
  return {"pcsc", name, core::diagnostics::Status::Pass,
          std::to_string(b.card_face_anchors->size()) + " J-LIS key(s) (" +
              std::string(core::genuine_card::CardFaceTrustAnchors::kFileName) + ")",
          ""};
}

std::vector<core::diagnostics::CheckResult> camera_checks(core::board::Board& b, const KioskConfig& c, const DiagOptions& o) {
  if (!b.cameras) {
    return {{"camera", "camera", core::diagnostics::Status::Skip, "face authentication is off (face.enabled false)", ""}};
  }
  if (o.kiosk_running) {
    return {{"camera", "camera", core::diagnostics::Status::Skip, "in use by the running reception",
             "to check the camera, stop the kiosk and run kiosk diag"}};
  }
  const auto detector = load_detector(c);
  core::diagnostics::CameraCheckSettings settings;
  settings.device = b.face_camera;
  settings.mode = b.face_camera_mode;  // the mode the kiosk opens the camera with
  return core::diagnostics::check_camera(*b.cameras, settings,
                                         core::diagnostics::FaceCheckTools{detector.get(), core::face::FaceConfig{}.quality});
}

// The head-turn question: what stops a video replayed on a screen (face.head_turn_challenge).
core::diagnostics::CheckResult head_turn_check(const KioskConfig& c) {
  const std::string name = "head-turn challenge";
  if (!c.face_enabled) return {"camera", name, core::diagnostics::Status::Skip, "face authentication is off", ""};
  if (!c.head_turn_challenge) {
    return {"camera", name, core::diagnostics::Status::Warn,
            "off: a video of the card holder replayed on a high-density screen can pass face authentication",
            "set face.head_turn_challenge to true (off only for recorded cameras in QA)"};
  }
  return {"camera", name, core::diagnostics::Status::Pass, "on: each face attempt asks for a turn of the head to a random side", ""};
}

// The score cohort (face.score_cohort): loaded, or why not; none configured is allowed but
// costs accuracy.
core::diagnostics::CheckResult score_cohort_check(const KioskConfig& c) {
  using core::diagnostics::Status;
  const std::string name = "score cohort";
  if (!c.face_enabled) return {"camera", name, Status::Skip, "face authentication is off", ""};
  if (c.score_cohort.empty()) {
    return {"camera", name, Status::Warn,
            "none: faces are matched on plain cosine scores (more genuine patients refused at the same false-accept rate)",
            "make one with face-eval cohort from a labelled face set of non-patients and set face.score_cohort"};
  }
  const core::face::FaceConfig fc = face_config(c);
  try {
    const auto cohort = core::face::ScoreCohort::load(fc.resolve(fc.recognizer.cohort));
    return {"camera", name, Status::Pass,
            std::to_string(cohort.faces()) + " faces of " + std::to_string(cohort.identities()) + " people (" +
                fc.resolve(fc.recognizer.cohort).string() + "), threshold " + std::to_string(fc.recognizer.cohort_threshold),
            ""};
  } catch (const core::face::FaceError& e) {
    return {"camera", name, Status::Fail, e.what(),
            "face authentication is not offered: fix face.score_cohort or make the file again with face-eval cohort"};
  }
}

// The card-surface scanner: configured, its OCR loaded, and one short scan of the tray through
// its camera (opened and closed again). A read card's digits are dropped unseen.
core::diagnostics::CheckResult scanner_check(core::board::Board& b, const KioskConfig& c, const DiagOptions& o) {
  using core::diagnostics::Status;
  const std::string name = "card-surface scanner";
  if (!b.cameras) return {"camera", name, Status::Skip, "face authentication is off (face.enabled false)", ""};
  const std::string source = c.scanner_camera.empty() ? std::string() : " on " + c.scanner_camera;
  if (!b.scanner) {
    return {"camera", name, Status::Fail, note_about(b, "card-surface scanner"),
            "set face.scanner_camera to the camera over the card tray (a /dev/video path, an index, file:, dir: or gst:) "
            "and check face.surface_layout; without it the kiosk offers only the PIN"};
  }
  if (o.kiosk_running) {
    return {"camera", name, Status::Skip, "in use by the running reception",
            "to check the scanner, stop the kiosk and run kiosk diag"};
  }
  // Working, but without optional OCR data: a warning with what to install.
  const std::string degraded = b.scanner->degraded();
  const auto working = [&](std::string what) -> core::diagnostics::CheckResult {
    if (degraded.empty()) return {"camera", name, Status::Pass, std::move(what), ""};
    return {"camera", name, Status::Warn, what + "; " + degraded,
            "install tesseract-ocr-script-jpan, tesseract-ocr-chi-sim and tesseract-ocr-kor (or the models named in "
            "face.surface_layout's read.second_opinion_models)"};
  };
  try {
    b.scanner->scan_card_face(kScannerCheckTime, [](std::string_view, const hal::CardSurfaceScanner::CardFaceFacts&) {});
    return working("ready" + source + ": a card on the tray was read (digits not shown)");
  } catch (const hal::SurfaceScanError& e) {
    switch (e.kind()) {
      case hal::SurfaceScanErrorKind::NoCard:
        return working("ready" + source + ": camera and OCR work, no card on the tray");
      case hal::SurfaceScanErrorKind::Unreadable:
      case hal::SurfaceScanErrorKind::NotPrinted:
        return {"camera", name, Status::Warn, "camera and OCR work" + source + ", but the card on the tray is not readable: " + e.what(),
                e.advice()};
      case hal::SurfaceScanErrorKind::DeviceGone:
      case hal::SurfaceScanErrorKind::Timeout:
        break;
    }
    return {"camera", name, Status::Fail, std::string(e.what()),
            std::string(e.advice()) + "; check face.scanner_camera"};
  }
}

std::vector<core::diagnostics::CheckResult> service_checks(core::board::Board& b) {
  if (!b.service_probe) return {core::diagnostics::service_not_configured()};
  const hal::ServiceProbeFacts probe = b.service_probe->probe(kServiceTimeout);
  core::diagnostics::HealthFacts health;
  if (probe.handshake_ok) {
    if (b.eligibility && b.clock) {
      core::eligibility::ClientOptions once;
      once.max_attempts = 1;  // report what happens; no retries
      once.call_timeout = kServiceTimeout;
      core::eligibility::EligibilityClient client(*b.eligibility, *b.clock, once);
      health = core::diagnostics::query_health(client, *b.clock);
    } else {
      health.error = note_about(b, "eligibility service");
      health.advice = "fix the eligibility files named in the configuration";
    }
  }
  return core::diagnostics::check_service(probe, health, std::chrono::system_clock::now(), core::diagnostics::ServiceCheckSettings{});
}

core::diagnostics::Report run_checks(core::board::Board& b, const LoadedConfig& loaded, const DiagOptions& o) {
  const KioskConfig& c = loaded.config;
  core::diagnostics::Report report;
  core::diagnostics::HostCheckSettings host;
  host.data_dir = std::filesystem::exists(c.data_dir) ? c.data_dir : std::filesystem::current_path();
  host.journal = c.journal();
  host.configuration_errors = loaded.errors;
  host.configuration_source = loaded.source;
  host.model_files = c.model_files();
  report.add(core::diagnostics::check_host(host));
  if (b.usb) {
    report.add(core::diagnostics::check_usb(*b.usb, core::diagnostics::UsbExpectations{c.face_enabled}));
  } else {
    report.add({"usb", "USB enumeration", core::diagnostics::Status::Fail, note_about(b, "USB inventory"),
                "run diagnostics as root or give the kiosk user access to /dev/bus/usb"});
  }
  report.add(trust_check(b, c.jpki_ca_dir));
  report.add(card_face_anchors_check(b, c));
  core::diagnostics::CardCheckSettings card;
  card.readers = b.reader_policy();
  card.policy = b.certificate_policy;
  card.reader_in_use = o.kiosk_running;
  const core::crypto::TrustStore no_anchors;
  report.add(core::diagnostics::check_card_reader(*b.readers, b.trust ? *b.trust : no_anchors, std::chrono::system_clock::now(), card));
  report.add(camera_checks(b, c, o));
  report.add(head_turn_check(c));
  report.add(score_cohort_check(c));
  report.add(scanner_check(b, c, o));
  report.add(service_checks(b));
  return report;
}

void print(const DiagOptions& o, const core::diagnostics::Report& report) {
  if (o.json) {
    std::cout << report.to_json().dump(2) << "\n";
  } else {
    std::cout << "kiosk diagnostics, " << hal::calendar::format_iso8601_utc(std::chrono::system_clock::now()) << "\n\n"
              << report.to_table() << std::flush;
  }
}

nlohmann::json versions() {
  utsname u{};
  uname(&u);
  const libusb_version* usb = libusb_get_version();
  return {{"kiosk", "0.1.0"},
          {"os", std::string(u.sysname) + " " + u.release + " " + u.machine},
          {"openssl", OpenSSL_version(OPENSSL_VERSION)},
          {"sqlite", sqlite3_libversion()},
          {"libusb", std::to_string(usb->major) + "." + std::to_string(usb->minor) + "." + std::to_string(usb->micro)},
          {"pcsc-lite (headers)", PCSCLITE_VERSION_NUMBER},
          {"opencv", CV_VERSION}};
}

void write_bundle(const std::filesystem::path& file, const LoadedConfig& loaded, const core::diagnostics::Report& report) {
  const nlohmann::json bundle{
      {"format", "kiosk-support-bundle/1"},
      {"generated_at", hal::calendar::format_iso8601_utc(std::chrono::system_clock::now())},
      {"versions", versions()},
      {"configuration", {{"source", loaded.source}, {"errors", loaded.errors}, {"content", redacted(loaded.raw)}}},
      {"diagnostics", report.to_json()},
      {"logs", nlohmann::json::array()},  // the kiosk keeps no log files yet (the journal holds no personal data)
  };
  // The bundle is for the support desk, not for whoever else logs in to the kiosk: 0600.
  hal::write_file_atomically(file, bundle.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", 0600);
}

}  // namespace

core::diagnostics::Report collect_report(core::board::Board& board, const LoadedConfig& config, const DiagOptions& options) {
  return run_checks(board, config, options);
}

int run_diagnostics(core::board::Board& board, const LoadedConfig& loaded, const DiagOptions& o) {
  core::diagnostics::Report report = run_checks(board, loaded, o);
  print(o, report);
  if (!o.bundle.empty()) {
    write_bundle(o.bundle, loaded, report);
    std::cerr << "support bundle written to " << o.bundle.string() << " (configuration redacted, no personal data)\n";
  }
  if (o.watch_seconds <= 0) return report.exit_code();

  const StopSignals stop;
  for (int round = 1; o.count == 0 || round < o.count; ++round) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(o.watch_seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (stop.received()) return report.exit_code();
      if (board.usb) {
        for (const auto& e : board.usb->wait_for_changes(std::chrono::milliseconds(250))) {
          std::cout << "[usb] " << core::diagnostics::describe(e) << "\n" << std::flush;
        }
      }
      try {
        for (const auto& e : board.readers->wait_for_events(std::chrono::milliseconds(250))) {
          std::cout << "[pcsc] " << hal::to_string(e.kind) << " " << e.reader << "\n" << std::flush;
        }
      } catch (const hal::CardError& e) {
        std::cout << "[pcsc] " << e.what() << "\n" << std::flush;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
    }
    report = run_checks(board, loaded, o);
    print(o, report);
  }
  return report.exit_code();
}

int run_diagnostics(const std::filesystem::path& config_file, const DiagOptions& o) {
  const LoadedConfig loaded = load_config(config_file);
  core::board::Board board = hardware_board(loaded.config, BoardUse::Diagnostics);
  return run_diagnostics(board, loaded, o);
}

}  // namespace kiosk::firmware::kiosk
