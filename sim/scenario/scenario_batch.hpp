// Runs many QA scenario files: each in a process of its own (a crash or a hang of the firmware
// fails that scenario, not the run), up to `jobs` at once, with a wall-clock watchdog per
// scenario. Used by `kiosk-sim run` and the scenario benchmark.
#pragma once

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <vector>

#include "sim/world/card_field.hpp"
#include "sim/scenario/scenario_report.hpp"

namespace kiosk::sim::scenario {

struct BatchOptions {
  std::filesystem::path world_dir;   // the scenario world (made on first use, shared, locked)
  std::filesystem::path faces_dir;   // face models and face set
  std::filesystem::path work_dir;    // per-scenario journal, outbox and firmware log (made)
  int jobs = 1;
  std::chrono::seconds watchdog{60};  // wall time per scenario, then it is killed and fails
  std::ostream* progress = nullptr;   // one line per finished scenario
  std::optional<sim::world::PcscReaderSlot> pcsc;  // cards through this pcscd reader (see PlayerOptions)
};

std::vector<sim::scenario::ScenarioResult> run_scenarios(const std::vector<std::filesystem::path>& files,
                                                         const BatchOptions& options);

}  // namespace kiosk::sim::scenario
