// The patient's live view during a face attempt: a small JPEG of the camera frame for the kiosk
// screen, at most a few times a second. It lives in memory only (the screen shows it and the
// next one replaces it); no frame is ever written anywhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace kiosk::core::face {

class LivePreview {
 public:
  struct Settings {
    int max_width = 480;                           // downscaled to this width (or less)
    int jpeg_quality = 75;
    std::chrono::milliseconds interval{125};       // at most 8 pictures a second
  };
  LivePreview() = default;
  explicit LivePreview(Settings settings) : settings_(settings) {}

  // A JPEG of `frame` when the last one is `interval` old (by `now`), else empty. An empty or
  // unencodable frame gives nothing.
  std::vector<std::uint8_t> offer(const cv::Mat& frame, std::chrono::steady_clock::time_point now);

 private:
  Settings settings_;
  std::chrono::steady_clock::time_point last_{};
  bool any_ = false;
};

}  // namespace kiosk::core::face
