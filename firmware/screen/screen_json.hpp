// The kiosk screen as JSON, for the browser page (firmware/screen/web/kiosk-*.js, kiosk.js) and staff views.
//
// {
//   "step": "pin-entry",                          core::reception::to_string(Step)
//   "message": {"code": "K110", "key": "pin.wrong"} | null      core::reception::info(Message)
//   "methods": ["face", "pin"],                   MethodChoice: the buttons offered
//   "tries_left": 2 | null,                       PinEntry
//   "guidance": "move-closer" | null,             FaceCapture: text key face.guidance.<guidance>
//   "service_message": "..." | null,              the service's own text, shown as it is
//   "medical_information_viewing_suspended": false,
//   "result": {"validity": "valid", "validity_code": 1, "validity_label": "有効",
//              "insurer_name": "...", "contribution_ratio": "030", "contribution_percent": 30} | null,
//                                                 the patient's share (3割: percent 30), from the record
//                                                 that holds it (core/eligibility/copayment.hpp)
//   "certificate": {"expires": "2027-01-15", "usable_until": "2027-04-15" | null} | null,
//                                                 with K102 / K103 (method choice and result): the card
//                                                 certificate's expiry and last usable day (Japan dates)
//   "entry_problem": "insurer_check_digit" | null, NumberEntry with K170: the entry to correct
//   "timeout_seconds": 60                         0: no time-out
// }
// Nothing else of the patient is in a screen (no name, no number, never a PIN).
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "core/eligibility/result.hpp"
#include "core/reception/reception_machine.hpp"

namespace kiosk::firmware::screen {

// "valid", "invalid", "invalid-newer-qualification", "no-qualification", "multiple-matches",
// "valid-unregistered": the page shows the text with the key result.validity.<name>.
const char* validity_name(core::eligibility::QualificationValidity v);

// "030" -> 30; nullopt unless three digits and at most 100.
std::optional<int> contribution_percent(const std::string& ratio);

nlohmann::json screen_to_json(const core::reception::Screen& screen);

}  // namespace kiosk::firmware::screen
