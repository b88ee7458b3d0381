// Reading a PIN from the terminal: no echo on a TTY, straight into a wiped Secret.
#pragma once

#include <cstdio>
#include <optional>

#include "core/card/secret.hpp"

namespace kiosk::firmware {

// Reads one line from `in` into a Secret. Nothing on end of input (the patient cancelled).
std::optional<card::Secret> read_pin(std::FILE* in);

}  // namespace kiosk::firmware
