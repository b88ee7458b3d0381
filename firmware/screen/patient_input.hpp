// The patient's touches as the kiosk page posts them to /input (web_frontend.hpp gives the
// format): checked for shape before anything else is looked at, accepted only on a screen that
// takes them, and turned into reception events. The PIN never appears in an error message.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/reception/reception_machine.hpp"

namespace kiosk::firmware::screen {

// What is wrong with the input's shape (type and value), or nothing.
std::optional<std::string_view> input_shape_error(const nlohmann::json& input);
// Whether the screen on show takes this input (a stale page gets 409).
bool screen_takes_input(const core::reception::Screen& screen, std::string_view type, const nlohmann::json& value);
// The reception event of a well-shaped input (the PIN is moved into a wiped core::card::Secret).
core::reception::Event input_event(nlohmann::json& input);

}  // namespace kiosk::firmware::screen
