// kiosk diag: the checks a field technician runs on a kiosk that misbehaves.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/diagnostics/report.hpp"

namespace kiosk::firmware {

struct DiagOptions {
  std::filesystem::path config;  // empty: built-in defaults
  bool simulated = false;        // simulated readers, card and USB bus (the demo world)
  std::filesystem::path world = "var/sim";
  bool json = false;
  int watch_seconds = 0;         // 0: run once
  int count = 0;                 // with --watch: stop after this many rounds (0: until Ctrl-C)
  std::filesystem::path bundle;  // write a support bundle here
  // With --sim: what the simulated camera shows ("face" of the demo patient, "nobody", "dark",
  // "blurred"), or a camera that is "missing" or "vanishing" (unplugged while measured).
  std::string sim_camera = "face";
  // With --sim: the simulated eligibility service is "up" or "down" (its port closed).
  std::string sim_service = "up";
  // The running kiosk asks (its staff page): the reader and the camera belong to the reception,
  // so no APDU goes to the card on the reader and the camera checks are skipped instead of
  // failing on a busy device.
  bool kiosk_running = false;
};

// The sim_camera / sim_service values understood.
const std::vector<std::string>& sim_camera_conditions();
const std::vector<std::string>& sim_service_conditions();

// Runs every check once and returns the results (no printing): for `kiosk diag` and the
// staff-only page of the kiosk screen. With options.simulated, the demo world's devices and a
// simulated eligibility service started on loopback for the time of the checks.
core::diagnostics::Report collect_report(const DiagOptions& options);

// Runs the checks, prints them, returns the exit code (0 PASS, 1 WARN, 2 FAIL).
int run_diagnostics(const DiagOptions& options);

}  // namespace kiosk::firmware
