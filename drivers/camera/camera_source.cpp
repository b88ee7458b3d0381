#include "drivers/camera/camera_source.hpp"

#include <charconv>
#include <cstdio>
#include <cmath>

#include <opencv2/videoio.hpp>

#include "drivers/camera/live_capture.hpp"
#include "drivers/camera/playback_camera.hpp"
#include "drivers/camera/v4l2_camera.hpp"

namespace kiosk::drivers::camera {

namespace {

[[noreturn]] void bad(std::string_view text, const std::string& what) {
  throw hal::CameraError(hal::CameraErrorKind::NotFound, "camera source '" + std::string(text) + "': " + what);
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::optional<int> whole_number(std::string_view s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// "loop=0&fps=5" after '?' (files and directories).
void options(std::string_view text, std::string_view query, CameraSource& source) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) bad(text, "option '" + std::string(item) + "' needs a value (loop=0, fps=5)");
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    if (key == "loop") {
      if (value != "0" && value != "1") bad(text, "loop is 0 or 1");
      source.loop = value == "1";
    } else if (key == "fps") {
      double fps = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), fps);
      if (ec != std::errc() || end != value.data() + value.size() || !(fps > 0 && fps <= 240)) {
        bad(text, "fps is a number above 0 and at most 240");
      }
      source.fps = fps;
    } else {
      bad(text, "unknown option '" + std::string(key) + "' (loop, fps)");
    }
  }
}

}  // namespace

const char* to_string(CameraSource::Kind kind) {
  switch (kind) {
    case CameraSource::Kind::V4l2: return "v4l2";
    case CameraSource::Kind::VideoFile: return "file";
    case CameraSource::Kind::ImageDirectory: return "dir";
    case CameraSource::Kind::GStreamer: return "gst";
  }
  return "unknown";
}

std::string CameraSource::describe() const {
  switch (kind) {
    case Kind::V4l2: return index ? std::to_string(*index) : location;
    case Kind::GStreamer: return "gst:" + location;
    case Kind::VideoFile:
    case Kind::ImageDirectory: {
      std::string out = std::string(to_string(kind)) + ":" + location;
      std::string query;
      if (!loop) query += "loop=0";
      if (fps > 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", fps);
        query += std::string(query.empty() ? "" : "&") + "fps=" + buf;
      }
      return query.empty() ? out : out + "?" + query;
    }
  }
  return location;
}

CameraSource parse_camera_source(std::string_view text) {
  CameraSource s;
  if (text.empty()) bad(text, "empty (a device such as /dev/video0, file:..., dir:... or gst:...)");
  if (starts_with(text, "gst:")) {
    s.kind = CameraSource::Kind::GStreamer;
    s.location = std::string(text.substr(4));
    if (s.location.find_first_not_of(' ') == std::string::npos) bad(text, "no GStreamer pipeline after gst:");
    return s;
  }
  if (starts_with(text, "file:") || starts_with(text, "dir:")) {
    const bool file = starts_with(text, "file:");
    s.kind = file ? CameraSource::Kind::VideoFile : CameraSource::Kind::ImageDirectory;
    std::string_view rest = text.substr(file ? 5 : 4);
    const auto q = rest.find('?');
    if (q != std::string_view::npos) {
      options(text, rest.substr(q + 1), s);
      rest = rest.substr(0, q);
    }
    if (rest.empty()) bad(text, file ? "no file name after file:" : "no directory after dir:");
    s.location = std::string(rest);
    return s;
  }
  std::string_view device = text;
  if (starts_with(text, "v4l2:")) device = text.substr(5);
  if (device.empty()) bad(text, "no device after v4l2:");
  if (const auto n = whole_number(device)) {
    if (*n < 0) bad(text, "a camera index is 0 or more");
    s.index = *n;
    s.location = "/dev/video" + std::to_string(*n);
    return s;
  }
  if (device.front() != '/') {
    const auto colon = device.find(':');
    if (colon != std::string_view::npos && colon < 8) {
      bad(text, "unknown kind '" + std::string(device.substr(0, colon)) + ":' (file:, dir:, gst:, v4l2:)");
    }
    bad(text, "a V4L2 device is an index or an absolute path such as /dev/video0 (or use file:, dir:, gst:)");
  }
  s.location = std::string(device);
  return s;
}

namespace {

// A GStreamer pipeline through OpenCV's GStreamer backend, read by a capture thread.
class GStreamerCamera final : public hal::Camera {
 public:
  GStreamerCamera(const CameraSource& source, const hal::CameraMode& mode) {
    const std::string name = source.describe();
    auto capture = std::make_unique<cv::VideoCapture>();
    bool opened = false;
    try {
      opened = capture->open(source.location, cv::CAP_GSTREAMER);
    } catch (const cv::Exception& e) {
      throw hal::CameraError(hal::CameraErrorKind::Unsupported, name + ": " + e.what());
    }
    if (!opened || !capture->isOpened()) {
      throw hal::CameraError(hal::CameraErrorKind::Unsupported,
                             name + ": the pipeline does not start (check its elements with gst-launch-1.0; it "
                                    "must end in appsink)");
    }
    hal::CameraInfo info;
    info.name = name + " (GStreamer via OpenCV)";
    info.mode = mode;
    live_ = std::make_unique<LiveCapture>(std::move(capture), name, info, nullptr, std::chrono::milliseconds(5000));
  }
  const hal::CameraInfo& info() const override { return live_->info(); }
  hal::CameraFrame next_frame(std::chrono::milliseconds timeout) override { return live_->next_frame(timeout); }

 private:
  std::unique_ptr<LiveCapture> live_;
};

}  // namespace

std::unique_ptr<hal::Camera> open_camera(const CameraSource& source, const hal::CameraMode& mode) {
  switch (source.kind) {
    case CameraSource::Kind::V4l2:
      return std::make_unique<V4l2Camera>(source.index ? hal::CameraDevice::index(*source.index)
                                                       : hal::CameraDevice::path(source.location),
                                          mode);
    case CameraSource::Kind::VideoFile:
    case CameraSource::Kind::ImageDirectory:
      return std::make_unique<PlaybackCamera>(source);
    case CameraSource::Kind::GStreamer:
      return std::make_unique<GStreamerCamera>(source, mode);
  }
  throw hal::CameraError(hal::CameraErrorKind::Internal, "unknown camera source kind");
}

std::unique_ptr<hal::Camera> SourceCameraProvider::open(const hal::CameraDevice& device, const hal::CameraMode& mode) {
  if (const int* index = std::get_if<int>(&device.id)) {
    CameraSource s;
    if (*index < 0) throw hal::CameraError(hal::CameraErrorKind::NotFound, "camera index " + std::to_string(*index) + " is not valid");
    s.index = *index;
    s.location = "/dev/video" + std::to_string(*index);
    return open_camera(s, mode);
  }
  return open_camera(parse_camera_source(std::get<std::string>(device.id)), mode);
}

}  // namespace kiosk::drivers::camera
