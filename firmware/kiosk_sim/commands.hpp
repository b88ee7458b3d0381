// Subcommands of kiosk-sim, each defined in its own file.
#pragma once

#include <CLI/CLI.hpp>

namespace kiosk::firmware::kiosk_sim {

// kiosk-sim ca init: create the simulated JPKI CA.
void register_ca_commands(CLI::App& app);
// kiosk-sim card issue / show: the card factory.
void register_card_issue_command(CLI::App& card_command);
// kiosk-sim card serve --vpcd HOST:PORT: put a card into a vpcd reader of a real pcscd.
void register_card_serve_command(CLI::App& card_command);

// kiosk-sim eligibility init / serve / ...: the simulated national eligibility service.
void register_eligibility_commands(CLI::App& app);

// kiosk-sim kiosk: the whole firmware on the simulator (interactive, --headless, --control).
void register_kiosk_command(CLI::App& app);
// kiosk-sim diag: diagnostics of the simulated kiosk.
void register_diag_command(CLI::App& app);
// kiosk-sim card-faces generate --out DIR --count N --seed S: camera images of card fronts.
void register_card_face_commands(CLI::App& app);
// kiosk-sim camera record: the simulated cameras' frames as files (camera_commands.cpp).
void register_camera_commands(CLI::App& app);

// kiosk-sim run FILE...: QA scenarios against the firmware.
void register_scenario_commands(CLI::App& app);
// kiosk-sim console --port PORT: drive `kiosk-sim kiosk --control PORT` by hand.
void register_console_command(CLI::App& app);

}  // namespace kiosk::firmware::kiosk_sim
