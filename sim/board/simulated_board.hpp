// simulated_board(world, faults): the Board of the simulated kiosk, the SITL of this firmware.
//
// Every member is the simulated device behind the same hal interface the hardware board uses,
// or the real code where the world is reached through a real stack:
//   clock          the system clock, or a virtual clock moved by the timing model (QA scenarios)
//   readers        simulated readers in process, or a real pcscd with the card served into its
//                  vpcd reader and read through the real PC/SC driver (options.pcsc)
//   cameras        the patient camera (sim/world): whoever stands in front of the kiosk
//   scanner        the card-surface scanner: the OCR reader (drivers/card_surface) over a camera
//                  on the tray, which shows the rendered printed face of the card placed there
//   documents      the document reader (drivers/card_surface) over the same tray camera, which
//                  shows the rendered 資格確認書 / 健康保険証 placed there
//   usb            a simulated USB bus with the kiosk's reader and camera
//   eligibility    the real HTTPS driver to the simulated national service on loopback (mutual
//                  TLS), through a ServiceLine that carries the line's faults; its TLS probe
//   terminal       the world's terminal key
//   trust          the world's JPKI CA and CRLs
//   card_face_anchors  the world's J-LIS card-face root (cardface-anchors.json next to the CRLs)
//   journal, results   in the world, or in a work directory of their own (one per QA scenario)
//   face           the face models of the face set (../shared/faces), when present
// The SimulatedBoard around it keeps the world's controls: where a patient places a card, who
// stands before the camera, which card lies on the scanner, the faults of the line and the
// service, and the virtual clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/board/board.hpp"
#include "sim/board/service_line.hpp"
#include "sim/camera/card_tray_camera.hpp"
#include "sim/clock/virtual_clock.hpp"
#include "sim/eligibility/service.hpp"
#include "sim/usb/simulated_usb.hpp"
#include "sim/world/card_field.hpp"
#include "sim/world/demo_world.hpp"
#include "sim/world/patient_camera.hpp"

namespace kiosk::sim::board {

// The name of the simulated kiosk's reader (in-process readers).
inline constexpr const char* kSimulatedReader = "Simulated Contactless Reader 0";

// What is wrong in the world when the board starts (the controls change it later).
struct WorldFaults {
  bool service_down = false;             // the line to the service is down (connection refused)
  bool service_wrong_certificate = false;  // the kiosk reaches a server of another CA
  std::chrono::milliseconds service_extra_latency{0};
  eligibility::Faults service_replies;   // what the service answers (500, 503, malformed, ...)
  world::CameraCondition camera = world::CameraCondition::Normal;
};

// The device timing model on virtual time (QA scenarios): what each exchange costs.
struct DeviceTiming {
  std::chrono::milliseconds service_latency{120};
  double camera_fps = 15.0;
  std::chrono::milliseconds camera_exposure{300};  // before the first frame
};

struct SimulatedBoardOptions {
  std::filesystem::path faces_dir;  // face models and face set; face authentication off without them
  bool face = true;                 // load the face models (and make the face path available)
  // The score cohort (face.score_cohort of the field binary; core/face/score_cohort.hpp).
  // Empty: plain cosine scores.
  std::filesystem::path score_cohort;
  bool virtual_time = false;        // a virtual clock instead of the system clock
  DeviceTiming timing;              // with virtual time
  // Where the journal and the result outbox go; empty: the world's (journal.sqlite, outbox/).
  std::filesystem::path work_dir;
  // The service's database. Empty: the world's (kept from run to run). ":memory:" or a file: the
  // service starts there afresh from the fixture (a file left by an earlier run is removed).
  std::string fresh_service_database;
  bool service_log = false;             // the service logs its requests to stderr
  std::string terminal_id = "SIM-KIOSK-01";
  // Cards go into this reader of a running pcscd (vpcd) instead of the in-process readers.
  std::optional<world::PcscReaderSlot> pcsc;
  std::uint32_t seed = 1;  // the virtual camera's noise
  // How the camera delivers frames; default: in real time with the system clock, as fast as
  // asked on virtual time.
  std::optional<camera::Pacing> camera_pacing;
  bool journal = true;     // open the journal and the outbox (diagnostics do not)
};

struct SimulatedBoard {
  // The service outlives the board, whose line to it closes first.
  std::unique_ptr<eligibility::SimulatedEligibilityService> service;
  // The card-surface scanner's camera: the board's scanner (the OCR reader of drivers/card_surface)
  // reads the rendered face of the card placed on this tray. It outlives the board's scanner.
  std::unique_ptr<camera::CardTrayCamera> tray_camera;
  core::board::Board board;
  // The world's controls; each points into `board` (or is owned here).
  std::unique_ptr<world::CardField> field;                  // where patients place cards
  world::PatientCamera* camera = nullptr;                    // who stands before the kiosk
  camera::CardTrayCamera* tray = nullptr;                    // the scanner's tray (its camera; see tray_camera)
  clock::VirtualClock* virtual_clock = nullptr;              // with virtual time
  ServiceLine* line = nullptr;                               // the line to the service
  usb::SimulatedUsb* usb = nullptr;                          // the simulated USB bus

  // Puts a card of the world on the reader (and its printed face on the scanner's tray).
  void place_card(const std::filesystem::path& card_file);
  // Puts a paper document (a 資格確認書, an old 健康保険証) on the scanner's tray; nothing on the reader.
  void place_document(const card_face::PrintedDocument& document, const card_face::DocumentRenderOptions& options = {});
  // Changes the faults of the line and the service now (camera faults: see `camera`).
  void set_service_faults(const WorldFaults& faults);
};

SimulatedBoard simulated_board(const world::DemoWorld& world, const WorldFaults& faults = {},
                               const SimulatedBoardOptions& options = {});

}  // namespace kiosk::sim::board
