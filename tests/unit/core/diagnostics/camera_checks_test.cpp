// Camera checks, PASS and FAIL, on the virtual camera: a person in front, nobody, a dark or
// blurred picture, a missing, vanishing, slow or low-resolution camera. The virtual camera runs
// in simulated time (frames at once, timestamps 1/fps apart), so the rate is measured exactly.
#include <catch2/catch.hpp>

#include "core/diagnostics/camera_checks.hpp"
#include "sim/camera/virtual_camera.hpp"
#include "tests/unit/core/diagnostics/check_lookup.hpp"
#include "tests/unit/core/face/face_test_support.hpp"

using namespace kiosk;
using namespace kiosk::core::diagnostics;
using kiosk::test::find;
using kiosk::test::report_of;
using kiosk::test::has;

namespace {

struct Camera {
  sim::camera::Presentation presentation = sim::camera::Presentation::Live;
  sim::camera::Condition condition = sim::camera::Condition::Normal;
  cv::Size frame{640, 480};
  double fps = 30.0;
  std::optional<double> vanish_after;
  std::vector<std::string> present;  // empty: the camera is there
};

struct Bench {
  core::face::FaceConfig config = test::test_config();
  core::face::FaceDetector detector{config.resolve(config.detector.model), config.detector};

  std::vector<CheckResult> run(const Camera& camera, bool with_detector = true) {
    sim::camera::VirtualCameraProvider provider(
        [&camera](const hal::CameraMode&) {
          sim::camera::SceneSettings settings;
          settings.frame = camera.frame;
          settings.fps = camera.fps;
          sim::camera::Scene scene(sim::camera::FaceSource::image(test::face_image("Amaury_Nolasco", 0)),
                           {sim::camera::Segment{camera.presentation, camera.condition, 10.0}}, settings);
          if (camera.vanish_after) scene.vanish_after(*camera.vanish_after);
          return scene;
        },
        sim::camera::Pacing::Simulated, camera.present);
    CameraCheckSettings settings;
    settings.device = hal::CameraDevice::path("/dev/video0");
    settings.mode = hal::CameraMode{640, 480, 30.0};
    settings.measure_for = std::chrono::milliseconds(500);  // simulated time: 16 frames
    settings.face_frames = 3;
    return check_camera(provider, settings, FaceCheckTools{with_detector ? &detector : nullptr, config.quality});
  }
};

}  // namespace

TEST_CASE("camera: a person in front of a good camera passes every check") {
  Bench bench;
  const auto checks = bench.run(Camera{});
  INFO(report_of(checks).to_table());
  CHECK(find(checks, "camera opens").status == Status::Pass);
  CHECK(find(checks, "resolution").status == Status::Pass);
  CHECK(find(checks, "frame rate").status == Status::Pass);
  CHECK_THAT(find(checks, "frame rate").measured, Catch::StartsWith("30.0 fps over 16 frames"));
  CHECK(find(checks, "brightness").status == Status::Pass);
  CHECK(find(checks, "face detected").status == Status::Pass);
  CHECK_THAT(find(checks, "face detected").measured, Catch::StartsWith("a face in 3 of 3 frames"));
  CHECK(find(checks, "focus").status == Status::Pass);
  CHECK(report_of(checks).exit_code() == 0);
}

TEST_CASE("camera: nobody in front is a warning, not a failure") {
  Bench bench;
  Camera nobody;
  nobody.presentation = sim::camera::Presentation::Nobody;
  const auto checks = bench.run(nobody);
  INFO(report_of(checks).to_table());
  CHECK(find(checks, "face detected").status == Status::Warn);
  CHECK_THAT(find(checks, "face detected").action, Catch::Contains("stand in front"));
  CHECK(find(checks, "focus").status == Status::Skip);
  CHECK(report_of(checks).exit_code() == 1);
}

TEST_CASE("camera: a missing camera fails with what to do") {
  Bench bench;
  Camera missing;
  missing.present = {"/dev/video7"};
  const auto checks = bench.run(missing);
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].name == "camera opens");
  CHECK(checks[0].status == Status::Fail);
  CHECK_THAT(checks[0].measured, Catch::Contains("/dev/video0") && Catch::Contains("not-found"));
  CHECK(checks[0].action == hal::advice(hal::CameraErrorKind::NotFound));
}

TEST_CASE("camera: a camera that vanishes while measured fails") {
  Bench bench;
  Camera vanishing;
  vanishing.vanish_after = 0.2;
  const auto checks = bench.run(vanishing);
  INFO(report_of(checks).to_table());
  CHECK(find(checks, "camera opens").status == Status::Pass);
  CHECK(find(checks, "frame rate").status == Status::Fail);
  CHECK_THAT(find(checks, "frame rate").measured, Catch::Contains("the camera vanished after"));
  CHECK(find(checks, "frame rate").action == hal::advice(hal::CameraErrorKind::Disconnected));
  CHECK_FALSE(has(checks, "face detected"));
  CHECK(report_of(checks).exit_code() == 2);
}

TEST_CASE("camera: a dark picture fails the brightness check") {
  Bench bench;
  Camera dark;
  dark.condition = sim::camera::Condition::TooDark;
  const auto checks = bench.run(dark);
  INFO(report_of(checks).to_table());
  CHECK(find(checks, "brightness").status == Status::Fail);
  CHECK_THAT(find(checks, "brightness").action, Catch::Contains("too dark"));
  CHECK(find(checks, "frame rate").status == Status::Pass);
  // A dark face has little contrast: its focus is not judged until the light is fixed.
  CHECK(find(checks, "focus").status == Status::Skip);
}

TEST_CASE("camera: a blurred picture fails the focus check") {
  Bench bench;
  Camera blurred;
  blurred.condition = sim::camera::Condition::Blurred;
  const auto checks = bench.run(blurred);
  INFO(report_of(checks).to_table());
  CHECK(find(checks, "focus").status == Status::Fail);
  CHECK_THAT(find(checks, "focus").action, Catch::Contains("blurred"));
  CHECK(find(checks, "brightness").status == Status::Pass);
}

TEST_CASE("camera: a slow, low-resolution camera is reported") {
  Bench bench;
  Camera slow;
  slow.frame = cv::Size(320, 240);
  slow.fps = 12.0;
  const auto checks = bench.run(slow, false);
  INFO(report_of(checks).to_table());
  CHECK(find(checks, "resolution").status == Status::Warn);
  CHECK_THAT(find(checks, "resolution").measured, Catch::Contains("delivers 320x240, configured 640x480"));
  CHECK(find(checks, "frame rate").status == Status::Fail);
  CHECK_THAT(find(checks, "frame rate").measured, Catch::StartsWith("12.0 fps"));
  CHECK(find(checks, "face detected").status == Status::Skip);  // no detector: models missing
}
