#include "firmware/kiosk/hardware_board.hpp"

#include <exception>
#include <filesystem>
#include <functional>
#include <memory>

#include "drivers/camera/camera_source.hpp"
#include "drivers/card_surface/ocr_card_surface_scanner.hpp"
#include "drivers/card_surface/ocr_document_reader.hpp"
#include "drivers/card_surface/scanner_config.hpp"
#include "drivers/https/https_client_transport.hpp"
#include "drivers/https/terminal_key_signer.hpp"
#include "drivers/https/tls_service_probe.hpp"
#include "drivers/pcsc/pcsc_reader_service.hpp"
#include "drivers/system/system_clock.hpp"
#include "drivers/system/systemd_service_manager.hpp"
#include "drivers/usb/libusb_inventory.hpp"

namespace kiosk::firmware::kiosk {

namespace board = core::board;

namespace {

drivers::https::HttpsTransportConfig service_line(const KioskConfig& c) {
  drivers::https::HttpsTransportConfig tls;
  tls.host = c.eligibility_host;
  tls.port = c.eligibility_port;
  tls.ca_certificate = c.eligibility_ca_certificate;
  tls.client_certificate = c.terminal_certificate;
  tls.client_key = c.terminal_key;
  tls.pkcs11_module = c.pkcs11_module;
  tls.pkcs11_pin_file = c.pkcs11_pin_file;
  return tls;
}

// Runs `make`; an exception becomes a note on the board instead (the member stays empty).
template <typename Make>
void try_fill(board::Board& b, const char* what, Make make) {
  try {
    make();
  } catch (const std::exception& e) {
    board::note(b, what, e.what());
  }
}

}  // namespace

namespace {

// The card-surface reader's calibration: face.surface_layout, or the built-in layout.
drivers::card_surface::ScannerConfig surface_settings(const KioskConfig& c) {
  return c.surface_layout.empty() ? drivers::card_surface::ScannerConfig{}
                                  : drivers::card_surface::load_scanner_config(c.surface_layout);
}

// Opens the camera over the card tray: for each scan or read, closed after it, like the face camera.
std::function<std::unique_ptr<hal::Camera>()> tray_camera(const KioskConfig& c) {
  return [source = c.scanner_camera] {
    drivers::camera::SourceCameraProvider cameras;
    return cameras.open(hal::CameraDevice::path(source), kScannerCameraMode);
  };
}

}  // namespace

std::unique_ptr<hal::CardSurfaceScanner> card_surface_scanner(const KioskConfig& c, const hal::Clock* clock) {
  return std::make_unique<drivers::card_surface::OcrCardSurfaceScanner>(tray_camera(c), surface_settings(c), clock);
}

// The document reader on the same tray camera: it reads a 資格確認書 / 健康保険証 for the
// 資格確認書 form, with or without face authentication.
std::unique_ptr<hal::DocumentReader> document_reader(const KioskConfig& c, const hal::Clock* clock) {
  return std::make_unique<drivers::card_surface::OcrDocumentReader>(tray_camera(c), surface_settings(c), clock);
}

board::Board hardware_board(const KioskConfig& c, BoardUse use) {
  board::Board b;
  b.kind = "hardware";
  b.terminal_id = c.terminal_id;
  b.clock = std::make_unique<drivers::system::SystemClock>();
  b.readers = std::make_unique<drivers::pcsc::PcscReaderService>();
  b.reader = c.reader;
  b.accepted_models = c.accepted_models;
  if (!b.reader_policy().configured()) {
    board::note(b, "card reader", "none configured (card_reader.reader or card_reader.accepted_models): no card is taken");
  }
  b.certificate_policy = {c.expiry_warning_months, c.grace_months_after_expiry, false};

  try_fill(b, "JPKI trust anchors", [&] {
    auto trust = std::make_unique<core::crypto::TrustStore>();
    trust->add_directory(c.jpki_ca_dir);
    b.trust = std::move(trust);
  });
  // The J-LIS keys of the card-face records, next to the JPKI anchors: without them the face path
  // cannot prove a card genuine and is not offered (docs/genuine-card.md).
  if (c.face_enabled) {
    const auto anchors = c.jpki_ca_dir / core::genuine_card::CardFaceTrustAnchors::kFileName;
    if (std::filesystem::exists(anchors)) {
      try_fill(b, "card-face anchors", [&] {
        b.card_face_anchors =
            std::make_unique<core::genuine_card::CardFaceTrustAnchors>(core::genuine_card::CardFaceTrustAnchors::load(anchors));
      });
    } else {
      board::note(b, "card-face anchors", "no " + anchors.string() + ": face authentication is not offered");
    }
  }
  b.code_b_policy = core::card::CodeBPolicy{c.code_b_reserve};
  try_fill(b, "USB inventory", [&] { b.usb = std::make_unique<drivers::usb::LibusbInventory>(); });
  b.service_manager = std::make_unique<drivers::system::SystemdServiceManager>();

  if (c.eligibility_host.empty()) {
    board::note(b, "eligibility service", "not configured (eligibility.host): patients are sent to the counter");
  } else {
    const auto tls = service_line(c);
    b.service_probe = std::make_unique<drivers::https::TlsServiceProbe>(tls);
    try_fill(b, "eligibility service", [&] { b.eligibility = std::make_unique<drivers::https::HttpsClientTransport>(tls); });
    try_fill(b, "terminal key", [&] {
      b.terminal = std::make_unique<drivers::https::TerminalKeySigner>(
          drivers::https::TerminalKeySigner::load({c.terminal_key, c.pkcs11_module, c.pkcs11_pin_file}));
    });
  }

  if (c.face_enabled) {
    b.cameras = std::make_unique<drivers::camera::SourceCameraProvider>();
    b.face_camera = hal::CameraDevice::path(c.camera);
    if (use == BoardUse::Reception) {
      try_fill(b, "face authentication", [&] { b.face = std::make_unique<core::face::FaceVerifier>(face_config(c)); });
    }
    if (c.scanner_camera.empty()) {
      board::note(b, "card-surface scanner", "no scanner camera configured (face.scanner_camera): face authentication is not offered");
    } else {
      try_fill(b, "card-surface scanner", [&] { b.scanner = card_surface_scanner(c, b.clock.get()); });
    }
  } else {
    board::note(b, "face authentication", "switched off (face.enabled false)");
  }
  if (c.scanner_camera.empty()) {
    board::note(b, "document reader", "no scanner camera configured (face.scanner_camera): patients type the numbers of a 資格確認書");
  } else {
    try_fill(b, "document reader", [&] { b.documents = document_reader(c, b.clock.get()); });
  }

  if (use == BoardUse::Reception) {
    try_fill(b, "journal", [&] {
      std::filesystem::create_directories(c.data_dir);
      b.journal = std::make_unique<core::journal::Journal>(core::journal::Journal::open(c.journal(), c.terminal_id));
    });
    try_fill(b, "result outbox", [&] {
      std::filesystem::create_directories(c.result_outbox());
      b.results = std::make_unique<core::eligibility::ResultFileWriter>(c.result_outbox());
    });
  }
  return b;
}

}  // namespace kiosk::firmware::kiosk
