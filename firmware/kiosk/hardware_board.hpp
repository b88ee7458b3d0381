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

#include "core/board/board.hpp"
#include "firmware/kiosk/config.hpp"

namespace kiosk::firmware::kiosk {

// What the board is for: a reception opens every file it needs; diagnostics only look (the
// journal and the outbox are not created, the face models are not loaded twice).
enum class BoardUse { Reception, Diagnostics };

core::board::Board hardware_board(const KioskConfig& config, BoardUse use = BoardUse::Reception);

}  // namespace kiosk::firmware::kiosk
