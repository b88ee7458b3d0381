// `kiosk sim`: the whole firmware on the simulator. A simulated JPKI CA, demo cards, the
// simulated eligibility service on loopback (mutual TLS), simulated readers, a virtual camera
// showing the patient, a simulated card-surface scanner, the journal and the result outbox; the
// reception runs unchanged against them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiosk::firmware {

struct SimOptions {
  std::filesystem::path world = "var/sim";
  std::filesystem::path faces_dir;            // the face set and models (../shared/faces)
  std::vector<std::filesystem::path> cards;   // present these cards in turn (default: the demo cards)
  std::filesystem::path texts;                // a resource file for message texts (optional)
  bool face = true;                           // offer face authentication when the models load
  int screen_port = -1;                       // >= 0: also serve the kiosk screen (0: any free port)
  int control_port = -1;                      // >= 0: driven by `kiosk-sim console` on this loopback port (0: any)
};

// The message texts of a resource file (web/i18n/<lang>.json); empty when it is missing or
// does not parse (the screens then show message keys).
nlohmann::json load_texts(const std::filesystem::path& file);

// Serves one reception per card; returns 0 when every reception completed with a result.
int run_simulator(const SimOptions& options);

// `kiosk sim --headless`: the built-in demo scenario of several patients, played on the scenario
// player (virtual time) in the scenario world under WORLD/scenarios; prints the transcript
// (screens, what each patient did, message codes with their texts, results). 0 when every patient met what the
// demo expects, 3 otherwise.
int run_headless_demo(const SimOptions& options);

// `kiosk sim --control PORT`: the kiosk on the scenario player (virtual time; every card of the
// scenario world under WORLD/scenarios), driven step by step from `kiosk-sim console` through a
// loopback HTTP endpoint: POST /step (one scenario step as JSON), GET /screen, GET /cards,
// POST /quit.
int run_control_endpoint(const SimOptions& options);

}  // namespace kiosk::firmware
