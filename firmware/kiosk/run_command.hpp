// `kiosk run`: the firmware on this machine's devices (PC/SC readers, a V4L2 camera) and the
// configured eligibility service, with the reception on the kiosk screen (screen.port) or the
// terminal.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/board/board.hpp"

namespace kiosk::firmware::kiosk {

struct KioskConfig;

// What `kiosk run` tidies at start-up and every hour after: journal entries older than
// storage.journal_retention_days, result files (names, birth dates) older than
// storage.outbox_retention_days, and temporary result files a crash left behind. Returns what it
// did, one line each (for the console).
std::vector<std::string> housekeeping(core::board::Board& board, const KioskConfig& config);

// `screen_port` overrides the configuration's screen.port (-1: the terminal).
int run_on_hardware(const std::filesystem::path& config_file, int patients, std::optional<int> screen_port = std::nullopt);

}  // namespace kiosk::firmware::kiosk
