// Plays a QA scenario (sim/scenario) against the real firmware code paths, in process: the
// reception runner and machine, the JPKI protocol against the card emulator in simulated
// readers, the eligibility client over mutual TLS to the simulated service, the face pipeline
// on the virtual camera, the journal and the result files. Time is virtual (sim::clock::VirtualClock):
// the runner gets no wall-clock ticks; the player advances the clock by the scenario's device
// timing model and by `wait` steps, and every step runs once the previous one has settled.
#pragma once

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/reception/reception_machine.hpp"
#include "sim/world/card_field.hpp"
#include "sim/world/demo_world.hpp"
#include "sim/scenario/scenario_report.hpp"
#include "sim/scenario/scenario.hpp"

namespace kiosk::sim::scenario {

struct PlayerOptions {
  const sim::world::DemoWorld* world = nullptr;     // sim::world::ensure_scenario_world()
  std::filesystem::path faces_dir;      // face models and face set; face scenarios are skipped without them
  std::filesystem::path work_dir;       // this scenario's journal and outbox (made; left for inspection)
  std::ostream* live = nullptr;         // transcript lines as they happen (the headless demo)
  // Message texts of the kiosk screen (firmware/screen/web/i18n/<lang>.json): the transcript
  // shows each message's text after its code and key. Empty: code and key only.
  nlohmann::json texts;
  std::chrono::milliseconds settle_limit{20000};  // wall time a step may take before the run is declared hung
  // Cards go through this reader of a running pcscd (vpcd) and the real PC/SC driver instead of
  // the in-process readers; scenarios with reader or pcscd faults are then skipped.
  std::optional<sim::world::PcscReaderSlot> pcsc;
  // The simulated service's database in work_dir (eligibility.sqlite3) instead of in memory; it
  // starts afresh from the fixture either way. ScenarioSession sets it: the service's audit and
  // consents grow with every reception, and a session runs as long as the console is left on.
  bool service_database_on_disk = false;
};

sim::scenario::ScenarioResult play_scenario(const sim::scenario::Scenario& scenario, const PlayerOptions& options);

class Player;

// A scenario played step by step as the steps come (the interactive console): the world and the
// reception start on construction (ScenarioError when the scenario cannot run here) and stop
// with the object. Thread-safe.
class ScenarioSession {
 public:
  ScenarioSession(const sim::scenario::Scenario& scenario, const PlayerOptions& options);
  ~ScenarioSession();
  ScenarioSession(const ScenarioSession&) = delete;
  ScenarioSession& operator=(const ScenarioSession&) = delete;

  // Plays one step once the previous one settled; returns the transcript lines it produced and
  // "FAILED ..." lines for unmet expectations.
  std::vector<std::string> run(const sim::scenario::StepEntry& step);
  // The screen now, as the transcript shows it.
  std::string screen() const;

 private:
  sim::scenario::Scenario scenario_;
  PlayerOptions options_;
  mutable std::mutex mutex_;
  std::unique_ptr<Player> player_;
};

// Staff actions reach the machine through this one function, so the event can change (an
// expiry, staff authentication) without touching the scenarios.
core::reception::Event staff_visual_check_mode_event(bool enabled, const std::string& staff_id);

}  // namespace kiosk::sim::scenario
