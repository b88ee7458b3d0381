// kiosk diag: the checks a field technician runs on a kiosk that misbehaves. The checks run on a
// Board: `kiosk diag` on hardware_board(config), `kiosk-sim diag` on a simulated board, and the
// staff diagnostics page on the board of the kiosk that is running.
#pragma once

#include <filesystem>
#include <string>

#include "core/board/board.hpp"
#include "core/diagnostics/report.hpp"
#include "firmware/kiosk/config.hpp"

namespace kiosk::firmware::kiosk {

struct DiagOptions {
  bool json = false;
  int watch_seconds = 0;         // 0: run once
  int count = 0;                 // with --watch: stop after this many rounds (0: until Ctrl-C)
  std::filesystem::path bundle;  // write a support bundle here
  // The running kiosk asks (its staff page): the reader and the camera belong to the reception,
  // so no APDU goes to the card on the reader and the camera checks are skipped instead of
  // failing on a busy device.
  bool kiosk_running = false;
};

// Runs every check once on `board` and returns the results (no printing). `config` is the
// configuration the board was made from (host checks: files, data directory, model files).
core::diagnostics::Report collect_report(core::board::Board& board, const LoadedConfig& config, const DiagOptions& options);

// Runs the checks, prints them (and the bundle), watches when asked; returns the exit code
// (0 PASS, 1 WARN, 2 FAIL).
int run_diagnostics(core::board::Board& board, const LoadedConfig& config, const DiagOptions& options);

// `kiosk diag --config FILE`: the checks on this machine's devices.
int run_diagnostics(const std::filesystem::path& config_file, const DiagOptions& options);

}  // namespace kiosk::firmware::kiosk
