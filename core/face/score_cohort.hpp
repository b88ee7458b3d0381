// Score normalisation against a cohort: how much a card photo and a camera face resemble faces
// in general is taken out of their score.
//
// Some faces score high against everyone (a common face shape, a photo with flat light), others
// low against everyone, even against themselves (an old card photo, an eye patch). A fixed
// cosine threshold treats both alike. Symmetric normalisation (S-norm) compares the pair's
// cosine with the card photo's scores against a cohort of camera faces and with the camera
// face's scores against a cohort of card photos:
//
//   z_card = (cosine - mean_card) / deviation_card     (card photo vs the cohort's camera faces)
//   z_live = (cosine - mean_live) / deviation_live     (camera face vs the cohort's card photos)
//   score  = cohort_mean + cohort_deviation * (z_card + z_live) / 2
//
// The last line maps the result back to the scale of a cosine between two strangers of the
// cohort, so thresholds and margins keep their meaning and magnitude. On ../shared/faces
// (face-eval accuracy --cohort, cross-validated by identity, the cohort made of the training
// folds) it lowers the held-out FRR at FAR 0.1% from 1.47-1.79% to 1.05-1.26%, held-out FAR
// 0.05-0.10% (docs/face-authentication.md).
//
// The cohort is people who are neither patient: embeddings of a labelled face set made with the
// kiosk's own pipeline (face-eval cohort), in a file next to the models, never in the repository.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

#include "core/face/embedder.hpp"

namespace kiosk::core::face {

struct ScoreSpread {
  double mean = 0.0;
  double deviation = 1.0;
};

// Running sums of scores, to be merged and turned into a spread: the deviation at least 1e-3 (a
// spread of nothing would blow a normalised score up); no scores: {0, 1}.
struct ScoreSums {
  double count = 0.0;
  double sum = 0.0;
  double squares = 0.0;
  void add(double score) noexcept {
    count += 1.0;
    sum += score;
    squares += score * score;
  }
  void merge(const ScoreSums& other) noexcept {
    count += other.count;
    sum += other.sum;
    squares += other.squares;
  }
  ScoreSpread spread() const noexcept;
};

// Mean and standard deviation of `scores`, as ScoreSums gives them.
ScoreSpread spread_of(std::span<const double> scores);

// The S-norm score of `cosine` given the spreads of its two sides and of the cohort itself.
double normalised_score(double cosine, ScoreSpread card, ScoreSpread live, ScoreSpread cohort);

class ScoreCohort {
 public:
  // Row i of both matrices is one cohort face (CV_32F, one L2-normalised embedding per row): as
  // a card photo (card_side) and as a camera frame (camera_side); `identity[i]` labels it so the
  // cohort's own spread counts only pairs of different people. Throws FaceError(BadConfig) when
  // the shapes disagree, there are fewer than kMinFaces faces or fewer than 2 identities.
  ScoreCohort(cv::Mat card_side, cv::Mat camera_side, std::vector<int> identity);

  // The same from embeddings: card_side[i] and camera_side[i] are face i of person identity[i].
  // An empty embedding or one of another size: FaceError(BadConfig).
  static ScoreCohort of_faces(const std::vector<Embedding>& card_side, const std::vector<Embedding>& camera_side,
                              std::vector<int> identity);

  static constexpr int kMinFaces = 20;

  // Reads a file written by save() (OpenCV FileStorage: YAML, optionally .gz). Throws
  // FaceError(ModelMissing / ModelInvalid) naming the file.
  static ScoreCohort load(const std::filesystem::path& file);
  void save(const std::filesystem::path& file) const;

  int faces() const noexcept { return card_side_.rows; }
  int dimensions() const noexcept { return card_side_.cols; }
  int identities() const noexcept;
  // The spread of cosines between cohort faces of different people (card side vs camera side).
  ScoreSpread cohort() const noexcept { return cohort_; }

  // A card photo's embedding against the cohort's camera faces, and a camera face's embedding
  // against the cohort's card photos. An embedding of another size: FaceError(BadConfig).
  ScoreSpread of_card(const Embedding& card) const;
  ScoreSpread of_live(const Embedding& live) const;
  double normalise(double cosine, ScoreSpread card, ScoreSpread live) const {
    return normalised_score(cosine, card, live, cohort_);
  }

 private:
  ScoreSpread against(const cv::Mat& side, const Embedding& e) const;

  cv::Mat card_side_;
  cv::Mat camera_side_;
  std::vector<int> identity_;
  ScoreSpread cohort_;
};

}  // namespace kiosk::core::face
