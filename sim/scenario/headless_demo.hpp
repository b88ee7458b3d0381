// `kiosk-sim kiosk --headless`: the built-in demo scenario of several patients (face, PIN, a
// lock, registration, an expired certificate, the service down), played on the scenario player
// (virtual time) in the scenario world under WORLD/scenarios; prints the transcript (screens,
// what each patient did, message codes with their texts, results).
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario_player.hpp"
#include "sim/world/demo_world.hpp"

namespace kiosk::sim::scenario {

struct DemoOptions {
  std::filesystem::path world = "var/sim";  // the demo world; the scenario world is WORLD/scenarios
  std::filesystem::path faces_dir;          // face models and face set
  nlohmann::json texts;                     // message texts for the transcript (may be empty)
  bool face = true;                         // face steps (left out without the face models)
};

// 0 when every patient met what the demo expects, 3 otherwise.
int run_headless_demo(const DemoOptions& options);

// What the demo and the console share: whether face authentication can run here (the face
// models load; says why not on standard output), and the player's options for a run played live
// on standard output in WORLD/<work> (emptied first).
bool demo_face_available(const DemoOptions& options);
PlayerOptions live_player_options(const DemoOptions& options, const sim::world::DemoWorld& world, const std::string& work);

}  // namespace kiosk::sim::scenario
