// The face pipeline with its models loaded: detection (YuNet), quality, alignment, embedding.
// Load it once at start-up (4.4 MB of models, about 13 MiB of memory); sessions borrow it.
//
// Not thread-safe (cv::dnn networks are stateful): one FaceSession at a time per verifier.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "core/face/detector.hpp"
#include "core/face/embedder.hpp"
#include "core/face/face_config.hpp"
#include "core/face/quality.hpp"
#include "core/face/score_cohort.hpp"
#include "hal/bytes.hpp"

namespace kiosk::core::face {

struct FrameAnalysis {
  std::vector<DetectedFace> faces;  // every face, largest first
  QualityReport quality;            // of the main face (faces[quality.face_index])
  Embedding embedding;              // only when quality.usable
  double detect_ms = 0.0;           // detection time
  double embed_ms = 0.0;            // alignment + quality of the chip + embedding time
};

class FaceVerifier {
 public:
  // Validates the configuration and loads the models (and the score cohort when one is
  // configured). Throws FaceError (BadConfig, ModelMissing, ModelInvalid) naming the file and
  // what to do.
  explicit FaceVerifier(FaceConfig config);
  ~FaceVerifier();
  FaceVerifier(const FaceVerifier&) = delete;
  FaceVerifier& operator=(const FaceVerifier&) = delete;

  const FaceConfig& config() const noexcept { return config_; }
  // The threshold of the scores sessions compare: the normalised one when a cohort is loaded.
  double threshold() const noexcept {
    return cohort_ ? config_.recognizer.cohort_threshold : config_.recognizer.threshold;
  }
  // The score cohort (recognizer.cohort), or none: scores are then plain cosines.
  const ScoreCohort* cohort() const noexcept { return cohort_ ? &*cohort_ : nullptr; }

  // One camera frame (8-bit BGR): faces, quality and guidance, and the embedding of the main
  // face when it is usable. Nothing of the frame is kept.
  FrameAnalysis analyse(const cv::Mat& frame);

  // The card photo (JPEG 2000 bytes from the card): decoded, the face found (padding the photo
  // when the face is cut close), aligned and embedded. Throws FaceError(CardPhotoUnreadable /
  // CardPhotoNoFace).
  Embedding enroll_card_photo(ByteView jp2);
  // The same for an already decoded image (face-eval, tools). Throws FaceError(CardPhotoNoFace).
  Embedding enroll_image(const cv::Mat& image);

  // The embedding of an aligned 112x112 face, in the configured colour mode; `mirror`: averaged
  // with its mirror image.
  Embedding embed_chip(const cv::Mat& chip, bool mirror);
  // The card photo's face in three views (recognizer.card_scale_jitter), embeddings averaged.
  Embedding embed_views(const cv::Mat& image, const DetectedFace& face);
  // The embedding of one detected face of `image`, whatever its quality (evaluation tools).
  Embedding embed_face(const cv::Mat& image, const DetectedFace& face);

  FaceDetector& detector() noexcept { return *detector_; }

  // Overwrites the networks' working buffers with a blank face (end of a session).
  void scrub();

 private:
  FaceConfig config_;
  std::unique_ptr<FaceDetector> detector_;
  std::unique_ptr<Embedder> embedder_;
  std::optional<ScoreCohort> cohort_;
};

}  // namespace kiosk::core::face
