// Face detection with YuNet (cv::FaceDetectorYN, face_detection_yunet_2022mar.onnx).
#pragma once

#include <array>
#include <filesystem>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>

#include "core/face/face_config.hpp"

namespace kiosk::core::face {

struct DetectedFace {
  cv::Rect2f box;  // in the coordinates of the image given to detect()
  // YuNet's order: the person's right eye (left in the image), left eye, nose tip, right mouth
  // corner, left mouth corner.
  std::array<cv::Point2f, 5> landmarks{};
  float score = 0.0f;

  float eye_distance() const;
  cv::Point2f eye_centre() const;
};

class FaceDetector {
 public:
  // Throws FaceError(ModelMissing / ModelInvalid).
  FaceDetector(const std::filesystem::path& model, const DetectorSettings& settings);
  ~FaceDetector();
  FaceDetector(const FaceDetector&) = delete;
  FaceDetector& operator=(const FaceDetector&) = delete;

  // Faces in an 8-bit BGR or grey image, largest first. The image is scaled down to the
  // detection budget (DetectorSettings::detect_width), and further when a face would be larger
  // than max_face_px (YuNet-2022mar misplaces landmarks on big faces).
  std::vector<DetectedFace> detect(const cv::Mat& image);

  // Runs the network once on a blank image, so that no activation of the last face remains
  // in its buffers (its working images are wiped after every call).
  void scrub();

 private:
  std::vector<DetectedFace> detect_at(const cv::Mat& bgr, double scale);
  void refine(const cv::Mat& bgr, DetectedFace& face);

  DetectorSettings settings_;
  cv::Ptr<cv::FaceDetectorYN> yunet_;
  cv::Size input_size_;
  cv::Mat output_;
};

}  // namespace kiosk::core::face
