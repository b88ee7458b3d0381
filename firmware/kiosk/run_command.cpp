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
#include "firmware/screen/message_texts.hpp"
#include "firmware/screen/terminal_frontend.hpp"
#include "firmware/screen/web_frontend.hpp"
#include "drivers/system/textfile_writer.hpp"
#include "hal/files.hpp"

namespace kiosk::firmware::kiosk {

namespace {

// SIGTERM (systemctl stop) and SIGINT end the reception loop in order: the screen stops, the
// service manager hears that the stop is on purpose, the journal and result files are closed.
// Made before any thread: every thread started later inherits the blocked mask, so the signal
// waits for the one thread that takes it with sigtimedwait.
class StopOnSignal {
 public:
  StopOnSignal() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~StopOnSignal() {
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  // The thread that stops the runner: kept by the caller after the runner, so it ends first.
  [[nodiscard]] std::jthread stops(core::reception::ReceptionRunner& runner) const {
    return std::jthread([&runner, set = set_](std::stop_token stop) {
      const timespec slice{0, 200'000'000};
      while (!stop.stop_requested()) {
        if (sigtimedwait(&set, nullptr, &slice) > 0) {
          runner.stop();
          return;
        }
      }
    });
  }

 private:
  sigset_t set_{};
  sigset_t old_{};
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


std::vector<std::string> housekeeping(core::board::Board& board, const KioskConfig& c) {
  std::vector<std::string> done;
  const auto now = board.clock->now();
  if (board.journal) {
    const auto cutoff = core::journal::retention_cutoff(now, std::chrono::days(c.journal_retention_days));
    const std::size_t purged = board.journal->purge_before(cutoff);
    if (purged > 0) {
      done.push_back("journal: " + std::to_string(purged) + " entries older than " + std::to_string(c.journal_retention_days) +
                     " days deleted");
    }
  }
  if (board.results) {
    // File times are on the file clock: the same age, counted from its now.
    const auto file_now = std::filesystem::file_time_type::clock::now();
    std::size_t failed = 0;
    const std::size_t old_results = hal::remove_files_older_than(
        board.results->outbox(), "OQS_res_", ".xml", file_now - std::chrono::days(c.outbox_retention_days), &failed);
    // A writer killed between create and rename leaves a hidden temporary file; an hour old, no
    // kiosk is still writing it.
    const std::size_t stale = hal::remove_files_older_than(board.results->outbox(), ".OQS_res_", ".tmp",
                                                           file_now - std::chrono::hours(1), &failed);
    if (old_results > 0) {
      done.push_back("outbox: " + std::to_string(old_results) + " result files older than " +
                     std::to_string(c.outbox_retention_days) + " days deleted");
    }
    if (stale > 0) done.push_back("outbox: " + std::to_string(stale) + " unfinished temporary result files deleted");
    if (failed > 0) done.push_back("outbox: " + std::to_string(failed) + " old files could not be deleted (permissions?)");
  }
  return done;
}

int run_on_hardware(const std::filesystem::path& config_file, int patients, std::optional<int> screen_port) {
  const LoadedConfig loaded = load_config(config_file);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::cerr << "kiosk: " << loaded.source << ": " << e << "\n";
    std::cerr << "kiosk: fix the configuration (kiosk diag --config " << config_file.string() << " lists every check)\n";
    return 1;
  }
  const KioskConfig& c = loaded.config;
  if (!c.data_dir_configured) {
    std::cerr << "kiosk: " << loaded.source << ": storage.data_dir is not set: the journal would go to "
              << std::filesystem::absolute(c.data_dir).string()
              << "; set it to the kiosk's data directory (e.g. /var/lib/kiosk)\n";
    return 1;
  }
  const StopOnSignal stop_on_signal;
  core::board::Board board = hardware_board(c);
  for (const auto& n : board.notes) std::cerr << "kiosk: " << n << "\n";
  if (const auto missing = core::board::missing_essentials(board); !missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    std::cerr << "kiosk: cannot start without: " << names << " (kiosk diag --config " << config_file.string()
              << " says what to fix)\n";
    return 1;
  }
  for (const auto& line : housekeeping(board, c)) std::cerr << "kiosk: " << line << "\n";
  // Again every hour: a kiosk runs for months.
  std::jthread tidier([&board, &c](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    for (;;) {
      {
        std::unique_lock lock(mutex);
        (void)wake.wait_for(lock, stop, std::chrono::hours(1), [] { return false; });
      }
      if (stop.stop_requested()) return;
      try {
        for (const auto& line : housekeeping(board, c)) std::cerr << "kiosk: " << line << "\n";
      } catch (const std::exception& e) {
        std::cerr << "kiosk: housekeeping failed: " << e.what() << "\n";
      }
    }
  });

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
    web_config.staff_lan = c.staff_lan;
    for (const auto& dir : c.voice_dirs) web_config.voice_dirs.emplace_back(dir);
    web.emplace(web_config);
  } else {
    // The kiosk screen's Japanese texts, as on the page (message keys if they cannot be read).
    const auto texts_file = screen::default_web_dir() / "i18n" / "ja.json";
    auto texts = screen::load_texts(texts_file);
    if (texts.empty()) std::cerr << "[kiosk] no screen texts in " << texts_file.string() << ": message keys are shown\n";
    terminal_screen.emplace(0, std::cout, std::move(texts));
  }
  core::reception::Frontend& screen = web ? static_cast<core::reception::Frontend&>(*web) : *terminal_screen;
  core::reception::ReceptionRunner runner(board, screen);
  const std::jthread signal_waiter = stop_on_signal.stops(runner);
  const MetricsWriter metrics(loaded, board);
  std::jthread url_printer;
  if (web) {
    url_printer = std::jthread([&web, &c] {  // the page is served once run() started the frontend
      for (int i = 0; i < 50 && web->port() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::cout << "[kiosk] kiosk screen: " << web->url() << " (chromium --kiosk " << web->url() << ")\n" << std::flush;
      if (!c.staff_lan) return;
      for (int i = 0; i < 50 && web->staff_lan_port() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::cout << "[kiosk] staff pages on the LAN: https://" << c.staff_lan->host_names.front() << ":"
                << web->staff_lan_port() << "/staff (from " << c.staff_lan->allow.size() << " allowed range(s))\n"
                << std::flush;
    });
  }
  runner.run(patients);
  return 0;
}

}  // namespace kiosk::firmware::kiosk
