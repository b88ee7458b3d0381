#include "tests/support/test_paths.hpp"

#include <cstdlib>

#ifndef KIOSK_SOURCE_DIR
#error "KIOSK_SOURCE_DIR must name the repository (tests/CMakeLists.txt)"
#endif
#ifndef KIOSK_BINARY_DIR
#error "KIOSK_BINARY_DIR must name the build directory (tests/CMakeLists.txt)"
#endif

namespace kiosk::test {

const std::filesystem::path& source_dir() {
  static const std::filesystem::path dir = KIOSK_SOURCE_DIR;
  return dir;
}

const std::filesystem::path& binary_dir() {
  static const std::filesystem::path dir = KIOSK_BINARY_DIR;
  return dir;
}

std::filesystem::path faces_dir() {
  const char* env = std::getenv("KIOSK_FACES_DIR");
  if (env != nullptr && *env != '\0') return env;
  return source_dir() / ".." / "shared" / "faces";
}

}  // namespace kiosk::test
