#include "firmware/kiosk/run_command.hpp"

#include <iostream>
#include <optional>
#include <thread>

#include "core/board/board.hpp"
#include "core/reception/reception_runner.hpp"
#include "firmware/kiosk/config.hpp"
#include "firmware/kiosk/diag_command.hpp"
#include "firmware/kiosk/hardware_board.hpp"
#include "firmware/screen/terminal_frontend.hpp"
#include "firmware/screen/web_frontend.hpp"

namespace kiosk::firmware::kiosk {

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
