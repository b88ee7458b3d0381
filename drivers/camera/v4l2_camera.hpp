// A V4L2 camera (a USB webcam, /dev/videoN) through OpenCV's VideoCapture with the V4L2
// backend.
//
// A capture thread reads frames as the camera delivers them and keeps only the newest one, so
// next_frame() never hands out a stale frame from the driver's queue and can wait with a real
// time-out (VideoCapture::read itself blocks). A frame that is replaced before anyone took it
// is overwritten. A device that disappears (unplugged, USB reset) or stops delivering frames
// is reported as CameraError Disconnected / Timeout.
//
// Limits: OpenCV's V4L2 backend waits up to OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT seconds (default
// 10) inside read() for a stalled device; destroying the camera then waits for that read to
// return. Technicians can set that environment variable (e.g. 2) for the kiosk process.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <opencv2/core/mat.hpp>
#include <opencv2/videoio.hpp>

#include "hal/camera.hpp"

namespace kiosk::drivers::camera {

class V4l2Camera final : public hal::Camera {
 public:
  // Opens the device, asks for the mode and waits up to `first_frame_timeout` for a first
  // frame. Throws hal::CameraError: NotFound (no such device node), Busy (cannot be opened:
  // in use, permissions), Unsupported (opens but delivers no frames).
  V4l2Camera(const hal::CameraDevice& device, const hal::CameraMode& mode,
             std::chrono::milliseconds first_frame_timeout = std::chrono::milliseconds(5000));
  ~V4l2Camera() override;

  const hal::CameraInfo& info() const override { return info_; }
  hal::CameraFrame next_frame(std::chrono::milliseconds timeout) override;

 private:
  void capture_loop();

  std::string path_;
  cv::VideoCapture capture_;
  hal::CameraInfo info_;

  std::mutex mutex_;
  std::condition_variable ready_;
  cv::Mat latest_;
  std::chrono::steady_clock::time_point latest_time_;
  std::uint64_t captured_ = 0;   // frames captured so far
  std::uint64_t delivered_ = 0;  // the sequence number last handed out
  std::optional<hal::CameraErrorKind> failure_;
  std::string failure_what_;
  bool stop_ = false;
  std::thread thread_;
};

class V4l2CameraProvider final : public hal::CameraProvider {
 public:
  std::unique_ptr<hal::Camera> open(const hal::CameraDevice& device, const hal::CameraMode& mode) override;
};

}  // namespace kiosk::drivers::camera
