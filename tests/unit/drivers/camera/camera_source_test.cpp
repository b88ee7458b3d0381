// Camera source strings ("/dev/video0", "2", "file:...", "dir:...", "gst:...") and recorded
// input played as a camera.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "drivers/camera/camera_source.hpp"
#include "drivers/camera/playback_camera.hpp"

using namespace kiosk;
using namespace kiosk::drivers::camera;
using namespace std::chrono_literals;
using Kind = CameraSource::Kind;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kiosk-camsrc-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

hal::CameraErrorKind error_kind(const std::function<void()>& f) {
  try {
    f();
  } catch (const hal::CameraError& e) {
    return e.kind();
  }
  FAIL("no CameraError");
  return hal::CameraErrorKind::Internal;
}

}  // namespace

TEST_CASE("camera source: devices by path or index, files, directories, pipelines") {
  const auto dev = parse_camera_source("/dev/video2");
  CHECK(dev.kind == Kind::V4l2);
  CHECK(dev.location == "/dev/video2");
  CHECK_FALSE(dev.index);
  const auto idx = parse_camera_source("1");
  CHECK(idx.kind == Kind::V4l2);
  CHECK(idx.index == std::optional<int>(1));
  CHECK(parse_camera_source("v4l2:/dev/v4l/by-id/usb-cam").location == "/dev/v4l/by-id/usb-cam");
  const auto file = parse_camera_source("file:face.mp4?loop=0");
  CHECK(file.kind == Kind::VideoFile);
  CHECK(file.location == "face.mp4");
  CHECK_FALSE(file.loop);
  const auto dir = parse_camera_source("dir:frames/?fps=5&loop=1");
  CHECK(dir.kind == Kind::ImageDirectory);
  CHECK(dir.location == "frames/");
  CHECK(dir.loop);
  CHECK(dir.fps == Approx(5.0));
  const auto gst = parse_camera_source("gst:videotestsrc ! videoconvert ! appsink");
  CHECK(gst.kind == Kind::GStreamer);
  CHECK(gst.location == "videotestsrc ! videoconvert ! appsink");
  // Back to text.
  CHECK(file.describe() == "file:face.mp4?loop=0");
  CHECK(dir.describe() == "dir:frames/?fps=5");
  CHECK(idx.describe() == "1");
}

TEST_CASE("camera source: bad strings are NotFound errors that name the source") {
  for (const char* bad : {"", "-1", "video0", "http://cam", "file:", "dir:?fps=5", "gst:  ", "file:a.mp4?loop=2",
                          "dir:x?fps=0", "dir:x?speed=2", "dir:x?fps", "v4l2:"}) {
    INFO(bad);
    try {
      parse_camera_source(bad);
      FAIL("accepted");
    } catch (const hal::CameraError& e) {
      CHECK(e.kind() == hal::CameraErrorKind::NotFound);
      CHECK(std::string(e.what()).find(std::string("'") + bad + "'") != std::string::npos);
    }
  }
}

TEST_CASE("camera source: a directory plays its images in name order, once or looping") {
  TempDir dir;
  for (int i : {2, 0, 1}) {  // written out of order
    cv::Mat img(48, 64, CV_8UC3, cv::Scalar(10.0 + 50.0 * i, 0, 0));
    REQUIRE(cv::imwrite((dir.path / ("frame" + std::to_string(i) + ".png")).string(), img));
  }
  std::ofstream(dir.path / "notes.txt") << "not an image";
  {
    auto cam = open_camera(parse_camera_source("dir:" + dir.path.string() + "?fps=100&loop=0"), hal::CameraMode{});
    CHECK(cam->info().mode.width == 64);
    CHECK(cam->info().mode.height == 48);
    for (int i = 0; i < 3; ++i) {
      const auto f = cam->next_frame(1000ms);
      CHECK(f.image.at<cv::Vec3b>(0, 0)[0] == 10 + 50 * i);
    }
    CHECK(error_kind([&] { cam->next_frame(1000ms); }) == hal::CameraErrorKind::Disconnected);
  }
  {
    SourceCameraProvider provider;
    auto cam = provider.open(hal::CameraDevice::path("dir:" + dir.path.string() + "?fps=100"), hal::CameraMode{});
    for (int i = 0; i < 4; ++i) {
      const auto f = cam->next_frame(1000ms);
      CHECK(f.image.at<cv::Vec3b>(0, 0)[0] == 10 + 50 * (i % 3));
    }
  }
  // Frames are not due faster than the rate: a short wait times out.
  auto slow = open_camera(parse_camera_source("dir:" + dir.path.string() + "?fps=1"), hal::CameraMode{});
  slow->next_frame(100ms);
  CHECK(error_kind([&] { slow->next_frame(20ms); }) == hal::CameraErrorKind::Timeout);
}

TEST_CASE("camera source: missing or undecodable input is a clear camera error") {
  TempDir dir;
  const std::string missing = (dir.path / "nothing").string();
  CHECK(error_kind([&] { open_camera(parse_camera_source("dir:" + missing), hal::CameraMode{}); }) ==
        hal::CameraErrorKind::NotFound);
  CHECK(error_kind([&] { open_camera(parse_camera_source("dir:" + dir.path.string()), hal::CameraMode{}); }) ==
        hal::CameraErrorKind::NotFound);  // no images in it
  CHECK(error_kind([&] { open_camera(parse_camera_source("file:" + missing + ".mp4"), hal::CameraMode{}); }) ==
        hal::CameraErrorKind::NotFound);
  std::ofstream(dir.path / "fake.mp4") << "this is not a video";
  CHECK(error_kind([&] { open_camera(parse_camera_source("file:" + (dir.path / "fake.mp4").string()), hal::CameraMode{}); }) ==
        hal::CameraErrorKind::Unsupported);
  CHECK(error_kind([&] { open_camera(parse_camera_source("/dev/kiosk-no-such-camera"), hal::CameraMode{}); }) ==
        hal::CameraErrorKind::NotFound);
  // A pipeline that cannot run (an element that does not exist, or no GStreamer in OpenCV).
  try {
    open_camera(parse_camera_source("gst:kiosknosuchelement ! appsink"), hal::CameraMode{});
    FAIL("opened");
  } catch (const hal::CameraError& e) {
    CHECK(e.kind() == hal::CameraErrorKind::Unsupported);
    CHECK(std::string(e.what()).find("gst:kiosknosuchelement") != std::string::npos);
  }
}
