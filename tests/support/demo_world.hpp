// One demo world per test program, with the face set: making one issues RSA keys (seconds), so
// every case of a program shares it. Lives in a temporary directory removed at exit.
#pragma once

#include <sstream>

#include "sim/world/demo_world.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/support/test_paths.hpp"

namespace kiosk::test {

inline const sim::world::DemoWorld& shared_demo_world() {
  static TempDir dir;
  static std::ostringstream log;
  static const sim::world::DemoWorld world = sim::world::ensure_demo_world(dir.path() / "world", faces_dir(), log);
  return world;
}

}  // namespace kiosk::test
