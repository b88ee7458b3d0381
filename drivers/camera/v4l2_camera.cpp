#include "drivers/camera/v4l2_camera.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>

namespace kiosk::drivers::camera {

namespace {

bool is_char_device(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
}

}  // namespace

V4l2Camera::V4l2Camera(const hal::CameraDevice& device, const hal::CameraMode& mode,
                       std::chrono::milliseconds first_frame_timeout) {
  const int* index = std::get_if<int>(&device.id);
  const std::string path = index != nullptr ? "/dev/video" + std::to_string(*index) : std::get<std::string>(device.id);
  if (index != nullptr && *index < 0) {
    throw hal::CameraError(hal::CameraErrorKind::NotFound, "camera index " + std::to_string(*index) + " is not valid");
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw hal::CameraError(hal::CameraErrorKind::NotFound, "no camera device " + path);
  }
  if (!is_char_device(path)) {
    throw hal::CameraError(hal::CameraErrorKind::NotFound, path + " is not a video device");
  }
  if (::access(path.c_str(), R_OK | W_OK) != 0) {
    throw hal::CameraError(hal::CameraErrorKind::Busy, "no permission to open " + path + " (" + std::strerror(errno) + ")");
  }
  auto capture = std::make_unique<cv::VideoCapture>();
  const bool opened = index != nullptr ? capture->open(*index, cv::CAP_V4L2) : capture->open(path, cv::CAP_V4L2);
  if (!opened || !capture->isOpened()) {
    throw hal::CameraError(hal::CameraErrorKind::Busy, "cannot open " + path + " (in use by another program?)");
  }
  capture->set(cv::CAP_PROP_FRAME_WIDTH, mode.width);
  capture->set(cv::CAP_PROP_FRAME_HEIGHT, mode.height);
  capture->set(cv::CAP_PROP_FPS, mode.fps);
  capture->set(cv::CAP_PROP_BUFFERSIZE, 2);
  hal::CameraInfo info;
  info.name = path + " (V4L2 via OpenCV " + capture->getBackendName() + ")";
  info.mode.width = static_cast<int>(capture->get(cv::CAP_PROP_FRAME_WIDTH));
  info.mode.height = static_cast<int>(capture->get(cv::CAP_PROP_FRAME_HEIGHT));
  info.mode.fps = capture->get(cv::CAP_PROP_FPS);
  live_ = std::make_unique<LiveCapture>(std::move(capture), path, info, [path] { return is_char_device(path); },
                                        first_frame_timeout);
}

V4l2Camera::~V4l2Camera() = default;

std::unique_ptr<hal::Camera> V4l2CameraProvider::open(const hal::CameraDevice& device, const hal::CameraMode& mode) {
  return std::make_unique<V4l2Camera>(device, mode);
}

}  // namespace kiosk::drivers::camera
