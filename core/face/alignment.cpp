#include "core/face/alignment.hpp"

#include <vector>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

namespace kiosk::core::face {

cv::Mat align_face(const cv::Mat& image, const DetectedFace& face) {
  const std::vector<cv::Point2f> src(face.landmarks.begin(), face.landmarks.end());
  const std::vector<cv::Point2f> dst(kArcFaceTemplate.begin(), kArcFaceTemplate.end());
  const cv::Mat transform = cv::estimateAffinePartial2D(src, dst, cv::noArray(), cv::LMEDS);
  if (transform.empty()) return {};
  cv::Mat chip;
  cv::warpAffine(image, chip, transform, cv::Size(kChipSize, kChipSize), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return chip;
}

}  // namespace kiosk::core::face
