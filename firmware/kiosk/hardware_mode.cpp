#include "firmware/kiosk/hardware_mode.hpp"

#include <iostream>
#include <optional>

#include "core/eligibility/client.hpp"
#include "core/face/face_error.hpp"
#include "core/face/face_verifier.hpp"
#include "drivers/camera/v4l2_camera.hpp"
#include "drivers/https/https_client_transport.hpp"
#include "drivers/https/terminal_key_signer.hpp"
#include "drivers/pcsc/pcsc_reader_service.hpp"
#include "drivers/system/system_clock.hpp"
#include "firmware/kiosk/config.hpp"
#include "firmware/kiosk/reception_runner.hpp"
#include "firmware/kiosk/terminal_frontend.hpp"

namespace kiosk::firmware {

int run_on_hardware(const std::filesystem::path& config_file, int patients) {
  const LoadedConfig loaded = load_config(config_file);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::cerr << "kiosk: " << loaded.source << ": " << e << "\n";
    std::cerr << "kiosk: fix the configuration (kiosk diag --config " << config_file.string() << " lists every check)\n";
    return 1;
  }
  const KioskConfig& c = loaded.config;
  drivers::SystemClock clock;
  crypto::TrustStore trust;
  trust.add_directory(c.jpki_ca_dir);
  pcsc::PcscReaderService readers;

  std::optional<drivers::HttpsClientTransport> transport;
  std::optional<eligibility::EligibilityClient> client;
  std::optional<drivers::TerminalKeySigner> terminal;
  if (!c.eligibility_host.empty()) {
    drivers::HttpsTransportConfig tls;
    tls.host = c.eligibility_host;
    tls.port = c.eligibility_port;
    tls.ca_certificate = c.eligibility_ca_certificate;
    tls.client_certificate = c.terminal_certificate;
    tls.client_key = c.terminal_key;
    transport.emplace(tls);
    client.emplace(*transport, clock);
    terminal.emplace(drivers::TerminalKeySigner::from_pem_file(c.terminal_key));
  } else {
    std::cerr << "kiosk: no eligibility service configured: patients will be sent to the counter\n";
  }
  std::filesystem::create_directories(c.result_outbox());
  const eligibility::ResultFileWriter results(c.result_outbox());
  journal::Journal journal = journal::Journal::open(c.journal(), c.terminal_id);
  journal.purge_before(clock.now() - std::chrono::days(c.journal_retention_days));

  std::optional<face::FaceVerifier> verifier;
  std::unique_ptr<hal::Camera> camera;
  if (c.face_enabled) {
    try {
      verifier.emplace(face_config(c));
      drivers::V4l2CameraProvider cameras;
      camera = cameras.open(hal::CameraDevice::path(c.camera), hal::CameraMode{});
    } catch (const std::exception& e) {
      std::cerr << "kiosk: face authentication is off: " << e.what() << "\n";
      verifier.reset();
    }
  }

  TerminalFrontend screen(0, std::cout);
  ReceptionServices services;
  services.readers = &readers;
  services.reader = c.reader;
  services.clock = &clock;
  services.trust = &trust;
  services.certificate_policy = {c.expiry_warning_days, c.grace_days_after_expiry, false};
  services.eligibility = client ? &*client : nullptr;
  services.terminal = terminal ? &*terminal : nullptr;
  services.results = &results;
  services.journal = &journal;
  // Face authentication needs the card-surface scanner for 照合番号B; no hardware scanner driver
  // exists yet, so on hardware the face path reports itself unavailable and the PIN is offered.
  ReceptionRunner runner(services, screen);
  runner.run(patients);
  return 0;
}

}  // namespace kiosk::firmware
