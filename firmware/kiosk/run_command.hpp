// `kiosk run`: the firmware on this machine's devices (PC/SC readers, a V4L2 camera) and the
// configured eligibility service, with the reception on the kiosk screen (screen.port) or the
// terminal.
#pragma once

#include <filesystem>
#include <optional>

namespace kiosk::firmware::kiosk {

// `screen_port` overrides the configuration's screen.port (-1: the terminal).
int run_on_hardware(const std::filesystem::path& config_file, int patients, std::optional<int> screen_port = std::nullopt);

}  // namespace kiosk::firmware::kiosk
