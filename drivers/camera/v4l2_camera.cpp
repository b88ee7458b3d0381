#include "drivers/camera/v4l2_camera.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>

#include <opencv2/imgproc.hpp>

namespace kiosk::drivers::camera {

namespace {

using Clock = std::chrono::steady_clock;

// Frames are personal data: overwrite before letting go (drivers cannot use core's wipe).
void wipe_frame(cv::Mat& m) noexcept {
  if (m.data != nullptr && m.isContinuous()) {
    explicit_bzero(m.data, m.total() * m.elemSize());
  } else if (m.data != nullptr) {
    for (int y = 0; y < m.rows; ++y) explicit_bzero(m.ptr(y), static_cast<std::size_t>(m.cols) * m.elemSize());
  }
  m.release();
}

bool is_char_device(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
}

}  // namespace

V4l2Camera::V4l2Camera(const hal::CameraDevice& device, const hal::CameraMode& mode,
                       std::chrono::milliseconds first_frame_timeout) {
  const int* index = std::get_if<int>(&device.id);
  path_ = index != nullptr ? "/dev/video" + std::to_string(*index) : std::get<std::string>(device.id);
  if (index != nullptr && *index < 0) {
    throw hal::CameraError(hal::CameraErrorKind::NotFound, "camera index " + std::to_string(*index) + " is not valid");
  }
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) {
    throw hal::CameraError(hal::CameraErrorKind::NotFound, "no camera device " + path_);
  }
  if (!is_char_device(path_)) {
    throw hal::CameraError(hal::CameraErrorKind::NotFound, path_ + " is not a video device");
  }
  if (::access(path_.c_str(), R_OK | W_OK) != 0) {
    throw hal::CameraError(hal::CameraErrorKind::Busy,
                           "no permission to open " + path_ + " (" + std::strerror(errno) + ")");
  }
  const bool opened = index != nullptr ? capture_.open(*index, cv::CAP_V4L2) : capture_.open(path_, cv::CAP_V4L2);
  if (!opened || !capture_.isOpened()) {
    throw hal::CameraError(hal::CameraErrorKind::Busy, "cannot open " + path_ + " (in use by another program?)");
  }
  capture_.set(cv::CAP_PROP_FRAME_WIDTH, mode.width);
  capture_.set(cv::CAP_PROP_FRAME_HEIGHT, mode.height);
  capture_.set(cv::CAP_PROP_FPS, mode.fps);
  capture_.set(cv::CAP_PROP_BUFFERSIZE, 2);
  info_.name = path_ + " (V4L2 via OpenCV " + capture_.getBackendName() + ")";
  info_.mode.width = static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_WIDTH));
  info_.mode.height = static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_HEIGHT));
  info_.mode.fps = capture_.get(cv::CAP_PROP_FPS);
  thread_ = std::thread([this] { capture_loop(); });

  std::unique_lock lock(mutex_);
  const bool first = ready_.wait_for(lock, first_frame_timeout, [this] { return captured_ > 0 || failure_.has_value(); });
  if (!first || captured_ == 0) {
    stop_ = true;
    lock.unlock();
    thread_.join();
    throw hal::CameraError(hal::CameraErrorKind::Unsupported,
                           path_ + " opened but delivers no frames at " + std::to_string(mode.width) + "x" +
                               std::to_string(mode.height));
  }
  // The mode as delivered (the driver may have chosen another one).
  info_.mode.width = latest_.cols;
  info_.mode.height = latest_.rows;
}

V4l2Camera::~V4l2Camera() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  capture_.release();
  wipe_frame(latest_);
}

void V4l2Camera::capture_loop() {
  int failures = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    cv::Mat frame;
    const bool ok = capture_.read(frame) && !frame.empty();
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    if (stop_) {
      wipe_frame(frame);
      return;
    }
    if (!ok) {
      // Unplugged: the node is gone. Otherwise a few failed reads in a row mean the same.
      if (!is_char_device(path_) || ++failures >= 3) {
        failure_ = hal::CameraErrorKind::Disconnected;
        failure_what_ = !is_char_device(path_) ? path_ + " disappeared" : path_ + " stopped delivering frames";
        ready_.notify_all();
        return;
      }
      continue;
    }
    failures = 0;
    if (frame.channels() == 1) {
      cv::Mat bgr;
      cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
      wipe_frame(frame);
      frame = bgr;
    }
    wipe_frame(latest_);  // the consumer was too slow for it
    latest_ = frame;
    latest_time_ = now;
    ++captured_;
    ready_.notify_all();
  }
}

hal::CameraFrame V4l2Camera::next_frame(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const bool got = ready_.wait_for(lock, timeout, [this] {
    return failure_.has_value() || (captured_ > delivered_ && !latest_.empty());
  });
  if (failure_) throw hal::CameraError(*failure_, failure_what_);
  if (!got) {
    throw hal::CameraError(hal::CameraErrorKind::Timeout,
                           path_ + ": no frame within " + std::to_string(timeout.count()) + " ms");
  }
  hal::CameraFrame out;
  out.image = latest_;
  latest_ = cv::Mat();  // handed over: the caller owns (and wipes) it
  out.timestamp = latest_time_;
  out.sequence = captured_;
  delivered_ = captured_;
  return out;
}

std::unique_ptr<hal::Camera> V4l2CameraProvider::open(const hal::CameraDevice& device, const hal::CameraMode& mode) {
  return std::make_unique<V4l2Camera>(device, mode);
}

}  // namespace kiosk::drivers::camera
