// `kiosk sim --control PORT`: the kiosk on the scenario player, driven by hand from
// `kiosk-sim console` over a loopback HTTP endpoint, in the scenario files' step vocabulary.
#include <httplib.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "sim/world/demo_world.hpp"
#include "sim/scenario/scenario_player.hpp"
#include "sim/scenario/control_endpoint.hpp"
#include "sim/scenario/scenario.hpp"

namespace kiosk::sim::scenario {

int run_control_endpoint(const DemoOptions& o, int control_port) {
  const sim::world::DemoWorld world = sim::world::ensure_scenario_world(o.world / "scenarios", o.faces_dir, std::cout);
  // Every card of the world, by its world name; face authentication when the models load.
  sim::scenario::Scenario context;
  context.name = "console";
  context.file = "console";
  for (const auto& [name, card] : world.named) context.cards[name].world_card = name;
  context.face = demo_face_available(o);
  const PlayerOptions p = live_player_options(o, world, "console");
  ScenarioSession session(context, p);

  httplib::Server server;
  server.Post("/step", [&](const httplib::Request& req, httplib::Response& res) {
    try {
      const auto step = sim::scenario::parse_step(req.body, context);
      std::string out;
      for (const auto& line : session.run(step)) out += line + "\n";
      if (out.empty()) out = "ok\n";
      res.set_content(out, "text/plain; charset=utf-8");
    } catch (const sim::scenario::ScenarioError& e) {
      res.status = 400;
      res.set_content(std::string(e.what()) + "\n", "text/plain; charset=utf-8");
    }
  });
  server.Get("/screen", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(session.screen() + "\n", "text/plain; charset=utf-8");
  });
  server.Get("/cards", [&](const httplib::Request&, httplib::Response& res) {
    std::string out;
    for (const auto& [name, card] : context.cards) out += name + "\n";
    res.set_content(out, "text/plain; charset=utf-8");
  });
  server.Post("/quit", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("bye\n", "text/plain");
    server.stop();
  });
  const int port = control_port == 0 ? server.bind_to_any_port("127.0.0.1") : control_port;
  if (control_port != 0 && !server.bind_to_port("127.0.0.1", port)) {
    std::cerr << "kiosk: cannot listen on 127.0.0.1:" << port << " (in use?)\n";
    return 1;
  }
  std::cout << "[sim] control endpoint on 127.0.0.1:" << port << ": kiosk-sim console --port " << port << "\n"
            << std::flush;
  server.listen_after_bind();
  return 0;
}

}  // namespace kiosk::sim::scenario
