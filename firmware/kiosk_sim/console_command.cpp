// kiosk-sim console --port PORT: drives a `kiosk sim --control PORT` by hand. Each line is one
// step of the scenario vocabulary (docs/scenarios.md), as JSON or as "action [value]":
//   place_card taro        choose pin        type_pin 1234        wait 61
//   {"fault": {"target": "service", "kind": "down"}}
// plus "screen", "cards", "help" and "quit" (stops the kiosk).
#include <httplib.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "firmware/kiosk_sim/commands.hpp"

namespace kiosk::firmware::kiosk_sim {
namespace {

// "choose pin" -> {"choose": "pin"}; "wait 61" -> {"wait": 61}; "remove_card" -> {"remove_card": true}.
std::string to_step_json(const std::string& line) {
  if (!line.empty() && line.front() == '{') return line;
  std::istringstream in(line);
  std::string action;
  in >> action;
  std::string rest;
  std::getline(in, rest);
  const auto start = rest.find_first_not_of(' ');
  rest = start == std::string::npos ? "" : rest.substr(start);
  nlohmann::json value = true;
  if (!rest.empty()) {
    value = nlohmann::json::parse(rest, nullptr, false);
    if (value.is_discarded() || (action == "type_pin" && !value.is_string())) value = rest;  // a PIN stays text
  }
  return nlohmann::json{{action, value}}.dump();
}

int console(const std::string& host, int port) {
  httplib::Client client(host, port);
  client.set_read_timeout(std::chrono::seconds(120));
  std::cout << "kiosk-sim console: connected to " << host << ":" << port << " (help: the commands)\n> " << std::flush;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) {
      std::cout << "> " << std::flush;
      continue;
    }
    if (line == "help") {
      std::cout << "one step per line, as in a scenario file: place_card NAME, remove_card, show_face NAME, choose "
                   "face|pin|visual,\ntype_pin DIGITS, answer true|false, prescription electronic|paper, acknowledge, "
                   "cancel, wait SECONDS,\nstaff_visual_check_mode {\"enabled\": true, \"staff_id\": \"N1\"}, fault "
                   "{\"target\": \"service\", \"kind\": \"down\"}, expect {...};\nscreen, cards, quit\n> "
                << std::flush;
      continue;
    }
    httplib::Result res = line == "screen" ? client.Get("/screen")
                          : line == "cards"  ? client.Get("/cards")
                          : line == "quit"   ? client.Post("/quit", "", "text/plain")
                                             : client.Post("/step", to_step_json(line), "application/json");
    if (!res) {
      std::cerr << "kiosk-sim console: no answer from " << host << ":" << port
                << " (is `kiosk sim --control " << port << "` running?)\n";
      return 1;
    }
    std::cout << res->body;
    if (line == "quit") return 0;
    std::cout << "> " << std::flush;
  }
  return 0;
}

}  // namespace

void register_console_command(CLI::App& app) {
  auto host = std::make_shared<std::string>("127.0.0.1");
  auto port = std::make_shared<int>(0);
  CLI::App* cmd = app.add_subcommand("console", "Drive a running `kiosk sim --control PORT` by hand (scenario steps)");
  cmd->add_option("--port", *port, "The control port of kiosk sim")->required();
  cmd->add_option("--host", *host, "Its address (loopback)")->capture_default_str();
  cmd->callback([host, port] {
    if (const int rc = console(*host, *port); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace kiosk::firmware::kiosk_sim
