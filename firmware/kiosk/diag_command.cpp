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
#include "drivers/camera/v4l2_camera.hpp"
#include "drivers/https/service_probe.hpp"
#include "drivers/pcsc/pcsc_reader_service.hpp"
#include "drivers/system/system_clock.hpp"
#include "drivers/usb/libusb_inventory.hpp"
#include "firmware/kiosk/config.hpp"
#include "firmware/kiosk/demo_world.hpp"
#include "hal/calendar.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/camera/virtual_camera.hpp"
#include "sim/card/simulated_readers.hpp"
#include "sim/eligibility/fixture.hpp"
#include "sim/eligibility/service.hpp"
#include "sim/usb/simulated_usb.hpp"

namespace kiosk::firmware {
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

// The devices the checks look at: real ones, or the simulated world's.
struct Devices {
  std::unique_ptr<hal::CardReaderService> readers;
  std::unique_ptr<hal::UsbInventory> usb;
  std::string usb_error;
  diagnostics::CheckResult trust;  // loading the JPKI trust anchors
  diagnostics::CheckResult card_face_anchors;  // the J-LIS keys of the card-face records
  // The face camera (null when face authentication is off) and the face detector (null when
  // its model cannot be loaded: the model checks say why).
  std::unique_ptr<hal::CameraProvider> cameras;
  hal::CameraDevice camera_device;
  std::unique_ptr<face::FaceDetector> detector;
  // The eligibility service: nothing when not configured; with --sim, the demo world's
  // simulated service, running while the devices are open.
  std::optional<drivers::HttpsTransportConfig> service;
  std::unique_ptr<sim::eligibility::SimulatedEligibilityService> simulated_service;
};

// How long a network step of the service checks may take.
constexpr std::chrono::milliseconds kServiceTimeout{3000};

// The scene the simulated camera plays for `condition` (see DiagOptions::sim_camera).
sim::Scene simulated_scene(const std::string& condition, const std::optional<std::filesystem::path>& live_face,
                           const hal::CameraMode& mode) {
  sim::SceneSettings settings;
  settings.frame = cv::Size(mode.width, mode.height);
  settings.fps = mode.fps;
  sim::Segment segment;
  if (condition == "nobody" || !live_face) segment.presentation = sim::Presentation::Nobody;
  if (condition == "dark") segment.condition = sim::Condition::TooDark;
  if (condition == "blurred") segment.condition = sim::Condition::Blurred;
  sim::FaceSource person = live_face ? sim::FaceSource::image(*live_face)
                                     : sim::FaceSource::image(cv::Mat(112, 112, CV_8UC3, cv::Scalar(128, 128, 128)));
  sim::Scene scene(std::move(person), {segment}, settings);
  if (condition == "vanishing") scene.vanish_after(0.5);
  return scene;
}

std::unique_ptr<face::FaceDetector> load_detector(const KioskConfig& c) {
  const face::FaceConfig fc = face_config(c);
  try {
    return std::make_unique<face::FaceDetector>(fc.resolve(fc.detector.model), fc.detector);
  } catch (const std::exception&) {
    return nullptr;  // reported by the host check of the model files
  }
}

drivers::HttpsTransportConfig service_config(std::string host, int port, std::filesystem::path ca, std::filesystem::path cert,
                                             std::filesystem::path key) {
  drivers::HttpsTransportConfig tls;
  tls.host = std::move(host);
  tls.port = port;
  tls.ca_certificate = std::move(ca);
  tls.client_certificate = std::move(cert);
  tls.client_key = std::move(key);
  tls.connect_timeout = kServiceTimeout;
  tls.keep_alive = false;  // one request per check round; nothing left open
  return tls;
}

diagnostics::CheckResult load_trust(const std::filesystem::path& dir, crypto::TrustStore& trust) {
  const std::string name = "JPKI trust anchors";
  try {
    trust.add_directory(dir);
  } catch (const std::exception& e) {
    return {"pcsc", name, diagnostics::Status::Fail, e.what(),
            "install the JPKI CA certificates (and CRLs) in card_reader.jpki_ca_dir"};
  }
  if (trust.ca_certificates().empty()) {
    return {"pcsc", name, diagnostics::Status::Fail, dir.string() + " holds no CA certificate",
            "install the JPKI CA certificates in card_reader.jpki_ca_dir"};
  }
  return {"pcsc", name, diagnostics::Status::Pass,
          std::to_string(trust.ca_certificates().size()) + " CA certificates, " + std::to_string(trust.crls().size()) +
              " CRLs from " + dir.string(),
          ""};
}

// The J-LIS keys that prove card-face records genuine (docs/genuine-card.md), next to the JPKI
// anchors: without them the face path is not offered.
diagnostics::CheckResult load_card_face_anchors(const std::filesystem::path& dir, bool face_enabled) {
  const std::string name = "card-face anchors";
  if (!face_enabled) return {"pcsc", name, diagnostics::Status::Skip, "face authentication is off", ""};
  const auto file = dir / core::genuine_card::CardFaceTrustAnchors::kFileName;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    return {"pcsc", name, diagnostics::Status::Warn, "no " + file.string() + ": face authentication is not offered",
            "install the J-LIS card-face anchors (cardface-anchors.json) in card_reader.jpki_ca_dir"};
  }
  try {
    const auto anchors = core::genuine_card::CardFaceTrustAnchors::load(file);
    return {"pcsc", name, diagnostics::Status::Pass, std::to_string(anchors.size()) + " J-LIS key(s) from " + file.string(), ""};
  } catch (const core::genuine_card::TrustAnchorError& e) {
    return {"pcsc", name, diagnostics::Status::Fail, e.what(), "replace cardface-anchors.json with the file of the CA"};
  }
}

