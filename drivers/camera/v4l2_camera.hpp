// A V4L2 camera (a USB webcam, /dev/videoN) through OpenCV's VideoCapture with the V4L2
// backend.
//
// A capture thread (LiveCapture) reads frames as the camera delivers them and keeps only the
// newest one. A device that disappears (unplugged, USB reset) or stops delivering frames is
// reported as CameraError Disconnected / Timeout. Other sources (video files, image
// directories, GStreamer): camera_source.hpp.
//
// Limits: OpenCV's V4L2 backend waits up to OPENCV_VIDEOIO_V4L_SELECT_TIMEOUT seconds (default
// 10) inside read() for a stalled device; destroying the camera then waits for that read to
// return. Technicians can set that environment variable (e.g. 2) for the kiosk process.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "drivers/camera/live_capture.hpp"
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

  const hal::CameraInfo& info() const override { return live_->info(); }
  hal::CameraFrame next_frame(std::chrono::milliseconds timeout) override { return live_->next_frame(timeout); }

 private:
  std::unique_ptr<LiveCapture> live_;
};

class V4l2CameraProvider final : public hal::CameraProvider {
 public:
  std::unique_ptr<hal::Camera> open(const hal::CameraDevice& device, const hal::CameraMode& mode) override;
};

}  // namespace kiosk::drivers::camera
