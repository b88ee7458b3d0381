// Shared helpers of the face tests: where the models and the labelled faces are, a test
// configuration, and images of test people.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/face/face_config.hpp"
#include "tests/support/test_paths.hpp"

namespace kiosk::test {

// Fails the test with a clear message when the models or faces are not there.
inline void require_face_material() {
  const auto dir = faces_dir();
  INFO("face models and faces expected in " << dir.string() << " (set KIOSK_FACES_DIR)");
  REQUIRE(std::filesystem::exists(dir / "models" / "face_detection_yunet_2022mar.onnx"));
  REQUIRE(std::filesystem::exists(dir / "models" / "mobilefacenet_paddlex_128d.onnx"));
  REQUIRE(std::filesystem::exists(dir / "data" / "manifest.csv"));
}

// The k-th image (in name order) of a person of the labelled set.
inline std::filesystem::path face_image(const std::string& identity, std::size_t k) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(faces_dir() / "data" / identity)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(k < files.size());
  return files[k];
}

// The default configuration on the shared models, with a 3 s attempt (tests run the virtual
// camera at 10 fps in simulated time).
inline core::face::FaceConfig test_config() {
  require_face_material();
  core::face::FaceConfig c;
  c.model_dir = faces_dir();
  c.policy.attempt_budget = std::chrono::milliseconds(3000);
  c.policy.no_face_budget = std::chrono::milliseconds(3000);
  return c;
}

}  // namespace kiosk::test
