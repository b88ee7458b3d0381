#include "firmware/kiosk/diag_command.hpp"

#include <libusb-1.0/libusb.h>
#include <openssl/crypto.h>
#include <pcsclite.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/utsname.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <thread>
#include <opencv2/core/version.hpp>

#include "core/diagnostics/card_checks.hpp"
#include "core/diagnostics/host_checks.hpp"
#include "core/diagnostics/usb_checks.hpp"
#include "drivers/pcsc/pcsc_reader_service.hpp"
#include "drivers/usb/libusb_inventory.hpp"
#include "firmware/kiosk/config.hpp"
#include "firmware/kiosk/demo_world.hpp"
#include "hal/calendar.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/card/simulated_readers.hpp"
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
};

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

Devices open_devices(const DiagOptions& o, const KioskConfig& config, crypto::TrustStore& trust) {
  Devices d;
  if (o.simulated) {
    const DemoWorld world = ensure_demo_world(o.world, "../shared/faces", std::cerr);
    d.trust = load_trust(world.ca_dir, trust);
    auto readers = std::make_unique<sim::SimulatedReaders>();
    readers->attach_reader("Simulated Contactless Reader 0");
    readers->place_card("Simulated Contactless Reader 0", sim::JpkiCard::load(world.cards.front().file));
    d.readers = std::move(readers);
    auto usb = std::make_unique<sim::SimulatedUsb>();
    for (const auto& device : sim::SimulatedUsb::standard_kiosk()) usb->plug(device);
    usb->wait_for_changes(std::chrono::milliseconds(0));  // the plugging above is not news
    d.usb = std::move(usb);
    return d;
  }
  d.trust = load_trust(config.jpki_ca_dir, trust);
  d.readers = std::make_unique<pcsc::PcscReaderService>();
  try {
    d.usb = std::make_unique<drivers::LibusbInventory>();
  } catch (const std::exception& e) {
    d.usb_error = e.what();
  }
  return d;
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
  diagnostics::CardCheckSettings card;
  card.reader = o.simulated ? "" : c.reader;
  card.policy = {c.expiry_warning_days, c.grace_days_after_expiry, false};
  report.add(diagnostics::check_card_reader(*devices.readers, trust, std::chrono::system_clock::now(), card));
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
