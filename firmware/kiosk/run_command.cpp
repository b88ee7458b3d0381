#include "firmware/kiosk/run_command.hpp"

#include <signal.h>

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "core/board/board.hpp"
#include "core/metrics/exposition.hpp"
#include "core/reception/reception_runner.hpp"
#include "firmware/kiosk/config.hpp"
#include "firmware/kiosk/diag_command.hpp"
#include "firmware/kiosk/hardware_board.hpp"
#include "firmware/screen/terminal_frontend.hpp"
#include "firmware/screen/web_frontend.hpp"
#include "drivers/system/textfile_writer.hpp"

namespace kiosk::firmware::kiosk {

namespace {

// SIGTERM (systemctl stop) and SIGINT end the reception loop in order: the screen stops, the
// service manager hears that the stop is on purpose, the journal and result files are closed.
class StopOnSignal {
 public:
  explicit StopOnSignal(core::reception::ReceptionRunner& runner) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &old_);  // threads started from here on inherit the mask
    waiter_ = std::jthread([&runner, set](std::stop_token stop) {
      const timespec slice{0, 200'000'000};
      while (!stop.stop_requested()) {
        if (sigtimedwait(&set, nullptr, &slice) > 0) {
          runner.stop();
          return;
        }
      }
    });
  }
  ~StopOnSignal() {
    waiter_ = {};
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

 private:
  sigset_t old_{};
  std::jthread waiter_;
};

// The kiosk's health as Prometheus text for the node exporter's textfile collector, rewritten
// every interval: receptions and failures of the last hour from the journal, and the devices as
// a diagnostics board of this kiosk last saw them (checked every fifth round).
class MetricsWriter {
 public:
  MetricsWriter(const LoadedConfig& loaded, const core::board::Board& board) : loaded_(loaded), board_(board) {
    if (loaded.config.metrics_textfile.empty()) return;
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
  }

 private:
  void run(std::stop_token stop) {
    const auto interval = std::chrono::seconds(loaded_.config.metrics_interval_seconds);
    core::metrics::DeviceHealth health;
    for (int round = 0; !stop.stop_requested(); ++round) {
      try {
        const auto now = board_.clock->now();
        if (round % 5 == 0) {
          core::board::Board checked = hardware_board(loaded_.config, BoardUse::Diagnostics);
          DiagOptions diag;
          diag.kiosk_running = true;  // the reader and the camera belong to the reception
          health = core::metrics::health_from_report(collect_report(checked, loaded_, diag), now);
        }
        core::metrics::Inputs in;
        in.terminal_id = loaded_.config.terminal_id;
        in.version = "0.1.0";
        in.health = health;
        in.records = board_.journal->since(now - std::chrono::hours(1));
        in.now = now;
        drivers::system::write_textfile_atomically(loaded_.config.metrics_textfile, core::metrics::format_exposition(in));
      } catch (const std::exception& e) {
        std::cerr << "kiosk: metrics not written to " << loaded_.config.metrics_textfile.string() << ": " << e.what() << "\n";
      }
      std::mutex m;
      std::condition_variable_any wake;
      std::unique_lock lock(m);
      wake.wait_for(lock, stop, interval, [] { return false; });
    }
  }

  const LoadedConfig& loaded_;
  const core::board::Board& board_;
  std::jthread thread_;
};

}  // namespace

int run_on_hardware(const std::filesystem::path& config_file, int patients, std::optional<int> screen_port) {
  const LoadedConfig loaded = load_config(config_file);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::cerr << "kiosk: " << loaded.source << ": " << e << "\n";
    std::cerr << "kiosk: fix the configuration (kiosk diag --config " << config_file.string() << " lists every check)\n";
    return 1;
  }
  const KioskConfig& c = loaded.config;
  core::board::Board board = hardware_board(c);
  for (const auto& n : board.notes) std::cerr << "kiosk: " << n << "\n";
  if (const auto missing = core::board::missing_essentials(board); !missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    std::cerr << "kiosk: cannot start without: " << names << " (kiosk diag --config " << config_file.string()
              << " says what to fix)\n";
    return 1;
  }
  board.journal->purge_before(board.clock->now() - std::chrono::days(c.journal_retention_days));

  // The patient's screen: the kiosk screen for Chromium when configured, else the terminal.
  const int port = screen_port.value_or(c.screen_port);
  std::optional<screen::TerminalFrontend> terminal_screen;
  std::optional<screen::WebFrontend> web;
  if (port >= 0) {
    screen::WebFrontendConfig web_config;
    web_config.port = port;
    web_config.journal = board.journal.get();
    if (!c.staff_accounts.empty()) {
      web_config.staff = std::make_shared<staff::StaffAuthenticator>(c.staff_accounts, c.staff, staff::journal_into(*board.journal));
    }
    // The staff diagnostics page: the checks on a diagnostics board of this kiosk's devices
    // (own PC/SC context, own TLS probe), leaving the patient's card and the busy camera alone.
    web_config.diagnostics = [&loaded] {
      core::board::Board checked = hardware_board(loaded.config, BoardUse::Diagnostics);
      DiagOptions diag;
      diag.kiosk_running = true;
      return collect_report(checked, loaded, diag).to_json();
    };
    web.emplace(web_config);
  } else {
    terminal_screen.emplace(0, std::cout);
  }
  core::reception::Frontend& screen = web ? static_cast<core::reception::Frontend&>(*web) : *terminal_screen;
  core::reception::ReceptionRunner runner(board, screen);
  const StopOnSignal stop_on_signal(runner);
  const MetricsWriter metrics(loaded, board);
  std::jthread url_printer;
  if (web) {
    url_printer = std::jthread([&web] {  // the page is served once run() started the frontend
      for (int i = 0; i < 50 && web->port() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::cout << "[kiosk] kiosk screen: " << web->url() << " (chromium --kiosk " << web->url() << ")\n" << std::flush;
    });
  }
  runner.run(patients);
  return 0;
}

}  // namespace kiosk::firmware::kiosk
