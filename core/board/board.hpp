// The Board: every device and service the firmware uses, in one aggregate.
//
// The firmware above this line (the reception runner, diagnostics, the kiosk screen's staff
// pages) takes a Board and never opens a device itself. Exactly two factories fill one:
//   - hardware_board(config)        firmware/kiosk/hardware_board.hpp: PC/SC, V4L2, the
//                                   configured eligibility service, files under /var/lib/kiosk;
//   - simulated_board(world, ...)   sim/board/simulated_board.hpp: the card emulator in simulated
//                                   readers (or behind pcscd through vpcd), the virtual cameras,
//                                   the simulated eligibility service over real mutual TLS.
// So a mode cannot drift from the others: whatever the reception uses is a member here, and a
// test (tests/unit/core/board, tests/unit/firmware/kiosk, tests/unit/sim/board) proves that
// both factories fill every member. ArduPilot's AP_HAL / SITL split is the model.
//
// A factory leaves a member empty only when the device or service is really missing (no
// eligibility service configured, face models not found, a journal directory that cannot be
// written); it then says why in `notes`, so `kiosk run` can refuse to start (or run without the
// face path) and `kiosk diag` can report it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/card/code_b_guard.hpp"
#include "core/crypto/trust_store.hpp"
#include "core/crypto/validation.hpp"
#include "core/eligibility/result_file.hpp"
#include "core/face/face_verifier.hpp"
#include "core/genuine_card/trust_anchors.hpp"
#include "core/journal/journal.hpp"
#include "hal/camera.hpp"
#include "hal/card_reader.hpp"
#include "hal/card_surface_scanner.hpp"
#include "hal/clock.hpp"
#include "hal/document_reader.hpp"
#include "hal/https_transport.hpp"
#include "hal/service_manager.hpp"
#include "hal/service_probe.hpp"
#include "hal/usb_inventory.hpp"

namespace kiosk::core::board {

struct Board {
  std::string kind;         // "hardware" or "simulated": shown by diagnostics and at start-up
  std::string terminal_id;  // the kiosk's id in the journal and the result files

  // Devices.
  std::unique_ptr<hal::Clock> clock;
  std::unique_ptr<hal::CardReaderService> readers;
  // The readers the kiosk takes cards from: `reader` by its exact name, or any reader of one of
  // `accepted_models` (hal::ReaderPolicy). Neither: no reader is accepted (issue 18: an
  // unconfigured kiosk would take a card from any reader, an emulated one on the LAN included).
  std::string reader;
  std::vector<std::string> accepted_models;
  hal::ReaderPolicy reader_policy() const { return {reader, accepted_models}; }
  // The face camera is opened for a face attempt and closed after it: a provider and the device.
  std::unique_ptr<hal::CameraProvider> cameras;
  hal::CameraDevice face_camera;
  hal::CameraMode face_camera_mode;
  std::unique_ptr<hal::CardSurfaceScanner> scanner;  // reads 照合番号B from the card's printed face
  // Reads a 資格確認書 / old 健康保険証 placed on the card tray (the same camera as `scanner`), for
  // the 資格確認書 form; without it the patient types the numbers.
  std::unique_ptr<hal::DocumentReader> documents;
  std::unique_ptr<hal::UsbInventory> usb;            // what is plugged in (diagnostics)
  std::unique_ptr<hal::ServiceManager> service_manager;  // systemd: ready, status, watchdog

  // Services.
  std::unique_ptr<hal::HttpsTransport> eligibility;  // the line to the eligibility service
  std::unique_ptr<hal::ServiceProbe> service_probe;  // TCP/TLS facts of that line (diagnostics)
  std::unique_ptr<hal::TerminalSigner> terminal;     // the terminal's key: signs attestations
  std::unique_ptr<core::crypto::TrustStore> trust;         // JPKI trust anchors and CRLs
  core::crypto::ValidationPolicy certificate_policy{3, 3, false};
  std::unique_ptr<core::journal::Journal> journal;
  std::unique_ptr<core::eligibility::ResultFileWriter> results;  // result files for the reception system
  std::unique_ptr<core::face::FaceVerifier> face;                // the face models, loaded once
  // The J-LIS keys of the card-face records (cardface-anchors.json next to the JPKI anchors):
  // without them no card can be proven genuine (docs/genuine-card.md) and face is not offered.
  std::unique_ptr<core::genuine_card::CardFaceTrustAnchors> card_face_anchors;
  core::card::CodeBPolicy code_b_policy;  // the 照合番号B tries the kiosk never spends

  // Why a member is empty, or anything else the operator should know ("face authentication is
  // off: models not found in ..."). One line each.
  std::vector<std::string> notes;

  // True when the face path can run: verifier, camera, card-surface scanner and the card-face
  // anchors are all there.
  bool face_ready() const { return face && cameras && scanner && card_face_anchors; }
};

// The members a board lacks, by name ("scanner", "eligibility", ...), in declaration order.
std::vector<std::string> missing_members(const Board& board);

// The members without which no reception can run at all (clock, readers, trust, journal,
// results; and a reader the kiosk accepts), by name: `kiosk run` refuses to start while any is
// missing.
std::vector<std::string> missing_essentials(const Board& board);

// Adds a note ("what: why").
void note(Board& board, std::string_view what, std::string_view why);

}  // namespace kiosk::core::board
