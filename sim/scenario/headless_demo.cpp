// `kiosk sim --headless`: a scripted demo of several patients, as a built-in QA scenario.
#include <iostream>

#include "core/face/face_error.hpp"
#include "core/face/face_verifier.hpp"
#include "sim/world/demo_world.hpp"
#include "sim/scenario/scenario_player.hpp"
#include "sim/scenario/headless_demo.hpp"
#include "sim/scenario/scenario.hpp"

namespace kiosk::sim::scenario {
namespace {

// Face steps carry "if_face": without the face models they are left out.
constexpr const char* kDemo = R"json({
  "format": "kiosk-scenario", "version": 1,
  "name": "Headless demo: six patients",
  "face": true,
  "cards": {
    "taro": {"world_card": "taro"},
    "jiro": {"world_card": "taro-expiring-soon"},
    "ichiro": {"world_card": "lost"},
    "hanako": {"world_card": "hanako"},
    "expired": {"world_card": "taro-expired"},
    "taro-again": {"world_card": "taro"}
  },
  "steps": [
    {"if_face": true, "place_card": "taro", "note": "patient 1 (番号 太郎): face authentication"},
    {"if_face": true, "expect": {"screen": "method-choice", "methods": ["face", "pin"]}},
    {"if_face": true, "choose": "face"},
    {"if_face": true, "expect": {"screen": "consent"}},
    {"if_face": true, "answer": true},
    {"if_face": true, "prescription": "electronic"},
    {"if_face": true, "expect": {"screen": "result", "validity": "valid"}},
    {"if_face": true, "acknowledge": true},
    {"if_face": true, "remove_card": true},

    {"place_card": "jiro", "note": "patient 2 (certificate expiring soon): a wrong PIN, then the right one"},
    {"expect": {"message": "K102"}},
    {"choose": "pin"},
    {"type_pin": "1111"},
    {"expect": {"screen": "pin-entry", "message": "K110", "tries_left": 2}},
    {"type_pin": "1234"},
    {"answer": true},
    {"prescription": "paper"},
    {"expect": {"screen": "result", "validity": "valid"}},
    {"acknowledge": true},
    {"remove_card": true},

    {"place_card": "ichiro", "note": "patient 3: three wrong PINs lock the card"},
    {"choose": "pin"},
    {"type_pin": "0000"},
    {"type_pin": "1111"},
    {"expect": {"message": "K111", "tries_left": 1}},
    {"type_pin": "2222"},
    {"expect": {"message": "K112", "card_tries_left": {"ichiro": 0}}, "note": "face only, if this kiosk has it; the patient goes to the counter"},
    {"cancel": true},
    {"remove_card": true},

    {"place_card": "hanako", "note": "patient 4 (登録 花子): not registered, registers on the spot"},
    {"choose": "pin"},
    {"type_pin": "5678"},
    {"expect": {"screen": "registration", "message": "K142"}},
    {"answer": true},
    {"answer": true},
    {"prescription": "electronic"},
    {"expect": {"screen": "result", "validity": "valid"}},
    {"acknowledge": true},
    {"remove_card": true},

    {"place_card": "expired", "note": "patient 5: certificate expired beyond the grace period"},
    {"expect": {"screen": "notice", "message": "006"}},
    {"acknowledge": true},
    {"remove_card": true},

    {"fault": {"target": "service", "kind": "down"}, "note": "the line to the eligibility service goes down"},
    {"place_card": "taro-again", "note": "patient 6: the service is down, the counter takes over"},
    {"choose": "pin"},
    {"type_pin": "1234"},
    {"expect": {"screen": "notice", "message": "K140"}},
    {"acknowledge": true},
    {"remove_card": true},
    {"expect": {"screen": "idle", "verify_count": 7}}
  ]
})json";

}  // namespace

bool demo_face_available(const DemoOptions& o) {
  if (!o.face) return false;
  try {
    core::face::FaceConfig config;
    config.model_dir = o.faces_dir;
    core::face::FaceVerifier probe(config);
    return true;
  } catch (const core::face::FaceError& e) {
    std::cout << "[sim] face authentication is off: " << e.what() << "\n";
    return false;
  }
}

PlayerOptions live_player_options(const DemoOptions& o, const sim::world::DemoWorld& world, const std::string& work) {
  PlayerOptions p;
  p.texts = o.texts;
  p.world = &world;
  p.faces_dir = o.faces_dir;
  p.work_dir = o.world / work;
  p.live = &std::cout;
  std::filesystem::remove_all(p.work_dir);
  return p;
}

int run_headless_demo(const DemoOptions& o) {
  sim::scenario::Scenario demo = sim::scenario::parse_scenario(kDemo, "headless-demo.json");
  demo.face = demo_face_available(o);
  const sim::world::DemoWorld world = sim::world::ensure_scenario_world(o.world / "scenarios", o.faces_dir, std::cout);
  const PlayerOptions p = live_player_options(o, world, "headless");
  std::cout << "[sim] headless demo: " << demo.name << (demo.face ? "" : " (without face authentication)") << "\n";
  const auto result = play_scenario(demo, p);
  std::cout << "\n";
  sim::scenario::print_summary(std::cout, {result}, result.wall_seconds);
  std::cout << "[sim] journal: " << (p.work_dir / "journal.sqlite").string()
            << "; result files: " << (p.work_dir / "outbox").string() << "\n";
  return result.passed ? 0 : 3;
}

}  // namespace kiosk::sim::scenario
