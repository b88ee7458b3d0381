// kiosk-sim eligibility ...: the simulated national eligibility service (オンライン資格確認).
#include "firmware/kiosk_sim/commands.hpp"

namespace kiosk::firmware {

void register_eligibility_commands(CLI::App& app) {
  CLI::App* eligibility = app.add_subcommand("eligibility", "The simulated eligibility service (not built yet)");
  eligibility->require_subcommand(1);
}

}  // namespace kiosk::firmware
