// `kiosk run`: the firmware on this machine's devices (PC/SC readers, a V4L2 camera) and the
// configured eligibility service, with the reception on the terminal.
#pragma once

#include <filesystem>

namespace kiosk::firmware {

int run_on_hardware(const std::filesystem::path& config_file, int patients);

}  // namespace kiosk::firmware
