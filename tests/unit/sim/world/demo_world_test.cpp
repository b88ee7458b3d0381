// The demo world's files are written whole (temporary file, fsync, rename) and only when they
// change; a damaged faces.json is started afresh (issue 18, reliability 9: an empty faces.json
// became the literal "<discarded>", fixture.json was written in place).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/world/demo_world.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/support/test_paths.hpp"

using namespace kiosk;

namespace {
ino_t inode_of(const std::filesystem::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return st.st_ino;
}
std::string text_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}
}  // namespace

TEST_CASE("demo world: faces.json and fixture.json are never rewritten in place, a damaged faces.json starts afresh") {
  test::TempDir dir;
  std::ostringstream log;
  const auto world_dir = dir.path() / "world";
  sim::world::ensure_demo_world(world_dir, test::faces_dir(), log);
  const auto faces = world_dir / "faces.json";
  const auto fixture = world_dir / "fixture.json";
  REQUIRE(std::filesystem::exists(faces));
  REQUIRE(std::filesystem::exists(fixture));

  // Nothing changed: nothing is written (same files, same inodes).
  const ino_t faces_inode = inode_of(faces);
  const ino_t fixture_inode = inode_of(fixture);
  sim::world::ensure_demo_world(world_dir, test::faces_dir(), log);
  CHECK(inode_of(faces) == faces_inode);
  CHECK(inode_of(fixture) == fixture_inode);

  // An empty (or damaged) faces.json: an object again, never "<discarded>".
  std::ofstream(faces, std::ios::trunc).close();
  sim::world::ensure_demo_world(world_dir, test::faces_dir(), log);
  const std::string text = text_of(faces);
  CHECK(text.find("<discarded>") == std::string::npos);
  CHECK(nlohmann::json::parse(text).is_object());
  CHECK_THAT(log.str(), Catch::Contains("not a JSON object; starting it afresh"));

  // No temporary file is left beside them.
  for (const auto& e : std::filesystem::directory_iterator(world_dir)) CHECK(e.path().extension() != ".tmp");
}
