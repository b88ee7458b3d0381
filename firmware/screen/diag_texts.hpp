// The diagnostics report in the staff page's language (issue 17 item 10): `kiosk diag` and its
// JSON stay in English for technicians and tools (core/diagnostics); the staff page gets, next to
// each row's English, the resource keys of its area, its check and its advice
// (firmware/screen/web/i18n: staff.diag.area.*, staff.diag.name.*, staff.diag.advice.*), and shows
// the English where a text has no key (a new check, or advice built with figures in it).
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiosk::firmware::screen {

// The report of core::diagnostics::Report::to_json() with, on every check, "area_key",
// "check_key" and "check_detail" (what follows a known name: "054c:0dc8" of "card reader
// 054c:0dc8"), and "action_key"; null where there is none. The English fields are untouched.
nlohmann::json with_text_keys(nlohmann::json report);

// Every key with_text_keys() can give (for the page's resource files and their test).
std::vector<std::string_view> diagnostics_text_keys();

// The English names and advice the keys stand for (for a test that they still occur in
// core/diagnostics and hal, so that a reworded check shows up as untranslated).
std::vector<std::string_view> diagnostics_english_texts();

}  // namespace kiosk::firmware::screen
