#include <catch2/catch.hpp>

#include <stdlib.h>  // mkdtemp
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "drivers/system/textfile_writer.hpp"

namespace {

std::filesystem::path temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "kiosk-textfile-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("textfile: the metrics file is replaced whole, 0644, with no temporary file left") {
  const auto dir = temp_dir();
  const auto file = dir / "kiosk.prom";
  const mode_t old_mask = ::umask(077);  // the kiosk's service runs with a strict umask
  kiosk::drivers::system::write_textfile_atomically(file, "kiosk_up 1\n");
  CHECK(read(file) == "kiosk_up 1\n");
  kiosk::drivers::system::write_textfile_atomically(file, "kiosk_up 0\nkiosk_camera_ok 1\n");
  ::umask(old_mask);
  CHECK(read(file) == "kiosk_up 0\nkiosk_camera_ok 1\n");
  struct stat st{};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("textfile: a missing directory is an error naming the file, and nothing is written") {
  const auto dir = temp_dir();
  const auto file = dir / "gone" / "kiosk.prom";
  try {
    kiosk::drivers::system::write_textfile_atomically(file, "kiosk_up 1\n");
    FAIL("no error");
  } catch (const kiosk::drivers::system::TextfileError& e) {
    CHECK_THAT(e.what(), Catch::Contains((dir / "gone").string()) && Catch::Contains("No such file or directory"));
  }
  CHECK_FALSE(std::filesystem::exists(file));
  std::filesystem::remove_all(dir);
}

TEST_CASE("textfile: a symlink planted as the temporary file is not followed") {
  const auto dir = temp_dir();
  const auto victim = dir / "victim";
  { std::ofstream(victim) << "keep"; }
  // The writer's temporary name for this process: refuse to write through a link there.
  const auto tmp = dir / (".kiosk.prom.tmp-" + std::to_string(::getpid()));
  std::filesystem::create_symlink(victim, tmp);
  CHECK_THROWS_AS(kiosk::drivers::system::write_textfile_atomically(dir / "kiosk.prom", "x 1\n"), kiosk::drivers::system::TextfileError);
  CHECK(read(victim) == "keep");
  std::filesystem::remove_all(dir);
}
