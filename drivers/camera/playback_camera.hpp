// Recorded input as a camera: a video file or a directory of images, played in real time at
// a frame rate (frames are due at wall-clock times from the moment the camera was opened; a
// slow consumer gets the newest due frame, older ones are skipped, as from a real camera).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/videoio.hpp>

#include "drivers/camera/camera_source.hpp"
#include "hal/camera.hpp"

namespace kiosk::drivers::camera {

class PlaybackCamera final : public hal::Camera {
 public:
  // A source of kind VideoFile or ImageDirectory. Throws hal::CameraError: NotFound (no such
  // file or directory, no images), Unsupported (cannot be decoded).
  explicit PlaybackCamera(const CameraSource& source);
  ~PlaybackCamera() override;

  const hal::CameraInfo& info() const override { return info_; }
  // Throws CameraError Timeout when the next frame is not due within `timeout`, Disconnected
  // after the last frame of a source that does not loop.
  hal::CameraFrame next_frame(std::chrono::milliseconds timeout) override;

 private:
  cv::Mat frame_at(std::uint64_t index);  // index counts from the start, loops applied
  cv::Mat decode_image(std::size_t i) const;

  CameraSource source_;
  hal::CameraInfo info_;
  std::vector<std::filesystem::path> images_;  // directory
  std::unique_ptr<cv::VideoCapture> video_;    // file
  std::uint64_t video_frames_ = 0;             // frames in the file (0: unknown)
  std::uint64_t video_position_ = 0;           // the next frame the decoder gives
  std::chrono::steady_clock::time_point start_;
  std::uint64_t next_index_ = 0;  // the first frame not yet handed out
  bool ended_ = false;
};

}  // namespace kiosk::drivers::camera
