#include "drivers/camera/live_capture.hpp"

#include <string.h>  // explicit_bzero

#include <opencv2/imgproc.hpp>

namespace kiosk::drivers::camera {

void wipe_frame(cv::Mat& m) noexcept {
  if (m.data != nullptr && m.isContinuous()) {
    explicit_bzero(m.data, m.total() * m.elemSize());
  } else if (m.data != nullptr) {
    for (int y = 0; y < m.rows; ++y) explicit_bzero(m.ptr(y), static_cast<std::size_t>(m.cols) * m.elemSize());
  }
  m.release();
}

LiveCapture::LiveCapture(std::unique_ptr<cv::VideoCapture> capture, std::string source, hal::CameraInfo info,
                         std::function<bool()> still_there, std::chrono::milliseconds first_frame_timeout)
    : capture_(std::move(capture)), source_(std::move(source)), info_(std::move(info)), still_there_(std::move(still_there)) {
  thread_ = std::thread([this] { capture_loop(); });
  std::unique_lock lock(mutex_);
  const bool first = ready_.wait_for(lock, first_frame_timeout, [this] { return captured_ > 0 || failure_.has_value(); });
  if (!first || captured_ == 0) {
    stop_ = true;
    lock.unlock();
    thread_.join();
    capture_->release();
    throw hal::CameraError(hal::CameraErrorKind::Unsupported,
                           source_ + " opened but delivers no frames at " + std::to_string(info_.mode.width) + "x" +
                               std::to_string(info_.mode.height));
  }
  // The mode as delivered (the driver may have chosen another one).
  info_.mode.width = latest_.cols;
  info_.mode.height = latest_.rows;
}

LiveCapture::~LiveCapture() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  capture_->release();
  wipe_frame(latest_);
}

void LiveCapture::capture_loop() {
  int failures = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    cv::Mat frame;
    const bool ok = capture_->read(frame) && !frame.empty();
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (stop_) {
      wipe_frame(frame);
      return;
    }
    if (!ok) {
      // Unplugged: the source is gone. Otherwise a few failed reads in a row mean the same.
      const bool gone = still_there_ && !still_there_();
      if (gone || ++failures >= 3) {
        failure_ = hal::CameraErrorKind::Disconnected;
        failure_what_ = gone ? source_ + " disappeared" : source_ + " stopped delivering frames";
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

hal::CameraFrame LiveCapture::next_frame(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const bool got = ready_.wait_for(lock, timeout, [this] {
    return failure_.has_value() || (captured_ > delivered_ && !latest_.empty());
  });
  if (failure_) throw hal::CameraError(*failure_, failure_what_);
  if (!got) {
    throw hal::CameraError(hal::CameraErrorKind::Timeout,
                           source_ + ": no frame within " + std::to_string(timeout.count()) + " ms");
  }
  hal::CameraFrame out;
  out.image = latest_;
  latest_ = cv::Mat();  // handed over: the caller owns (and wipes) it
  out.timestamp = latest_time_;
  out.sequence = captured_;
  delivered_ = captured_;
  return out;
}

}  // namespace kiosk::drivers::camera
