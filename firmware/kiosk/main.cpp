// kiosk: the firmware of the clinic reception kiosk.
//   kiosk sim    the whole firmware against the simulator (the default demo)
//   kiosk run    the firmware on this machine's devices and the configured service
//   kiosk diag   diagnostics for field technicians
//   kiosk staff-passcode   the hash of a staff passcode for the configuration
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "firmware/kiosk/diag_command.hpp"
#include "firmware/kiosk/hardware_mode.hpp"
#include "firmware/kiosk/sim_mode.hpp"
#include "firmware/kiosk/staff_auth.hpp"
#include "firmware/kiosk/staff_passcode_command.hpp"

namespace {

std::string default_faces_dir() {
  const char* env = std::getenv("KIOSK_FACES_DIR");
  return env != nullptr ? env : "../shared/faces";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kiosk: firmware of the clinic reception kiosk for My Number health insurance cards.\n"
               "The patient places the card; the kiosk checks it (JPKI user-authentication certificate), authenticates\n"
               "the holder by face or PIN (3 tries, counted on the card), confirms eligibility with the service, takes\n"
               "the consent and prescription choice, and hands the result to the reception system."};
  app.require_subcommand(1);

  kiosk::firmware::SimOptions sim_options;
  std::string world = "var/sim";
  std::string faces = default_faces_dir();
  std::vector<std::string> cards;
  std::string texts = "firmware/kiosk/web/i18n/ja.json";
  bool no_face = false;
  auto* sim = app.add_subcommand("sim", "Run the kiosk on the simulator (you answer on this terminal; PINs: taro 1234, hanako 5678)");
  sim->add_option("--world", world, "Directory of the simulated world (CA, cards, service, journal, outbox), made on first run")
      ->capture_default_str();
  sim->add_option("--card", cards, "Card files to present one after the other (default: the demo cards; a card of the world keeps its patient's face on the camera)");
  sim->add_option("--faces-dir", faces, "Face set and models ($KIOSK_FACES_DIR)")->capture_default_str();
  sim->add_option("--texts", texts, "Resource file with the message texts")->capture_default_str();
  sim->add_flag("--no-face", no_face, "Do not offer face authentication");
  bool headless = false;
  sim->add_flag("--headless", headless,
                "Play the built-in demo of several patients (face, PIN, lock, registration, expired certificate, service "
                "down) and print its transcript; nobody answers");
  int control_port = -1;
  sim->add_option("--control", control_port,
                  "Open a control endpoint on this loopback port (0: any) for kiosk-sim console: place cards, show faces, "
                  "inject faults by hand");
  int screen_port = -1;
  sim->add_option("--screen", screen_port, "Also serve the kiosk screen for a browser on this port (0: any free port)");

  std::string config;
  int patients = 0;
  auto* run = app.add_subcommand("run", "Run the kiosk on this machine's readers, camera and the configured service");
  run->add_option("--config", config, "Configuration file (see firmware/kiosk/kiosk.example.json)")->required();
  run->add_option("--patients", patients, "Receptions to serve before exiting (0 = until stopped)")->capture_default_str();
  int run_screen = -1;
  auto* run_screen_option = run->add_option("--screen", run_screen,
                                            "Serve the kiosk screen on this loopback port instead of screen.port (-1: the terminal, 0: any free port)");

  kiosk::firmware::DiagOptions diag_options;
  std::string diag_config;
  std::string diag_bundle;
  std::string diag_world = "var/sim";
  auto* diag = app.add_subcommand("diag", "Diagnostics for field technicians: host, USB, PC/SC, test card, camera, eligibility service (exit code 0 PASS, 1 WARN, 2 FAIL)");
  diag->add_option("--config", diag_config, "Configuration file (default: built-in defaults)");
  diag->add_flag("--sim", diag_options.simulated, "Check the simulated world (simulated readers, demo card, simulated USB bus)");
  diag->add_option("--world", diag_world, "With --sim: directory of the simulated world")->capture_default_str();
  diag->add_flag("--json", diag_options.json, "Print JSON for tools");
  diag->add_option("--watch", diag_options.watch_seconds, "Re-check every N seconds, printing USB and reader events in between (Ctrl-C ends)");
  diag->add_option("--count", diag_options.count, "With --watch: stop after this many rounds");
  diag->add_option("--sim-camera", diag_options.sim_camera, "With --sim: what the simulated camera does")
      ->check(CLI::IsMember(kiosk::firmware::sim_camera_conditions()))
      ->capture_default_str();
  diag->add_option("--sim-service", diag_options.sim_service, "With --sim: the simulated eligibility service is up or down")
      ->check(CLI::IsMember(kiosk::firmware::sim_service_conditions()))
      ->capture_default_str();
  diag->add_option("--bundle", diag_bundle, "Write a support bundle (JSON: versions, redacted configuration, results; no personal data)");

  int passcode_iterations = kiosk::firmware::kDefaultPasscodeIterations;
  auto* staff_passcode = app.add_subcommand(
      "staff-passcode",
      "Print the hash of a staff passcode read from standard input, for staff.accounts[].passcode_hash of the configuration");
  staff_passcode->add_option("--iterations", passcode_iterations, "PBKDF2-HMAC-SHA256 iterations")
      ->capture_default_str()
      ->check(CLI::Range(kiosk::firmware::kMinPasscodeIterations, kiosk::firmware::kMaxPasscodeIterations));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*diag) {
      diag_options.config = diag_config;
      diag_options.bundle = diag_bundle;
      diag_options.world = diag_world;
      return kiosk::firmware::run_diagnostics(diag_options);
    }
    if (*run) {
      return kiosk::firmware::run_on_hardware(config, patients,
                                              run_screen_option->count() > 0 ? std::optional<int>(run_screen) : std::nullopt);
    }
    if (*staff_passcode) return kiosk::firmware::run_staff_passcode(stdin, std::cout, std::cerr, passcode_iterations);
    sim_options.world = world;
    sim_options.faces_dir = faces;
    for (const auto& c : cards) sim_options.cards.emplace_back(c);
    sim_options.texts = texts;
    sim_options.face = !no_face;
    sim_options.screen_port = screen_port;
    sim_options.control_port = control_port;
    if (headless) return kiosk::firmware::run_headless_demo(sim_options);
    if (control_port >= 0) return kiosk::firmware::run_control_endpoint(sim_options);
    return kiosk::firmware::run_simulator(sim_options);
  } catch (const std::exception& e) {
    std::cerr << "kiosk: " << e.what() << "\n";
    return *diag ? 2 : 1;
  }
}
