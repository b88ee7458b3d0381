// `kiosk-sim kiosk`: the whole firmware on the simulator. The reception runs unchanged on a
// simulated board (sim/board): simulated readers and demo cards, the camera in front of the kiosk
// showing the patient, the card-surface scanner, the simulated eligibility service on loopback
// (mutual TLS), the journal and the result outbox of the demo world. Simulated patients place
// each card in turn; you answer on the terminal (and/or on the kiosk screen in a browser).
#pragma once

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/board/board.hpp"
#include "firmware/kiosk/config.hpp"
#include "sim/world/demo_world.hpp"

namespace kiosk::firmware::kiosk_sim {

struct SimOptions {
  std::filesystem::path world = "var/sim";
  std::filesystem::path faces_dir;            // the face set and models (../shared/faces)
  std::vector<std::filesystem::path> cards;   // present these cards in turn (default: the demo cards)
  nlohmann::json texts;                       // the message texts of the terminal screen (may be empty)
  bool face = true;                           // offer face authentication when the models load
  std::filesystem::path score_cohort;         // face.score_cohort (empty: plain cosine scores)
  int screen_port = -1;                       // >= 0: also serve the kiosk screen (0: any free port)
};

// Serves one reception per card; returns 0 when every reception completed with a result.
int run_simulator(const SimOptions& options);

// The configuration that describes the simulated kiosk of `world` (for the host checks of
// diagnostics: its data directory, journal, trust anchors, face models).
kiosk::LoadedConfig simulated_kiosk_config(const sim::world::DemoWorld& world, const std::filesystem::path& faces_dir,
                                           const std::filesystem::path& score_cohort = {});

}  // namespace kiosk::firmware::kiosk_sim
