// `kiosk-sim kiosk --control PORT`: the kiosk on the scenario player (virtual time; every card of
// the scenario world under WORLD/scenarios), driven step by step from `kiosk-sim console`
// through a loopback HTTP endpoint: POST /step (one scenario step as JSON), GET /screen,
// GET /cards, POST /quit.
#pragma once

#include "sim/scenario/headless_demo.hpp"

namespace kiosk::sim::scenario {

// Serves until POST /quit; `port` 0: any free port (printed). 1 when the port is taken.
int run_control_endpoint(const DemoOptions& options, int port);

}  // namespace kiosk::sim::scenario
