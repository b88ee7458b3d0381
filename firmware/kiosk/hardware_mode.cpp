#include "firmware/kiosk/hardware_mode.hpp"

#include <iostream>
#include <optional>
#include <thread>

#include "core/eligibility/client.hpp"
#include "core/face/face_error.hpp"
#include "core/face/face_verifier.hpp"
#include "drivers/camera/v4l2_camera.hpp"
#include "drivers/https/https_client_transport.hpp"
#include "drivers/https/terminal_key_signer.hpp"
#include "drivers/pcsc/pcsc_reader_service.hpp"
#include "drivers/system/system_clock.hpp"
#include "firmware/kiosk/config.hpp"
#include "firmware/kiosk/diag_command.hpp"
#include "firmware/kiosk/reception_runner.hpp"
#include "firmware/kiosk/terminal_frontend.hpp"
#include "firmware/kiosk/web_frontend.hpp"

namespace kiosk::firmware {

int run_on_hardware(const std::filesystem::path& config_file, int patients, std::optional<int> screen_port) {
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
  // The J-LIS keys of the card-face records, next to the JPKI anchors: without them the face path
  // cannot prove a card genuine and is not offered.
  std::optional<core::genuine_card::CardFaceTrustAnchors> card_face_anchors;
  if (const auto file = c.jpki_ca_dir / core::genuine_card::CardFaceTrustAnchors::kFileName; std::filesystem::exists(file)) {
    try {
      card_face_anchors.emplace(core::genuine_card::CardFaceTrustAnchors::load(file));
    } catch (const core::genuine_card::TrustAnchorError& e) {
      std::cerr << "kiosk: face authentication is off: " << e.what() << "\n";
    }
  }
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

  // The patient's screen: the kiosk screen for Chromium when configured, else the terminal.
  const int port = screen_port.value_or(c.screen_port);
  std::optional<TerminalFrontend> terminal_screen;
  std::optional<WebFrontend> web;
  if (port >= 0) {
    WebFrontendConfig web_config;
    web_config.port = port;
    web_config.journal = &journal;
    if (!c.staff_accounts.empty()) {
      web_config.staff = std::make_shared<StaffAuthenticator>(c.staff_accounts, c.staff, journal_into(journal));
    }
    web_config.diagnostics = [config_file] {
      DiagOptions diag;
      diag.config = config_file;
      diag.kiosk_running = true;
      return collect_report(diag).to_json();
    };
    web.emplace(web_config);
  } else {
    terminal_screen.emplace(0, std::cout);
  }
  Frontend& screen = web ? static_cast<Frontend&>(*web) : *terminal_screen;
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
  services.card_face_anchors = card_face_anchors ? &*card_face_anchors : nullptr;
  services.code_b_policy = card::CodeBPolicy{c.code_b_reserve};
  // Face authentication needs the card-surface scanner for 照合番号B; no hardware scanner driver
  // exists yet, so on hardware the face path reports itself unavailable and the PIN is offered.
  ReceptionRunner runner(services, screen);
  std::jthread url_printer;
  if (web) {
    url_printer = std::jthread([&web] {  // the page is served once run() started the frontend
      for (int i = 0; i < 50 && web->port() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::cout << "[kiosk] kiosk screen: " << web->url() << " (chromium --kiosk " << web->url() << ")\n" << std::flush;
    });
  }
  runner.run(patients);
  return 0;
}

}  // namespace kiosk::firmware
