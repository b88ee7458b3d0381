// A capture thread over an opened cv::VideoCapture of a live source (a V4L2 device, a
// GStreamer pipeline): it reads frames as the source delivers them and keeps only the newest,
// so next_frame() never hands out a stale frame from the driver's queue and can wait with a
// real time-out (VideoCapture::read itself blocks). A frame replaced before anyone took it is
// overwritten. A source that stops delivering (three failed reads in a row, or `still_there`
// says it has gone) is reported as CameraError Disconnected.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <opencv2/core/mat.hpp>
#include <opencv2/videoio.hpp>

#include "hal/camera.hpp"

namespace kiosk::drivers::camera {

// Frames are personal data: overwrite before letting go (drivers cannot use core's wipe).
void wipe_frame(cv::Mat& frame) noexcept;

class LiveCapture {
 public:
  // Starts reading from `capture` (opened) and waits up to `first_frame_timeout` for a first
  // frame; throws CameraError Unsupported naming `source` when none comes. `still_there` is
  // asked after a failed read (empty: assume it is).
  LiveCapture(std::unique_ptr<cv::VideoCapture> capture, std::string source, hal::CameraInfo info, std::function<bool()> still_there,
              std::chrono::milliseconds first_frame_timeout);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  // The mode as delivered (the size of the first frame).
  const hal::CameraInfo& info() const noexcept { return info_; }
  hal::CameraFrame next_frame(std::chrono::milliseconds timeout);

 private:
  void capture_loop();

  std::unique_ptr<cv::VideoCapture> capture_;
  std::string source_;
  hal::CameraInfo info_;
  std::function<bool()> still_there_;

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

}  // namespace kiosk::drivers::camera
