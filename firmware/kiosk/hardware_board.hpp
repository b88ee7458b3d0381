// hardware_board(config): the Board of a real kiosk, from its configuration.
//   clock          the system clock
//   readers        pcsc-lite (drivers/pcsc), the configured reader (card_reader.reader)
//   cameras        V4L2 / video file / image directory / GStreamer through OpenCV (face.camera)
//   scanner        the card-surface scanner on its own camera (face.scanner_camera)
//   usb            libusb
//   eligibility    HTTPS with the terminal's client certificate (eligibility.*), its TLS probe
//   terminal       the terminal's private key
//   trust          the JPKI CA certificates and CRLs (card_reader.jpki_ca_dir)
//   journal, results   storage.data_dir, storage.outbox
//   face           the face models (face.model_dir)
// A member whose device or file is missing stays empty with a note (core/board/board.hpp).
#pragma once

#include <memory>

#include "core/board/board.hpp"
#include "firmware/kiosk/config.hpp"

namespace kiosk::firmware::kiosk {

// What the board is for: a reception opens every file it needs; diagnostics only look (the
// journal and the outbox are not created, the face models are not loaded twice).
enum class BoardUse { Reception, Diagnostics };

core::board::Board hardware_board(const KioskConfig& config, BoardUse use = BoardUse::Reception);

// The mode the scanner camera is asked for (V4L2 negotiates the nearest; recorded sources
// deliver their own size): the card's print needs more pixels than a face.
inline constexpr hal::CameraMode kScannerCameraMode{1920, 1080, 15.0};

// The card-surface scanner of a configuration: the OCR reader (drivers/card_surface) over the
// scanner camera (face.scanner_camera, opened per scan), calibrated by face.surface_layout.
// Throws std::exception (a layout file that cannot be read, Tesseract's data missing).
std::unique_ptr<hal::CardSurfaceScanner> card_surface_scanner(const KioskConfig& config, const hal::Clock* clock);

// The document reader of a configuration: the OCR document reader (drivers/card_surface) over the
// same scanner camera. Throws std::exception like card_surface_scanner().
std::unique_ptr<hal::DocumentReader> document_reader(const KioskConfig& config, const hal::Clock* clock);

}  // namespace kiosk::firmware::kiosk