Devices open_devices(const DiagOptions& o, const KioskConfig& config, crypto::TrustStore& trust) {
  Devices d;
  if (o.simulated) {
    // The face set sits beside the models (../shared/faces/{models,data}): a new demo world takes
    // the patient's face for the simulated camera from there.
    const DemoWorld world = ensure_demo_world(o.world, config.model_dir.parent_path(), std::cerr);
    d.trust = load_trust(world.ca_dir, trust);
    d.card_face_anchors = load_card_face_anchors(world.ca_dir, config.face_enabled);
    auto readers = std::make_unique<sim::SimulatedReaders>();
    readers->attach_reader("Simulated Contactless Reader 0");
    readers->place_card("Simulated Contactless Reader 0", sim::JpkiCard::load(world.cards.front().file));
    d.readers = std::move(readers);
    auto usb = std::make_unique<sim::SimulatedUsb>();
    for (const auto& device : sim::SimulatedUsb::standard_kiosk()) usb->plug(device);
    usb->wait_for_changes(std::chrono::milliseconds(0));  // the plugging above is not news
    d.usb = std::move(usb);
    if (config.face_enabled) {
      const std::optional<std::filesystem::path> face = world.cards.front().live_face;
      const std::string condition = o.sim_camera;
      std::vector<std::string> present;  // empty: every device is there
      if (condition == "missing") present.emplace_back("(no camera attached)");
      d.cameras = std::make_unique<sim::VirtualCameraProvider>(
          [condition, face](const hal::CameraMode& mode) { return simulated_scene(condition, face, mode); },
          sim::Pacing::Simulated, std::move(present));
      d.camera_device = hal::CameraDevice::path(config.camera);
      d.detector = load_detector(config);
    }
    WorldService national = start_world_service(world);
    d.simulated_service = std::move(national.service);
    d.service = service_config(national.tls.host, national.tls.port, national.tls.ca_certificate,
                               national.tls.client_certificate, national.tls.client_key);
    if (o.sim_service == "down") d.simulated_service.reset();  // stopped: its port is closed now
    return d;
  }
  d.trust = load_trust(config.jpki_ca_dir, trust);
  d.card_face_anchors = load_card_face_anchors(config.jpki_ca_dir, config.face_enabled);
  d.readers = std::make_unique<pcsc::PcscReaderService>();
  try {
    d.usb = std::make_unique<drivers::LibusbInventory>();
  } catch (const std::exception& e) {
    d.usb_error = e.what();
  }
  if (config.face_enabled) {
    d.cameras = std::make_unique<drivers::V4l2CameraProvider>();
    d.camera_device = hal::CameraDevice::path(config.camera);
    d.detector = load_detector(config);
  }
  if (!config.eligibility_host.empty()) {
    d.service = service_config(config.eligibility_host, config.eligibility_port, config.eligibility_ca_certificate,
                               config.terminal_certificate, config.terminal_key);
  }
  return d;
}

std::vector<diagnostics::CheckResult> camera_checks(const DiagOptions& o, Devices& devices) {
  if (!devices.cameras) {
    return {{"camera", "camera", diagnostics::Status::Skip, "face authentication is off (face.enabled false)", ""}};
  }
  if (o.kiosk_running) {
    return {{"camera", "camera", diagnostics::Status::Skip, "in use by the running reception",
             "to check the camera, stop the kiosk and run kiosk diag"}};
  }
  diagnostics::CameraCheckSettings settings;
  settings.device = devices.camera_device;
  settings.mode = hal::CameraMode{};  // the mode the kiosk opens the camera with
  return diagnostics::check_camera(*devices.cameras, settings,
                                   diagnostics::FaceCheckTools{devices.detector.get(), face::FaceConfig{}.quality});
}

