// Where the tests find the source tree, their build tree and the face set. Compiled into one
// small library (tests/CMakeLists.txt), so that no other test file carries an absolute path and
// a fresh clone's build reuses the compiler cache of another.
#pragma once

#include <filesystem>

namespace kiosk::test {

const std::filesystem::path& source_dir();  // the repository
const std::filesystem::path& binary_dir();  // the build directory
// The face models and face set: $KIOSK_FACES_DIR, else ../shared/faces beside the repository.
std::filesystem::path faces_dir();

}  // namespace kiosk::test
