// The message texts of the kiosk screen, per language: firmware/screen/web/i18n/<lang>.json
// (key -> text). The terminal screen and the QA transcripts show them after each message code.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

namespace kiosk::firmware::screen {

// The texts of a resource file; empty when it is missing or does not parse (the screens then
// show message keys).
nlohmann::json load_texts(const std::filesystem::path& file);

}  // namespace kiosk::firmware::screen
