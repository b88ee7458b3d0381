// kiosk-sim: the QA program. The whole kiosk firmware on the simulator (kiosk-sim kiosk), its
// diagnostics (kiosk-sim diag), QA scenarios (kiosk-sim run, kiosk-sim console), and the tools of
// the simulated world: the JPKI CA, the card factory, a card served into a real pcscd through
// vpcd, the simulated national eligibility service.
#include <exception>
#include <iostream>

#include "firmware/kiosk_sim/commands.hpp"

int main(int argc, char** argv) {
  namespace sim = kiosk::firmware::kiosk_sim;
  CLI::App app{
      "kiosk-sim: the reception kiosk on the simulator, and the simulated world it runs against.\n"
      "Runs the whole firmware on a simulated board (kiosk), its diagnostics (diag) and QA scenarios (run,\n"
      "console); creates a simulated JPKI CA, issues simulated My Number cards (real RSA-2048 keys and\n"
      "certificates, JPEG 2000 face photo, PIN retry counters kept in the card file), puts a card into a\n"
      "real pcscd reader through vsmartcard's vpcd, and runs the simulated eligibility service."};
  app.require_subcommand(1);
  sim::register_kiosk_command(app);
  sim::register_diag_command(app);
  sim::register_scenario_commands(app);
  sim::register_console_command(app);
  sim::register_ca_commands(app);
  CLI::App* card = app.add_subcommand("card", "Simulated My Number cards");
  card->require_subcommand(1);
  sim::register_card_issue_command(*card);
  sim::register_card_serve_command(*card);
  sim::register_eligibility_commands(app);
  sim::register_card_face_commands(app);
  sim::register_camera_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "kiosk-sim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
