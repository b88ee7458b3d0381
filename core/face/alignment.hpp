// 5-point alignment to the 112x112 ArcFace template (the input of every recognizer here).
#pragma once

#include <array>

#include <opencv2/core.hpp>

#include "core/face/detector.hpp"

namespace kiosk::core::face {

inline constexpr int kChipSize = 112;

// Where the eyes, nose tip and mouth corners go in the 112x112 chip (insightface's template).
inline const std::array<cv::Point2f, 5> kArcFaceTemplate{
    cv::Point2f(38.2946f, 51.6963f), cv::Point2f(73.5318f, 51.5014f), cv::Point2f(56.0252f, 71.7366f),
    cv::Point2f(41.5493f, 92.3655f), cv::Point2f(70.7299f, 92.2041f)};

// The face warped onto the template: a similarity transform fitted to the 5 landmarks
// (estimateAffinePartial2D, LMEDS), then warpAffine to 112x112, same type as `image`.
// Empty when the landmarks do not define a transform (degenerate detection).
cv::Mat align_face(const cv::Mat& image, const DetectedFace& face);

}  // namespace kiosk::core::face
