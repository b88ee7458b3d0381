#include "core/face/embedder.hpp"

#include <cmath>
#include <utility>

#include <opencv2/dnn.hpp>
#include <opencv2/objdetect.hpp>

#include "core/face/alignment.hpp"
#include "core/face/face_error.hpp"
#include "core/face/wipe.hpp"

namespace kiosk::core::face {

Embedding::Embedding(std::vector<float> values) : values_(std::move(values)) {
  double norm = 0.0;
  for (float v : values_) norm += static_cast<double>(v) * v;
  norm = std::sqrt(norm);
  if (!(norm > 1e-12) || !std::isfinite(norm)) {
    wipe(values_);
    return;
  }
  for (float& v : values_) v = static_cast<float>(v / norm);
}

Embedding::~Embedding() { wipe(values_); }

Embedding::Embedding(Embedding&& other) noexcept : values_(std::move(other.values_)) { other.values_.clear(); }

Embedding& Embedding::operator=(Embedding&& other) noexcept {
  if (this != &other) {
    wipe(values_);
    values_ = std::move(other.values_);
    other.values_.clear();
  }
  return *this;
}

Embedding Embedding::clone() const {
  Embedding copy;
  copy.values_ = values_;
  return copy;
}

Embedding Embedding::averaged_with(const Embedding& other) const {
  if (values_.size() != other.values_.size()) return clone();
  std::vector<float> sum(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) sum[i] = values_[i] + other.values_[i];
  return Embedding(std::move(sum));
}

Embedding Embedding::mean_of(const std::vector<Embedding>& views) {
  std::vector<float> sum;
  for (const Embedding& v : views) {
    if (v.empty()) continue;
    if (sum.empty()) sum.assign(v.values_.size(), 0.0f);
    if (v.values_.size() != sum.size()) continue;
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += v.values_[i];
  }
  Embedding mean(std::move(sum));
  return mean;
}

double Embedding::cosine(const Embedding& other) const noexcept {
  if (values_.empty() || values_.size() != other.values_.size()) return 0.0;
  double dot = 0.0;
  for (std::size_t i = 0; i < values_.size(); ++i) dot += static_cast<double>(values_[i]) * other.values_[i];
  return dot;
}

namespace {

std::vector<float> take_values(cv::Mat& out) {
  const cv::Mat flat = out.reshape(1, 1);
  std::vector<float> values(flat.begin<float>(), flat.end<float>());
  wipe(out);
  return values;
}

// PaddleX / foamliu / any 112x112 ONNX embedder through cv::dnn.
class DnnEmbedder final : public Embedder {
 public:
  DnnEmbedder(const std::filesystem::path& model, const RecognizerSettings& s) : settings_(s) {
    try {
      net_ = cv::dnn::readNet(model.string());
    } catch (const cv::Exception& e) {
      throw FaceError(FaceErrorKind::ModelInvalid, "face recognizer model " + model.string() + " does not load: " + e.what());
    }
    if (net_.empty()) throw FaceError(FaceErrorKind::ModelInvalid, "face recognizer model does not load: " + model.string());
    // One trial run: a model with the wrong input shape fails here, not on a patient.
    const cv::Mat blank(kChipSize, kChipSize, CV_8UC3, cv::Scalar::all(0));
    try {
      if (embed_values(blank).empty()) throw FaceError(FaceErrorKind::ModelInvalid, "no output");
    } catch (const cv::Exception& e) {
      throw FaceError(FaceErrorKind::ModelInvalid,
                      "face recognizer model " + model.string() + " does not take a 112x112 face: " + e.what());
    }
  }

  Embedding embed(const cv::Mat& chip) override {
    try {
      return Embedding(embed_values(chip));
    } catch (const cv::Exception& e) {
      throw FaceError(FaceErrorKind::ModelInvalid, std::string("face recognizer failed: ") + e.what());
    }
  }

  void scrub() override {
    const cv::Mat blank(kChipSize, kChipSize, CV_8UC3, cv::Scalar::all(0));
    auto values = embed_values(blank);
    wipe(values);
  }

 private:
  std::vector<float> embed_values(const cv::Mat& chip) {
    cv::Mat blob = cv::dnn::blobFromImage(chip, settings_.scale, cv::Size(kChipSize, kChipSize),
                                          cv::Scalar::all(settings_.mean), settings_.swap_rb, false, CV_32F);
    net_.setInput(blob);
    cv::Mat out = net_.forward();
    wipe(blob);
    return take_values(out);
  }

  RecognizerSettings settings_;
  cv::dnn::Net net_;
};

// OpenCV's SFace through cv::FaceRecognizerSF (which does its own input scaling).
class SFaceEmbedder final : public Embedder {
 public:
  explicit SFaceEmbedder(const std::filesystem::path& model) {
    try {
      sface_ = cv::FaceRecognizerSF::create(model.string(), "");
    } catch (const cv::Exception& e) {
      throw FaceError(FaceErrorKind::ModelInvalid, "SFace model " + model.string() + " does not load: " + e.what());
    }
    if (sface_.empty()) throw FaceError(FaceErrorKind::ModelInvalid, "SFace model does not load: " + model.string());
  }

  Embedding embed(const cv::Mat& chip) override {
    cv::Mat out;
    try {
      sface_->feature(chip, out);
    } catch (const cv::Exception& e) {
      throw FaceError(FaceErrorKind::ModelInvalid, std::string("SFace failed: ") + e.what());
    }
    // feature() may hand out the network's own output buffer: copy, then wipe it.
    cv::Mat copy = out.clone();
    wipe(out);
    return Embedding(take_values(copy));
  }

  void scrub() override {
    const cv::Mat blank(kChipSize, kChipSize, CV_8UC3, cv::Scalar::all(0));
    cv::Mat out;
    sface_->feature(blank, out);
    wipe(out);
  }

 private:
  cv::Ptr<cv::FaceRecognizerSF> sface_;
};

}  // namespace

std::unique_ptr<Embedder> make_embedder(const std::filesystem::path& model, const RecognizerSettings& settings) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(model, ec)) {
    throw FaceError(FaceErrorKind::ModelMissing, std::string("face recognizer model (") + to_string(settings.kind) +
                                                     ") not found: " + model.string());
  }
  if (settings.kind == RecognizerKind::SFace) return std::make_unique<SFaceEmbedder>(model);
  return std::make_unique<DnnEmbedder>(model, settings);
}

}  // namespace kiosk::core::face
