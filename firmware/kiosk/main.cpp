// kiosk: the firmware of the clinic reception kiosk.
//   kiosk sim   the whole firmware against simulated readers and cards (the default demo)
//   kiosk run   the firmware against this machine's PC/SC readers
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>

#include "core/crypto/trust_store.hpp"
#include "drivers/pcsc/pcsc_reader_service.hpp"
#include "drivers/system/system_clock.hpp"
#include "firmware/kiosk/demo_world.hpp"
#include "firmware/kiosk/diag_command.hpp"
#include "firmware/kiosk/terminal_reception.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/card/simulated_readers.hpp"

namespace {

using namespace std::chrono_literals;
using kiosk::firmware::ReceptionOutcome;

std::string default_faces_dir() {
  const char* env = std::getenv("KIOSK_FACES_DIR");
  return env != nullptr ? env : "../shared/faces";
}

// The simulator's patient: places each card in turn, takes it back when asked.
class SimulatedPatient {
 public:
  SimulatedPatient(kiosk::sim::SimulatedReaders& readers, std::string reader) : readers_(readers), reader_(std::move(reader)) {}

  void place(std::shared_ptr<kiosk::sim::VirtualCard> card) {
    std::thread([this, card = std::move(card)] {
      std::this_thread::sleep_for(300ms);
      std::cout << "[sim] the patient places the card on " << reader_ << "\n" << std::flush;
      readers_.place_card(reader_, card);
    }).detach();
  }
  void take_card() {
    std::cout << "[sim] the patient takes the card\n" << std::flush;
    readers_.remove_card(reader_);
  }

 private:
  kiosk::sim::SimulatedReaders& readers_;
  std::string reader_;
};

int exit_code(const std::vector<ReceptionOutcome>& outcomes) {
  for (const auto o : outcomes) {
    if (o != ReceptionOutcome::Authenticated) return 3;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kiosk: firmware of the clinic reception kiosk for My Number health insurance cards.\n"
               "The patient places the card, the kiosk checks it (JPKI user-authentication certificate, chain,\n"
               "expiry) and authenticates the holder by PIN (3 tries, counted on the card)."};
  app.require_subcommand(1);

  std::string world_dir = "var/sim";
  std::string faces_dir = default_faces_dir();
  std::vector<std::string> card_files;
  std::string ca_dir;
  auto* sim = app.add_subcommand("sim", "Run the kiosk against simulated readers and cards (PIN typed on this terminal)");
  sim->add_option("--world", world_dir, "Directory of the simulated world (CA, demo card), made on first run")
      ->capture_default_str();
  sim->add_option("--card", card_files, "Card files to present one after the other (default: the demo card)");
  sim->add_option("--ca-dir", ca_dir, "Trust anchors (default: the world's simulated CA)");
  sim->add_option("--faces-dir", faces_dir, "Face set for the demo card's photo ($KIOSK_FACES_DIR)")->capture_default_str();

  std::string reader;
  int patients = 1;
  auto* run = app.add_subcommand("run", "Run the kiosk on this machine's PC/SC readers (pcscd)");
  run->add_option("--ca-dir", ca_dir, "Directory of JPKI CA certificates (and CRLs) to trust")->required();
  run->add_option("--reader", reader, "Reader name (default: any)");
  run->add_option("--patients", patients, "Receptions to serve before exiting (0 = forever)")->capture_default_str();

  kiosk::firmware::DiagOptions diag_options;
  std::string diag_config;
  std::string diag_bundle;
  auto* diag = app.add_subcommand("diag", "Diagnostics for field technicians: USB, PC/SC, test card, host (exit code 0 PASS, 1 WARN, 2 FAIL)");
  diag->add_option("--config", diag_config, "Configuration file (default: built-in defaults)");
  diag->add_flag("--sim", diag_options.simulated, "Check the simulated world (simulated readers, demo card, simulated USB bus)");
  std::string diag_world = "var/sim";
  diag->add_option("--world", diag_world, "With --sim: directory of the simulated world")->capture_default_str();
  diag->add_flag("--json", diag_options.json, "Print JSON for tools");
  diag->add_option("--watch", diag_options.watch_seconds, "Re-check every N seconds, printing USB and reader events in between (Ctrl-C ends)");
  diag->add_option("--count", diag_options.count, "With --watch: stop after this many rounds");
  diag->add_option("--bundle", diag_bundle, "Write a support bundle (JSON: versions, redacted configuration, results; no personal data)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (*diag) {
    try {
      diag_options.config = diag_config;
      diag_options.bundle = diag_bundle;
      diag_options.world = diag_world;
      return kiosk::firmware::run_diagnostics(diag_options);
    } catch (const std::exception& e) {
      std::cerr << "kiosk diag: " << e.what() << "\n";
      return 2;
    }
  }
  try {
    kiosk::drivers::SystemClock clock;
    kiosk::crypto::TrustStore trust;
    std::vector<ReceptionOutcome> outcomes;
    if (*sim) {
      const auto world = kiosk::firmware::ensure_demo_world(world_dir, faces_dir, std::cout);
      if (card_files.empty()) {
        for (const auto& c : world.cards) card_files.push_back(c.string());
      }
      trust.add_directory(ca_dir.empty() ? world.ca_dir : std::filesystem::path(ca_dir));
      kiosk::sim::SimulatedReaders readers;
      const std::string reader_name = "Simulated Contactless Reader 0";
      readers.attach_reader(reader_name);
      SimulatedPatient patient(readers, reader_name);
      kiosk::firmware::ReceptionConfig config;
      config.reader = reader_name;
      config.card_wait = 10s;
      config.removal_wait = 10s;
      config.on_take_card = [&] { patient.take_card(); };
      kiosk::firmware::TerminalReception reception(readers, clock, trust, config, stdin, std::cout);
      std::cout << "[kiosk] simulator: reader '" << reader_name << "', " << card_files.size() << " card(s)\n";
      for (const auto& file : card_files) {
        patient.place(kiosk::sim::JpkiCard::load(file));
        const ReceptionOutcome o = reception.serve_one();
        std::cout << "[kiosk] reception result: " << kiosk::firmware::to_string(o) << "\n\n";
        outcomes.push_back(o);
      }
    } else {
      trust.add_directory(ca_dir);
      kiosk::pcsc::PcscReaderService readers;
      kiosk::firmware::ReceptionConfig config;
      config.reader = reader;
      kiosk::firmware::TerminalReception reception(readers, clock, trust, config, stdin, std::cout);
      for (int i = 0; patients == 0 || i < patients; ++i) {
        const ReceptionOutcome o = reception.serve_one();
        std::cout << "[kiosk] reception result: " << kiosk::firmware::to_string(o) << "\n\n";
        outcomes.push_back(o);
      }
    }
    return exit_code(outcomes);
  } catch (const std::exception& e) {
    std::cerr << "kiosk: " << e.what() << "\n";
    return 1;
  }
}
