// Dates on kiosk-sim's command line.
#pragma once

#include <chrono>
#include <string>

namespace kiosk::sim {
class SimulatedJpkiCa;
}

namespace kiosk::firmware {

// "YYYY-MM-DD" (midnight UTC) or empty for now. Throws CLI::ValidationError.
std::chrono::system_clock::time_point parse_today(const std::string& text);
// Writes auth.crl and sign.crl of the CA into its directory.
void write_crls(const sim::SimulatedJpkiCa& ca, std::chrono::system_clock::time_point now);

}  // namespace kiosk::firmware
