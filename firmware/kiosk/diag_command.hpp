// kiosk diag: the checks a field technician runs on a kiosk that misbehaves.
#pragma once

#include <filesystem>
#include <string>

namespace kiosk::firmware {

struct DiagOptions {
  std::filesystem::path config;  // empty: built-in defaults
  bool simulated = false;        // simulated readers, card and USB bus (the demo world)
  std::filesystem::path world = "var/sim";
  bool json = false;
  int watch_seconds = 0;         // 0: run once
  int count = 0;                 // with --watch: stop after this many rounds (0: until Ctrl-C)
  std::filesystem::path bundle;  // write a support bundle here
};

// Runs the checks, prints them, returns the exit code (0 PASS, 1 WARN, 2 FAIL).
int run_diagnostics(const DiagOptions& options);

}  // namespace kiosk::firmware
