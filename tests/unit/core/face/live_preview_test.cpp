// The patient's live view: small JPEGs of the camera frames, a few a second.
#include <catch2/catch.hpp>

#include <chrono>

#include <opencv2/imgcodecs.hpp>

#include "core/face/live_preview.hpp"

using namespace std::chrono_literals;

TEST_CASE("live preview: a downscaled JPEG at most every interval, nothing for an empty frame") {
  kiosk::core::face::LivePreview preview;  // 480 px wide, every 125 ms
  cv::Mat frame(720, 1280, CV_8UC3, cv::Scalar(40, 120, 200));
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  const auto first = preview.offer(frame, t0);
  REQUIRE(first.size() > 100);
  const cv::Mat decoded = cv::imdecode(first, cv::IMREAD_COLOR);
  CHECK(decoded.cols == 480);
  CHECK(decoded.rows == 270);
  CHECK(preview.offer(frame, t0 + 50ms).empty());  // too soon
  CHECK_FALSE(preview.offer(frame, t0 + 130ms).empty());
  CHECK(preview.offer(cv::Mat(), t0 + 1s).empty());
  // A small frame is not enlarged.
  kiosk::core::face::LivePreview small_preview;
  const auto small = small_preview.offer(cv::Mat(240, 320, CV_8UC3, cv::Scalar(0, 0, 0)), t0);
  CHECK(cv::imdecode(small, cv::IMREAD_COLOR).cols == 320);
}
