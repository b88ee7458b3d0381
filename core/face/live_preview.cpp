#include "core/face/live_preview.hpp"

#include <algorithm>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/card/secret.hpp"

namespace kiosk::core::face {

std::vector<std::uint8_t> LivePreview::offer(const cv::Mat& frame, std::chrono::steady_clock::time_point now) {
  if (frame.empty() || (any_ && now - last_ < settings_.interval)) return {};
  cv::Mat small;
  if (frame.cols > settings_.max_width) {
    const double scale = static_cast<double>(settings_.max_width) / frame.cols;
    cv::resize(frame, small, cv::Size(), scale, scale, cv::INTER_AREA);
  } else {
    small = frame;
  }
  std::vector<std::uint8_t> jpeg;
  bool encoded = false;
  try {
    encoded = cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, std::clamp(settings_.jpeg_quality, 10, 95)});
  } catch (const cv::Exception&) {
    encoded = false;
  }
  if (small.data != frame.data && small.isContinuous()) card::secure_wipe(small.data, small.total() * small.elemSize());
  if (!encoded) return {};
  last_ = now;
  any_ = true;
  return jpeg;
}

}  // namespace kiosk::core::face
