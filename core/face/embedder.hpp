// Face embeddings: a 112x112 aligned face -> an L2-normalised vector; the score of two faces
// is their cosine similarity.
#pragma once

#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "core/face/face_config.hpp"

namespace kiosk::core::face {

// An L2-normalised embedding. Personal data: wiped when destroyed or moved from; copied only
// on purpose (clone()).
class Embedding {
 public:
  Embedding() = default;
  // Normalises `values` (an all-zero vector stays empty).
  explicit Embedding(std::vector<float> values);
  ~Embedding();
  Embedding(Embedding&& other) noexcept;
  Embedding& operator=(Embedding&& other) noexcept;
  Embedding(const Embedding&) = delete;
  Embedding& operator=(const Embedding&) = delete;

  Embedding clone() const;
  // The normalised mean of this and `other` (e.g. a face and its mirror image).
  Embedding averaged_with(const Embedding& other) const;
  // The normalised mean of several (views of one face); empty ones and other sizes are left out.
  static Embedding mean_of(const std::vector<Embedding>& views);
  bool empty() const noexcept { return values_.empty(); }
  std::size_t size() const noexcept { return values_.size(); }
  // Cosine similarity in [-1, 1]; 0 when either is empty or the sizes differ.
  double cosine(const Embedding& other) const noexcept;
  // The normalised values (to score against many faces at once, e.g. a ScoreCohort).
  const std::vector<float>& values() const noexcept { return values_; }

 private:
  std::vector<float> values_;
};

class Embedder {
 public:
  virtual ~Embedder() = default;
  Embedder() = default;
  Embedder(const Embedder&) = delete;
  Embedder& operator=(const Embedder&) = delete;

  // `chip`: 112x112 8-bit BGR from align_face().
  virtual Embedding embed(const cv::Mat& chip) = 0;
  // Runs the network once on a blank face so no activation of the last face remains.
  virtual void scrub() = 0;
};

// The recognizer the settings name: cv::dnn for PaddleX / foamliu / other ONNX embedders,
// cv::FaceRecognizerSF for SFace. Throws FaceError(ModelMissing / ModelInvalid).
std::unique_ptr<Embedder> make_embedder(const std::filesystem::path& model, const RecognizerSettings& settings);

}  // namespace kiosk::core::face
