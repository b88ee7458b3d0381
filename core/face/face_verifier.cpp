#include "core/face/face_verifier.hpp"

#include <chrono>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "core/face/alignment.hpp"
#include "core/face/card_photo.hpp"
#include "core/face/face_error.hpp"
#include "core/face/wipe.hpp"

namespace kiosk::core::face {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

FaceVerifier::FaceVerifier(FaceConfig config) : config_(std::move(config)) {
  config_.validate();
  detector_ = std::make_unique<FaceDetector>(config_.resolve(config_.detector.model), config_.detector);
  embedder_ = make_embedder(config_.resolve(config_.recognizer.model), config_.recognizer);
  if (!config_.recognizer.cohort.empty()) cohort_ = ScoreCohort::load(config_.resolve(config_.recognizer.cohort));
}

FaceVerifier::~FaceVerifier() = default;

Embedding FaceVerifier::embed_chip(const cv::Mat& chip, bool mirror) {
  cv::Mat grey;
  cv::Mat bgr;
  if (chip.channels() == 1) {
    cv::cvtColor(chip, bgr, cv::COLOR_GRAY2BGR);
  } else if (config_.policy.greyscale_matching) {
    cv::cvtColor(chip, grey, cv::COLOR_BGR2GRAY);
    cv::cvtColor(grey, bgr, cv::COLOR_GRAY2BGR);
  } else {
    bgr = chip.clone();
  }
  Embedding e = embedder_->embed(bgr);
  if (mirror) {
    cv::Mat mirrored;
    cv::flip(bgr, mirrored, 1);
    e = e.averaged_with(embedder_->embed(mirrored));
    wipe(mirrored);
  }
  wipe(grey);
  wipe(bgr);
  return e;
}

Embedding FaceVerifier::embed_face(const cv::Mat& image, const DetectedFace& face) {
  cv::Mat chip = align_face(image, face);
  if (chip.empty()) return {};
  Embedding e = embed_chip(chip, config_.recognizer.flip_average_live);
  wipe(chip);
  return e;
}

FrameAnalysis FaceVerifier::analyse(const cv::Mat& frame) {
  if (frame.empty() || frame.depth() != CV_8U || (frame.channels() != 3 && frame.channels() != 1)) {
    throw FaceError(FaceErrorKind::BadFrame, "a camera frame must be an 8-bit BGR or grey image");
  }
  FrameAnalysis a;
  const auto t0 = std::chrono::steady_clock::now();
  a.faces = detector_->detect(frame);
  a.detect_ms = ms_since(t0);
  a.quality = assess_geometry(frame, a.faces, config_.quality);
  if (a.quality.face_index < 0) return a;
  const auto t1 = std::chrono::steady_clock::now();
  const DetectedFace& face = a.faces[static_cast<std::size_t>(a.quality.face_index)];
  cv::Mat chip = align_face(frame, face);
  assess_photometry(a.quality, frame, face, chip, config_.quality);
  if (a.quality.usable) a.embedding = embed_chip(chip, config_.recognizer.flip_average_live);
  wipe(chip);
  a.embed_ms = ms_since(t1);
  return a;
}

Embedding FaceVerifier::embed_views(const cv::Mat& image, const DetectedFace& face) {
  const double jitter = config_.recognizer.card_scale_jitter;
  cv::Point2f centre{0.0f, 0.0f};
  for (const auto& p : face.landmarks) centre += p;
  centre *= 1.0f / static_cast<float>(face.landmarks.size());
  std::vector<Embedding> views;
  for (const double scale : {1.0, 1.0 - jitter, 1.0 + jitter}) {
    if (scale != 1.0 && jitter <= 0.0) break;
    // Landmarks spread wider make the warp shrink the face in the chip, and the other way round.
    DetectedFace view = face;
    for (auto& p : view.landmarks) p = centre + (p - centre) * static_cast<float>(scale);
    cv::Mat chip = align_face(image, view);
    if (chip.empty()) {
      if (scale == 1.0) throw FaceError(FaceErrorKind::CardPhotoNoFace, "the face on the card photo cannot be aligned");
      continue;
    }
    views.push_back(embed_chip(chip, config_.recognizer.flip_average));
    wipe(chip);
  }
  return Embedding::mean_of(views);
}

Embedding FaceVerifier::enroll_image(const cv::Mat& image) {
  if (image.empty() || image.depth() != CV_8U) {
    throw FaceError(FaceErrorKind::CardPhotoUnreadable, "the photo is empty or not 8-bit");
  }
  // A card photo is cut close around the head, and YuNet misses faces that touch the border:
  // try as it is, then with a grey margin, then (a small photo) twice the size.
  cv::Mat work = image;
  std::vector<DetectedFace> faces = detector_->detect(work);
  if (faces.empty()) {
    work = pad_image(image, 0.3);
    faces = detector_->detect(work);
  }
  if (faces.empty() && image.cols < 400) {
    cv::Mat padded = work;
    cv::resize(padded, work, cv::Size(), 2.0, 2.0, cv::INTER_CUBIC);
    wipe(padded);
    faces = detector_->detect(work);
  }
  if (faces.empty()) {
    if (work.data != image.data) wipe(work);
    throw FaceError(FaceErrorKind::CardPhotoNoFace, "no face found on the card photo");
  }
  Embedding e = embed_views(work, faces.front());
  if (work.data != image.data) wipe(work);
  if (e.empty()) throw FaceError(FaceErrorKind::CardPhotoNoFace, "the face on the card photo gives no embedding");
  return e;
}

Embedding FaceVerifier::enroll_card_photo(ByteView jp2) {
  cv::Mat photo = decode_card_photo(jp2);
  try {
    Embedding e = enroll_image(photo);
    wipe(photo);
    return e;
  } catch (...) {
    wipe(photo);
    throw;
  }
}

void FaceVerifier::scrub() {
  detector_->scrub();
  embedder_->scrub();
}

}  // namespace kiosk::core::face
