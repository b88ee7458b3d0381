// kiosk-sim kiosk: the whole firmware on the simulator (interactive, headless demo, console);
// kiosk-sim diag: the diagnostics of the simulated kiosk (its simulated board).
#include <iostream>

#include "core/face/face_config.hpp"
#include "firmware/kiosk/diag_command.hpp"
#include "firmware/kiosk_sim/commands.hpp"
#include "firmware/kiosk_sim/sim_kiosk.hpp"
#include "firmware/screen/message_texts.hpp"
#include "sim/board/simulated_board.hpp"
#include "sim/scenario/control_endpoint.hpp"
#include "sim/scenario/headless_demo.hpp"
#include "sim/world/demo_world.hpp"

namespace kiosk::firmware::kiosk_sim {

namespace {

struct KioskCommandOptions {
  std::string world = "var/sim";
  std::string faces = core::face::default_model_dir().string();
  std::vector<std::string> cards;
  std::string texts = "firmware/screen/web/i18n/ja.json";
  bool no_face = false;
  std::string score_cohort;
  bool headless = false;
  int control_port = -1;
  int screen_port = -1;
};

int run_kiosk(const KioskCommandOptions& o) {
  if ((o.headless || o.control_port >= 0) && !o.score_cohort.empty()) {
    std::cerr << "kiosk-sim kiosk: --score-cohort is for the interactive kiosk (the demo and the console play on plain scores)\n";
    return 2;
  }
  if (o.headless || o.control_port >= 0) {
    sim::scenario::DemoOptions demo;
    demo.world = o.world;
    demo.faces_dir = o.faces;
    demo.texts = screen::load_texts(o.texts);
    demo.face = !o.no_face;
    return o.headless ? sim::scenario::run_headless_demo(demo) : sim::scenario::run_control_endpoint(demo, o.control_port);
  }
  SimOptions sim;
  sim.world = o.world;
  sim.faces_dir = o.faces;
  for (const auto& c : o.cards) sim.cards.emplace_back(c);
  sim.texts = screen::load_texts(o.texts);
  sim.face = !o.no_face;
  sim.score_cohort = o.score_cohort;
  sim.screen_port = o.screen_port;
  return run_simulator(sim);
}

struct DiagCommandOptions {
  std::string world = "var/sim";
  std::string faces = core::face::default_model_dir().string();
  std::string camera = "face";
  std::string service = "up";
  kiosk::DiagOptions diag;
  std::string bundle;
};

int run_diag(const DiagCommandOptions& o) {
  // The face set sits beside the models (../shared/faces/{models,data}): a new demo world takes
  // the patient's face for the simulated camera from there.
  const sim::world::DemoWorld world = sim::world::ensure_demo_world(o.world, o.faces, std::cerr);
  sim::board::WorldFaults faults;
  faults.camera = sim::world::camera_condition_from_name(o.camera);
  faults.service_down = o.service == "down";
  sim::board::SimulatedBoardOptions options;
  options.faces_dir = o.faces;
  options.face = false;     // the camera checks load the detector themselves
  options.journal = false;  // diagnostics only look
  options.camera_pacing = sim::camera::Pacing::Simulated;
  sim::board::SimulatedBoard kiosk = sim::board::simulated_board(world, faults, options);
  kiosk.place_card(world.cards.front().file);
  kiosk.camera->show(world.cards.front().live_face);
  kiosk::DiagOptions diag = o.diag;
  diag.bundle = o.bundle;
  return kiosk::run_diagnostics(kiosk.board, simulated_kiosk_config(world, o.faces), diag);
}

}  // namespace

void register_kiosk_command(CLI::App& app) {
  auto o = std::make_shared<KioskCommandOptions>();
  auto* cmd = app.add_subcommand("kiosk", "Run the kiosk on the simulator (you answer on this terminal; PINs: taro 1234, hanako 5678)");
  cmd->add_option("--world", o->world, "Directory of the simulated world (CA, cards, service, journal, outbox), made on first run")
      ->capture_default_str();
  cmd->add_option("--card", o->cards,
                  "Card files to present one after the other (default: the demo cards; a card of the world keeps its "
                  "patient's face on the camera)");
  cmd->add_option("--faces-dir", o->faces, "Face set and models ($KIOSK_FACES_DIR)")->capture_default_str();
  cmd->add_option("--texts", o->texts, "Resource file with the message texts")->capture_default_str();
  cmd->add_flag("--no-face", o->no_face, "Do not offer face authentication");
  cmd->add_option("--score-cohort", o->score_cohort,
                  "Score cohort file (face-eval cohort; relative to the models): match on normalised scores as a field "
                  "kiosk with face.score_cohort does");
  cmd->add_flag("--headless", o->headless,
                "Play the built-in demo of several patients (face, PIN, lock, registration, expired certificate, service "
                "down) and print its transcript; nobody answers");
  cmd->add_option("--control", o->control_port,
                  "Open a control endpoint on this loopback port (0: any) for kiosk-sim console: place cards, show faces, "
                  "inject faults by hand");
  cmd->add_option("--screen", o->screen_port, "Also serve the kiosk screen for a browser on this port (0: any free port)");
  cmd->callback([o] {
    if (const int rc = run_kiosk(*o); rc != 0) throw CLI::RuntimeError(rc);
  });
}

void register_diag_command(CLI::App& app) {
  auto o = std::make_shared<DiagCommandOptions>();
  auto* cmd = app.add_subcommand(
      "diag", "Diagnostics of the simulated kiosk (simulated readers, demo card, USB bus, camera, service): exit code 0 PASS, 1 WARN, 2 FAIL");
  cmd->add_option("--world", o->world, "Directory of the simulated world")->capture_default_str();
  cmd->add_option("--faces-dir", o->faces, "Face set and models ($KIOSK_FACES_DIR)")->capture_default_str();
  cmd->add_flag("--json", o->diag.json, "Print JSON for tools");
  cmd->add_option("--watch", o->diag.watch_seconds, "Re-check every N seconds, printing USB and reader events in between (Ctrl-C ends)");
  cmd->add_option("--count", o->diag.count, "With --watch: stop after this many rounds");
  cmd->add_option("--camera", o->camera, "What the simulated camera does")
      ->check(CLI::IsMember(sim::world::camera_condition_names()))
      ->capture_default_str();
  cmd->add_option("--service", o->service, "The simulated eligibility service is up or down")
      ->check(CLI::IsMember({"up", "down"}))
      ->capture_default_str();
  cmd->add_option("--bundle", o->bundle, "Write a support bundle (JSON: versions, redacted configuration, results; no personal data)");
  cmd->callback([o] {
    if (const int rc = run_diag(*o); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace kiosk::firmware::kiosk_sim
