// kiosk-sim card serve --vpcd HOST:PORT --card FILE [--remove-after-apdus N]
//
// Puts a simulated My Number card into a vpcd reader of a running pcscd, so that the real PC/SC
// driver and standard tools (opensc-tool, pkcs15-tool, pcsc_scan) see it as a card in a
// reader. Runs until SIGINT or SIGTERM.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "firmware/kiosk_sim/commands.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/vpcd/vpcd_bridge.hpp"

namespace kiosk::firmware::kiosk_sim {

namespace {

using namespace std::chrono_literals;

struct ServeOptions {
  std::string vpcd = "127.0.0.1:35963";
  std::string card_file;
  std::optional<std::size_t> remove_after_apdus;
  std::optional<double> reinsert_after_s;
  double connect_timeout_s = 10.0;
  bool trace = false;
};

// A command APDU for a trace line; the data of VERIFY and CHANGE REFERENCE DATA (PINs,
// passwords) is masked.
std::string trace_command(ByteView apdu) {
  if (apdu.size() > 5 && (apdu[1] == 0x20 || apdu[1] == 0x24)) {
    return to_hex(apdu.first(5)) + " <" + std::to_string(apdu.size() - 5) + " bytes masked>";
  }
  return to_hex(apdu);
}

// Blocks SIGINT and SIGTERM in this thread (and the threads it starts) while alive, so that
// they can be taken with sigtimedwait() instead of a signal handler.
class BlockedStopSignals {
 public:
  BlockedStopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  }
  ~BlockedStopSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  BlockedStopSignals(const BlockedStopSignals&) = delete;
  BlockedStopSignals& operator=(const BlockedStopSignals&) = delete;

  // The signal that arrived within `timeout`, or 0.
  int wait(std::chrono::milliseconds timeout) const {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1'000'000);
    const int sig = sigtimedwait(&set_, nullptr, &ts);
    return sig > 0 ? sig : 0;
  }

 private:
  sigset_t set_{};
  sigset_t previous_{};
};

int serve(const ServeOptions& options) {
  sim::vpcd::VpcdBridgeOptions bridge_options;
  std::unique_ptr<sim::card::JpkiCard> card;
  try {
    bridge_options.vpcd = sim::vpcd::parse_endpoint(options.vpcd);
    card = sim::card::JpkiCard::load(options.card_file);
  } catch (const std::exception& e) {
    std::cerr << "kiosk-sim card serve: " << e.what() << "\n";
    return 1;
  }
  if (options.connect_timeout_s <= 0) {
    std::cerr << "kiosk-sim card serve: --connect-timeout must be positive\n";
    return 1;
  }
  bridge_options.connect_timeout = std::chrono::milliseconds(static_cast<long long>(options.connect_timeout_s * 1000));
  bridge_options.remove_after_apdus = options.remove_after_apdus;
  const std::string where = options.vpcd;
  bridge_options.on_log = [](const std::string& message) { std::cerr << "kiosk-sim card serve: " << message << "\n"; };
  bridge_options.on_state = [&](sim::vpcd::BridgeState state) {
    if (state == sim::vpcd::BridgeState::Connected) {
      std::cout << "card " << options.card_file << " is in the vpcd reader at " << where << std::endl;
    }
  };
  if (options.trace) {
    bridge_options.on_apdu = [](ByteView command, ByteView response) {
      std::cerr << "> " << trace_command(command) << "\n< " << to_hex(response) << "\n";
    };
  }

  const BlockedStopSignals signals;  // before the bridge thread starts: it inherits the mask
  sim::vpcd::VpcdBridge bridge(*card, bridge_options);
  std::exception_ptr failure;
  std::atomic<bool> finished{false};
  std::thread runner([&] {
    try {
      bridge.run();
    } catch (...) {
      failure = std::current_exception();
    }
    finished = true;
  });

  std::optional<std::chrono::steady_clock::time_point> ejected_since;
  while (!finished) {
    if (const int sig = signals.wait(200ms); sig != 0) {
      std::cerr << "kiosk-sim card serve: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", taking the card out\n";
      break;
    }
    if (options.reinsert_after_s) {
      if (bridge.state() == sim::vpcd::BridgeState::Ejected) {
        const auto now = std::chrono::steady_clock::now();
        if (!ejected_since) ejected_since = now;
        if (now - *ejected_since >= std::chrono::duration<double>(*options.reinsert_after_s)) {
          std::cerr << "kiosk-sim card serve: putting the card back\n";
          ejected_since.reset();
          bridge.insert();
        }
      } else {
        ejected_since.reset();
      }
    }
  }
  bridge.stop();
  runner.join();

  const auto counters = bridge.counters();
  std::cerr << "kiosk-sim card serve: served " << counters.apdus << " APDUs over " << counters.connections
            << " connection(s)\n";
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::cerr << "kiosk-sim card serve: " << e.what() << "\n";
    }
    return 1;
  }
  return 0;
}

}  // namespace

void register_card_serve_command(CLI::App& card_command) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* serve_command = card_command.add_subcommand(
      "serve", "Put a simulated card into a vpcd reader of a running pcscd (until SIGINT/SIGTERM)");
  serve_command->add_option("--vpcd", options->vpcd, "vpcd reader slot to connect to, HOST:PORT")
      ->capture_default_str();
  serve_command->add_option("--card", options->card_file, "card file made by `kiosk-sim card issue`")
      ->required()
      ->check(CLI::ExistingFile);
  serve_command
      ->add_option("--remove-after-apdus", options->remove_after_apdus,
                   "fault injection: the card leaves the field after answering N APDUs")
      ->check(CLI::PositiveNumber);
  serve_command
      ->add_option("--reinsert-after", options->reinsert_after_s,
                   "with --remove-after-apdus: put the card back after this many seconds")
      ->check(CLI::NonNegativeNumber);
  serve_command->add_option("--connect-timeout", options->connect_timeout_s, "seconds to wait for vpcd to listen")
      ->capture_default_str();
  serve_command->add_flag("--trace-apdus", options->trace, "print every APDU pair to stderr (PINs masked)");
  serve_command->callback([options] {
    if (const int rc = serve(*options); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace kiosk::firmware::kiosk_sim
