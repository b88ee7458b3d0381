#include "core/face/detector.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/face/face_error.hpp"
#include "core/face/wipe.hpp"

namespace kiosk::core::face {

float DetectedFace::eye_distance() const {
  const cv::Point2f d = landmarks[1] - landmarks[0];
  return std::sqrt(d.x * d.x + d.y * d.y);
}

cv::Point2f DetectedFace::eye_centre() const { return (landmarks[0] + landmarks[1]) * 0.5f; }

FaceDetector::FaceDetector(const std::filesystem::path& model, const DetectorSettings& settings)
    : settings_(settings), input_size_(320, 240) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(model, ec)) {
    throw FaceError(FaceErrorKind::ModelMissing, "face detector model not found: " + model.string());
  }
  try {
    yunet_ = cv::FaceDetectorYN::create(model.string(), "", input_size_, settings.score_threshold,
                                        settings.nms_threshold, 5000);
  } catch (const cv::Exception& e) {
    throw FaceError(FaceErrorKind::ModelInvalid, "face detector model " + model.string() + " does not load: " + e.what());
  }
  if (yunet_.empty()) throw FaceError(FaceErrorKind::ModelInvalid, "face detector model does not load: " + model.string());
}

FaceDetector::~FaceDetector() { wipe(output_); }

std::vector<DetectedFace> FaceDetector::detect_at(const cv::Mat& bgr, double scale) {
  cv::Mat scaled;
  cv::Mat padded;
  const cv::Mat* input = &bgr;
  if (scale < 0.999) {
    cv::resize(bgr, scaled, cv::Size(), scale, scale, cv::INTER_AREA);
    input = &scaled;
  } else {
    scale = 1.0;
  }
  // YuNet's prior boxes line up with its feature maps only when both sides are multiples of
  // 32: pad right and bottom (coordinates are unchanged).
  const int pad_x = (32 - input->cols % 32) % 32;
  const int pad_y = (32 - input->rows % 32) % 32;
  if (pad_x != 0 || pad_y != 0) {
    cv::copyMakeBorder(*input, padded, 0, pad_y, 0, pad_x, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    input = &padded;
  }
  if (input->size() != input_size_) {
    input_size_ = input->size();
    yunet_->setInputSize(input_size_);
  }
  try {
    yunet_->detect(*input, output_);
  } catch (const cv::Exception& e) {
    wipe(scaled);
    wipe(padded);
    throw FaceError(FaceErrorKind::ModelInvalid, std::string("face detector failed: ") + e.what());
  }
  wipe(scaled);
  wipe(padded);
  std::vector<DetectedFace> faces;
  const float inv = static_cast<float>(1.0 / scale);
  for (int i = 0; i < output_.rows; ++i) {
    const float* r = output_.ptr<float>(i);
    DetectedFace f;
    f.box = cv::Rect2f(r[0] * inv, r[1] * inv, r[2] * inv, r[3] * inv);
    for (std::size_t k = 0; k < 5; ++k) {
      f.landmarks[k] = cv::Point2f(r[4 + 2 * k] * inv, r[5 + 2 * k] * inv);
    }
    f.score = r[14];
    faces.push_back(f);
  }
  std::sort(faces.begin(), faces.end(),
            [](const DetectedFace& a, const DetectedFace& b) { return a.box.area() > b.box.area(); });
  return faces;
}

std::vector<DetectedFace> FaceDetector::detect(const cv::Mat& image) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 3 && image.channels() != 1)) {
    throw FaceError(FaceErrorKind::BadFrame, "face detection needs an 8-bit BGR or grey image");
  }
  cv::Mat bgr;
  if (image.channels() == 1) {
    cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
  } else {
    bgr = image;
  }
  // Pixel budget: detect_width x (3/4 detect_width), whatever the aspect ratio.
  const double budget = static_cast<double>(settings_.detect_width) * settings_.detect_width * 0.75;
  double scale = std::min(1.0, std::sqrt(budget / (static_cast<double>(bgr.cols) * bgr.rows)));
  auto faces = detect_at(bgr, scale);
  if (!faces.empty()) {
    const double widest = faces.front().box.width * scale;
    if (widest > settings_.max_face_px) {
      scale *= 0.8 * settings_.max_face_px / widest;
      faces = detect_at(bgr, scale);
    }
  }
  if (settings_.refine_landmarks && scale < 0.999 && !faces.empty()) refine(bgr, faces.front());
  if (image.channels() == 1) wipe(bgr);
  return faces;
}

void FaceDetector::refine(const cv::Mat& bgr, DetectedFace& face) {
  // The window: the face and 30% of its size on every side (YuNet still sees it whole).
  constexpr float kWindowMargin = 0.3f;
  const cv::Rect2f& b = face.box;
  if (b.width > static_cast<float>(settings_.max_face_px)) return;  // would be scaled down again
  const cv::Rect window = cv::Rect(cvRound(b.x - kWindowMargin * b.width), cvRound(b.y - kWindowMargin * b.height),
                                   cvRound((1 + 2 * kWindowMargin) * b.width), cvRound((1 + 2 * kWindowMargin) * b.height)) &
                          cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (window.width < 32 || window.height < 32) return;
  const auto found = detect_at(bgr(window), 1.0);
  // The detection that overlaps the coarse one most.
  const DetectedFace* best = nullptr;
  double best_overlap = 0.5;
  for (const auto& f : found) {
    const cv::Rect2f moved(f.box.x + static_cast<float>(window.x), f.box.y + static_cast<float>(window.y), f.box.width,
                           f.box.height);
    const double overlap = (moved & b).area() / std::max(1e-3f, (moved | b).area());
    if (overlap > best_overlap) {
      best_overlap = overlap;
      best = &f;
    }
  }
  if (best == nullptr) return;
  const cv::Point2f offset(static_cast<float>(window.x), static_cast<float>(window.y));
  face.box = cv::Rect2f(best->box.x + offset.x, best->box.y + offset.y, best->box.width, best->box.height);
  for (std::size_t k = 0; k < 5; ++k) face.landmarks[k] = best->landmarks[k] + offset;
  face.score = best->score;
}

void FaceDetector::scrub() {
  cv::Mat blank(input_size_, CV_8UC3, cv::Scalar::all(0));
  yunet_->detect(blank, output_);
  wipe(output_);
}

}  // namespace kiosk::core::face
