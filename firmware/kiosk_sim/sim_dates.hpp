// Dates on kiosk-sim's command line.
#pragma once

#include <chrono>
#include <string>

#include "sim/world/demo_world.hpp"

namespace kiosk::sim::ca {
class SimulatedJpkiCa;
}

namespace kiosk::firmware::kiosk_sim {

// "YYYY-MM-DD" (midnight UTC) or empty for now. Throws CLI::ValidationError.
std::chrono::system_clock::time_point parse_today(const std::string& text);
// write_crls(): sim/world/demo_world.hpp

}  // namespace kiosk::firmware::kiosk_sim
