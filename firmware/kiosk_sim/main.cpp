// kiosk-sim: tools of the simulated world the kiosk runs against.
#include <exception>
#include <iostream>

#include "firmware/kiosk_sim/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "kiosk-sim: the simulated world of the reception kiosk.\n"
      "Creates a simulated JPKI CA, issues simulated My Number cards (real RSA-2048 keys and\n"
      "certificates, JPEG 2000 face photo, PIN retry counters kept in the card file) and puts a\n"
      "card into a real pcscd reader through vsmartcard's vpcd."};
  app.require_subcommand(1);
  kiosk::firmware::register_ca_commands(app);
  CLI::App* card = app.add_subcommand("card", "Simulated My Number cards");
  card->require_subcommand(1);
  kiosk::firmware::register_card_issue_command(*card);
  kiosk::firmware::register_card_serve_command(*card);
  kiosk::firmware::register_eligibility_commands(app);
  kiosk::firmware::register_scenario_commands(app);
  kiosk::firmware::register_console_command(app);
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