std::vector<diagnostics::CheckResult> service_checks(const Devices& devices) {
  if (!devices.service) return {diagnostics::service_not_configured()};
  const hal::ServiceProbeFacts probe = drivers::probe_service(*devices.service, kServiceTimeout);
  diagnostics::HealthFacts health;
  if (probe.handshake_ok) {
    drivers::SystemClock clock;
    try {
      drivers::HttpsClientTransport transport(*devices.service);
      eligibility::ClientOptions once;
      once.max_attempts = 1;  // report what happens; no retries
      once.call_timeout = kServiceTimeout;
      eligibility::EligibilityClient client(transport, clock, once);
      health = diagnostics::query_health(client, clock);
    } catch (const hal::TransportError& e) {
      health.error = e.what();
      health.advice = "fix the eligibility files named in the configuration";
    }
  }
  return diagnostics::check_service(probe, health, std::chrono::system_clock::now(), diagnostics::ServiceCheckSettings{});
}

diagnostics::Report run_checks(const DiagOptions& o, const LoadedConfig& loaded, Devices& devices,
                               const crypto::TrustStore& trust) {
  const KioskConfig& c = loaded.config;
  diagnostics::Report report;
  diagnostics::HostCheckSettings host;
  host.data_dir = std::filesystem::exists(c.data_dir) ? c.data_dir : std::filesystem::current_path();
  host.journal = c.journal();
  host.configuration_errors = loaded.errors;
  host.configuration_source = loaded.source;
  host.model_files = c.model_files();
  report.add(diagnostics::check_host(host));
  if (devices.usb) {
    report.add(diagnostics::check_usb(*devices.usb, diagnostics::UsbExpectations{c.face_enabled}));
  } else {
    report.add({"usb", "USB enumeration", diagnostics::Status::Fail, devices.usb_error,
                "run diagnostics as root or give the kiosk user access to /dev/bus/usb"});
  }
  report.add(devices.trust);
  report.add(devices.card_face_anchors);
  diagnostics::CardCheckSettings card;
  card.reader = o.simulated ? "" : c.reader;
  card.policy = {c.expiry_warning_days, c.grace_days_after_expiry, false};
  card.reader_in_use = o.kiosk_running;
  report.add(diagnostics::check_card_reader(*devices.readers, trust, std::chrono::system_clock::now(), card));
  report.add(camera_checks(o, devices));
  report.add(service_checks(devices));
  return report;
}

void print(const DiagOptions& o, const diagnostics::Report& report) {
  if (o.json) {
    std::cout << report.to_json().dump(2) << "\n";
  } else {
    std::cout << "kiosk diagnostics, " << calendar::format_iso8601_utc(std::chrono::system_clock::now()) << "\n\n"
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

void write_bundle(const std::filesystem::path& file, const LoadedConfig& loaded, const diagnostics::Report& report) {
  const nlohmann::json bundle{
      {"format", "kiosk-support-bundle/1"},
      {"generated_at", calendar::format_iso8601_utc(std::chrono::system_clock::now())},
      {"versions", versions()},
      {"configuration", {{"source", loaded.source}, {"errors", loaded.errors}, {"content", redacted(loaded.raw)}}},
      {"diagnostics", report.to_json()},
      {"logs", nlohmann::json::array()},  // the kiosk keeps no log files yet (the journal holds no personal data)
  };
  const std::filesystem::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << bundle.dump(2) << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, file);
}

}  // namespace

const std::vector<std::string>& sim_camera_conditions() {
  static const std::vector<std::string> conditions{"face", "nobody", "dark", "blurred", "missing", "vanishing"};
  return conditions;
}

const std::vector<std::string>& sim_service_conditions() {
  static const std::vector<std::string> conditions{"up", "down"};
  return conditions;
}

diagnostics::Report collect_report(const DiagOptions& o) {
  const LoadedConfig loaded = load_config(o.config);
  crypto::TrustStore trust;
  Devices devices = open_devices(o, loaded.config, trust);
  return run_checks(o, loaded, devices, trust);
}

int run_diagnostics(const DiagOptions& o) {
  const LoadedConfig loaded = load_config(o.config);
  crypto::TrustStore trust;
  Devices devices = open_devices(o, loaded.config, trust);
  diagnostics::Report report = run_checks(o, loaded, devices, trust);
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
      if (devices.usb) {
        for (const auto& e : devices.usb->wait_for_changes(std::chrono::milliseconds(250))) {
          std::cout << "[usb] " << diagnostics::describe(e) << "\n" << std::flush;
        }
      }
      try {
        for (const auto& e : devices.readers->wait_for_events(std::chrono::milliseconds(250))) {
          std::cout << "[pcsc] " << hal::to_string(e.kind) << " " << e.reader << "\n" << std::flush;
        }
      } catch (const hal::CardError& e) {
        std::cout << "[pcsc] " << e.what() << "\n" << std::flush;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
    }
    report = run_checks(o, loaded, devices, trust);
    print(o, report);
  }
  return report.exit_code();
}

}  // namespace kiosk::firmware
