// kiosk-sim ca init / crl: the simulated JPKI CA.
#include <chrono>
#include <fstream>
#include <iostream>

#include "firmware/kiosk_sim/commands.hpp"
#include "firmware/kiosk_sim/sim_dates.hpp"
#include "sim/ca/card_face_ca.hpp"
#include "sim/ca/jpki_ca.hpp"

namespace kiosk::firmware::kiosk_sim {

void register_ca_commands(CLI::App& app) {
  CLI::App* ca = app.add_subcommand("ca", "The simulated JPKI certificate authority");
  ca->require_subcommand(1);

  auto* init = ca->add_subcommand("init", "Create a CA: two RSA-2048 roots (user authentication, digital signature)");
  static std::string dir;
  static std::string today;
  init->add_option("--dir", dir, "Directory of the CA (created; refused if a CA is there)")->required();
  init->add_option("--today", today, "Pretend today is this date (YYYY-MM-DD)");
  init->callback([] {
    const auto now = parse_today(today);
    const auto created = sim::ca::SimulatedJpkiCa::create(dir, now);
    sim::world::write_crls(created, now);
    sim::ca::SimulatedCardFaceCa::open_or_create(dir);
    std::cout << "created the simulated JPKI CA in " << dir << "\n"
              << "  trust anchors for the kiosk: " << dir << "/auth-ca.pem, " << dir << "/sign-ca.pem\n"
              << "  card-face (J-LIS CVC) anchor: " << dir << "/" << sim::ca::SimulatedCardFaceCa::kAnchorsFile << "\n";
  });

  auto* crl = ca->add_subcommand("crl", "Write fresh CRLs (auth.crl, sign.crl) into the CA directory");
  static std::string crl_dir;
  crl->add_option("--dir", crl_dir, "Directory of the CA")->required();
  crl->callback([] {
    const auto opened = sim::ca::SimulatedJpkiCa::open(crl_dir);
    sim::world::write_crls(opened, std::chrono::system_clock::now());
    sim::ca::SimulatedCardFaceCa::open_or_create(crl_dir);  // a CA made before it gets its card-face anchor
    std::cout << "wrote " << crl_dir << "/auth.crl, " << crl_dir << "/sign.crl and " << crl_dir << "/"
              << sim::ca::SimulatedCardFaceCa::kAnchorsFile << "\n";
  });
}

}  // namespace kiosk::firmware::kiosk_sim
