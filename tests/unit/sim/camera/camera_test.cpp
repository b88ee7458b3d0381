// The virtual camera and the V4L2 driver's error paths (no camera device on build machines).
#include <catch2/catch.hpp>

#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "drivers/camera/v4l2_camera.hpp"
#include "sim/camera/face_scene.hpp"
#include "sim/camera/virtual_camera.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/unit/core/face/face_test_support.hpp"
#include "tests/support/test_paths.hpp"

using namespace kiosk;
using namespace std::chrono_literals;

TEST_CASE("virtual camera: camera-sized frames with timestamps 1/fps apart, then it vanishes") {
  test::require_face_material();
  sim::camera::SceneSettings s;
  s.fps = 20.0;
  sim::camera::Scene scene(sim::camera::FaceSource::image(test::face_image("Daniel_Radcliffe", 1)), {sim::camera::Segment{}}, s);
  scene.vanish_after(0.5);
  sim::camera::VirtualCamera cam(std::move(scene));
  CHECK(cam.info().mode.width == 640);
  CHECK(cam.info().mode.height == 480);
  const auto f0 = cam.next_frame(100ms);
  const auto f1 = cam.next_frame(100ms);
  CHECK(f0.image.size() == cv::Size(640, 480));
  CHECK(f0.image.type() == CV_8UC3);
  CHECK(f1.sequence == f0.sequence + 1);
  CHECK(f1.timestamp - f0.timestamp == std::chrono::milliseconds(50));
  CHECK(cv::norm(f0.image, f1.image, cv::NORM_L1) > 0.0);  // the head moves, the sensor is noisy
  for (int i = 2; i < 10; ++i) cam.next_frame(100ms);
  for (int i = 0; i < 2; ++i) {
    try {
      cam.next_frame(100ms);
      FAIL("a frame from a vanished camera");
    } catch (const hal::CameraError& e) {
      CHECK(e.kind() == hal::CameraErrorKind::Disconnected);
    }
  }
  CHECK(cam.frames_delivered() == 10);
}

TEST_CASE("virtual camera: real-time pacing drops frames for a slow consumer") {
  test::require_face_material();
  sim::camera::SceneSettings s;
  s.fps = 50.0;
  sim::camera::VirtualCamera cam(sim::camera::Scene(sim::camera::FaceSource::image(test::face_image("Daniel_Radcliffe", 1)), {}, s),
                         sim::camera::Pacing::RealTime);
  const auto f0 = cam.next_frame(500ms);
  std::this_thread::sleep_for(100ms);
  const auto f1 = cam.next_frame(500ms);
  CHECK(f1.sequence >= f0.sequence + 4);  // the newest frame, not the next queued one
}

TEST_CASE("virtual camera provider: unknown devices are not found") {
  test::require_face_material();
  const auto image = test::face_image("Daniel_Radcliffe", 1);
  sim::camera::VirtualCameraProvider provider(
      [&](const hal::CameraMode& mode) {
        sim::camera::SceneSettings s;
        s.frame = cv::Size(mode.width, mode.height);
        s.fps = mode.fps;
        return sim::camera::Scene(sim::camera::FaceSource::image(image), {}, s);
      },
      sim::camera::Pacing::Simulated, {"camera #0"});
  auto cam = provider.open(hal::CameraDevice::index(0), {320, 240, 15.0});
  CHECK(cam->next_frame(100ms).image.size() == cv::Size(320, 240));
  try {
    provider.open(hal::CameraDevice::path("/dev/video7"), {});
    FAIL("opened a camera that is not there");
  } catch (const hal::CameraError& e) {
    CHECK(e.kind() == hal::CameraErrorKind::NotFound);
  }
}

TEST_CASE("V4L2 camera: a missing device or a file that is not a camera is NotFound") {
  drivers::camera::V4l2CameraProvider provider;
  const auto not_found = [&](const hal::CameraDevice& device) {
    try {
      provider.open(device, {});
      return false;
    } catch (const hal::CameraError& e) {
      CHECK(std::string(e.advice()).size() > 0);
      return e.kind() == hal::CameraErrorKind::NotFound;
    }
  };
  CHECK(not_found(hal::CameraDevice::index(97)));
  CHECK(not_found(hal::CameraDevice::index(-1)));
  CHECK(not_found(hal::CameraDevice::path("/dev/v4l/by-id/no-such-camera")));
  CHECK(not_found(hal::CameraDevice::path((test::source_dir() / "CMakeLists.txt").string())));
}

TEST_CASE("virtual camera: plays an image sequence and a video, composed into camera-sized frames") {
  test::require_face_material();
  test::TempDir dir;
  // A short recording: three different photos of a person, as camera views and as a video.
  std::vector<std::filesystem::path> stills;
  cv::VideoWriter writer((dir.path() / "clip.avi").string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10.0,
                         cv::Size(320, 240));
  REQUIRE(writer.isOpened());
  for (std::size_t k = 0; k < 3; ++k) {
    const cv::Mat face = cv::imread(test::face_image("Daniel_Radcliffe", k).string());
    cv::Mat view(240, 320, CV_8UC3, cv::Scalar(90, 110, 130));
    cv::Mat small;
    cv::resize(face, small, cv::Size(120, 150));
    small.copyTo(view(cv::Rect(100, 45, 120, 150)));
    stills.push_back(dir.path() / ("view" + std::to_string(k) + ".png"));
    REQUIRE(cv::imwrite(stills.back().string(), view));
    for (int repeat = 0; repeat < 5; ++repeat) writer.write(view);
  }
  writer.release();

  SECTION("image sequence at 2 images per second, letterboxed") {
    sim::camera::Scene scene(sim::camera::FaceSource::sequence(stills, 2.0), {sim::camera::Segment{}});
    const cv::Mat a = scene.render(0.0, 0);
    const cv::Mat b = scene.render(0.6, 1);
    CHECK(a.size() == cv::Size(640, 480));
    CHECK(cv::norm(a, b, cv::NORM_L1) / (640.0 * 480 * 3) > 3.0);  // another image
  }
  SECTION("video, as a camera view") {
    sim::camera::Scene scene(sim::camera::FaceSource::video(dir.path() / "clip.avi"), {sim::camera::Segment{}});
    const cv::Mat a = scene.render(0.1, 0);
    const cv::Mat b = scene.render(1.2, 1);  // frame 12: the third photo
    const cv::Mat d = scene.render(2.0, 3);  // frame 20 of 15: looped to frame 5, the second photo
    CHECK(cv::norm(a, d, cv::NORM_L1) / (640.0 * 480 * 3) > 3.0);
    const cv::Mat c = scene.render(0.2, 2);  // back to the start
    CHECK(a.size() == cv::Size(640, 480));
    CHECK(cv::norm(a, b, cv::NORM_L1) / (640.0 * 480 * 3) > 3.0);
    CHECK(cv::norm(a, c, cv::NORM_L1) / (640.0 * 480 * 3) < 3.0);  // the same photo again, new noise
  }
  SECTION("video frames as crops, composed on the background") {
    sim::camera::Scene scene(sim::camera::FaceSource::video(dir.path() / "clip.avi", sim::camera::FaceSource::Framing::Crop), {sim::camera::Segment{}});
    CHECK(scene.render(0.5, 0).size() == cv::Size(640, 480));
  }
  CHECK_THROWS_AS(sim::camera::FaceSource::video(dir.path() / "missing.avi"), std::runtime_error);
  CHECK_THROWS_AS(sim::camera::FaceSource::image(dir.path() / "missing.png"), std::runtime_error);
}
