// Verification accuracy from genuine and impostor scores: FRR at chosen FARs, the EER and the
// thresholds (used by face-eval).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/face/score_cohort.hpp"

namespace kiosk::core::face {

struct OperatingPoint {
  double target_far = 0.0;  // asked for
  double threshold = 0.0;   // lowest threshold whose FAR does not exceed target_far
  double far = 0.0;         // achieved on the impostor scores
  double frr = 0.0;         // genuine scores below the threshold
  std::size_t false_accepts = 0;
  std::size_t false_rejects = 0;
};

struct AccuracySummary {
  std::size_t genuine = 0;
  std::size_t impostor = 0;
  std::vector<OperatingPoint> points;
  double eer = 0.0;
  double eer_threshold = 0.0;
};

// Scores are similarities (higher: more alike); a pair is accepted when score >= threshold.
AccuracySummary summarize_scores(std::vector<double> genuine, std::vector<double> impostor,
                                 const std::vector<double>& target_fars);

// One compared pair: its score and the identities (0-based) of its two sides.
struct PairScore {
  double score = 0.0;
  std::size_t identity_a = 0;
  std::size_t identity_b = 0;
  bool genuine() const noexcept { return identity_a == identity_b; }
};

// The threshold chosen on one part of the identities, measured on the others.
struct HeldOutFold {
  std::size_t identities = 0;      // held out in this fold
  double threshold = 0.0;          // chosen on the other folds' pairs at the target FAR
  std::size_t genuine = 0;         // held-out pairs (both sides held out)
  std::size_t impostor = 0;
  std::size_t false_accepts = 0;
  std::size_t false_rejects = 0;
};

struct CrossValidation {
  double target_far = 0.0;
  std::vector<std::size_t> fold_of_identity;  // which fold held each identity out
  std::vector<HeldOutFold> folds;
  // Summed over the folds: every held-out pair counted once.
  std::size_t genuine = 0;
  std::size_t impostor = 0;
  std::size_t false_accepts = 0;
  std::size_t false_rejects = 0;
  double far() const noexcept { return impostor == 0 ? 0.0 : static_cast<double>(false_accepts) / static_cast<double>(impostor); }
  double frr() const noexcept { return genuine == 0 ? 0.0 : static_cast<double>(false_rejects) / static_cast<double>(genuine); }
};

// K-fold cross-validation by identity: the identities are shuffled (`seed`) into `folds` parts;
// for each part the threshold is chosen at `target_far` on the pairs of the other parts only
// (as summarize_scores does) and the FAR and FRR are counted on the pairs whose two sides both
// belong to the held-out part: faces nobody chose the threshold on. Pairs that mix a held-out
// identity with a training one are used by neither side. Needs folds >= 2 and
// `identities` >= folds.
CrossValidation cross_validate(const std::vector<PairScore>& pairs, std::size_t identities, std::size_t folds,
                               double target_far, std::uint32_t seed);

// The same when the scores themselves depend on the fold, as scores normalised against a cohort
// made of the training identities do: `score_fold(f, fold_of_identity)` returns every pair as
// scored for fold f (it must not use the held-out identities' faces for anything but the pair
// itself).
using FoldScorer = std::function<std::vector<PairScore>(std::size_t fold, const std::vector<std::size_t>& fold_of_identity)>;
CrossValidation cross_validate(const FoldScorer& score_fold, std::size_t identities, std::size_t folds, double target_far,
                               std::uint32_t seed);

// Every ordered pair of different images of a labelled set, scored as a kiosk with a score
// cohort scores them (S-norm, score_cohort.hpp), the cohort drawn from the set itself: the
// faces of the identities `in_cohort` marks, never the pair's own two (a kiosk's cohort never
// holds its patients). Sums per image and identity make leaving two identities out cheap.
class SetCohortScorer {
 public:
  // cosine[i][j]: image i as the card photo against image j as the camera face; identity[i]
  // in [0, identities).
  SetCohortScorer(std::vector<std::vector<double>> cosine, std::vector<std::size_t> identity, std::size_t identities);
  std::vector<PairScore> pairs(const std::vector<bool>& in_cohort) const;

 private:
  std::vector<std::vector<double>> cosine_;
  std::vector<std::size_t> identity_;
  std::size_t identities_;
  std::vector<std::vector<ScoreSums>> card_;  // [image][identity]: image as card photo vs that identity's camera faces
  std::vector<std::vector<ScoreSums>> live_;  // [image][identity]: image as camera face vs that identity's card photos
};

}  // namespace kiosk::core::face
