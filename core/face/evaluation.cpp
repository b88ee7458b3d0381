#include "core/face/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

namespace kiosk::core::face {

namespace {

// Fraction of `sorted_ascending` below t.
double below(const std::vector<double>& sorted_ascending, double t) {
  const auto it = std::lower_bound(sorted_ascending.begin(), sorted_ascending.end(), t);
  return static_cast<double>(it - sorted_ascending.begin()) / static_cast<double>(sorted_ascending.size());
}

// The lowest threshold that at most floor(target * n) of `impostor` reach.
double threshold_at(std::vector<double> impostor, double target_far) {
  std::sort(impostor.begin(), impostor.end(), std::greater<>());
  const auto k = static_cast<std::size_t>(std::floor(target_far * static_cast<double>(impostor.size()) + 1e-9));
  return k < impostor.size() ? std::nextafter(impostor[k], std::numeric_limits<double>::infinity()) : impostor.back();
}

}  // namespace

AccuracySummary summarize_scores(std::vector<double> genuine, std::vector<double> impostor,
                                 const std::vector<double>& target_fars) {
  AccuracySummary s;
  s.genuine = genuine.size();
  s.impostor = impostor.size();
  if (genuine.empty() || impostor.empty()) return s;
  std::sort(genuine.begin(), genuine.end());
  std::sort(impostor.begin(), impostor.end(), std::greater<>());
  const double n = static_cast<double>(impostor.size());
  for (double target : target_fars) {
    OperatingPoint p;
    p.target_far = target;
    // At most k impostors may reach the threshold: it sits just above the (k+1)-th highest.
    p.threshold = threshold_at(impostor, target);
    p.false_accepts = static_cast<std::size_t>(
        std::count_if(impostor.begin(), impostor.end(), [&](double v) { return v >= p.threshold; }));
    p.far = static_cast<double>(p.false_accepts) / n;
    p.frr = below(genuine, p.threshold);
    p.false_rejects = static_cast<std::size_t>(std::llround(p.frr * static_cast<double>(genuine.size())));
    s.points.push_back(p);
  }
  // EER: the threshold among all scores where FAR and FRR cross.
  std::vector<double> ascending_impostor(impostor.rbegin(), impostor.rend());
  double best_gap = std::numeric_limits<double>::infinity();
  std::vector<double> candidates = genuine;
  candidates.insert(candidates.end(), impostor.begin(), impostor.end());
  std::sort(candidates.begin(), candidates.end());
  for (double t : candidates) {
    const double frr = below(genuine, t);
    const double far = 1.0 - below(ascending_impostor, t);
    if (std::abs(far - frr) < best_gap) {
      best_gap = std::abs(far - frr);
      s.eer = (far + frr) / 2.0;
      s.eer_threshold = t;
    }
  }
  return s;
}

CrossValidation cross_validate(const std::vector<PairScore>& pairs, std::size_t identities, std::size_t folds,
                               double target_far, std::uint32_t seed) {
  return cross_validate([&pairs](std::size_t, const std::vector<std::size_t>&) { return pairs; }, identities, folds,
                        target_far, seed);
}

CrossValidation cross_validate(const FoldScorer& score_fold, std::size_t identities, std::size_t folds, double target_far,
                               std::uint32_t seed) {
  if (folds < 2 || identities < folds) throw std::invalid_argument("cross-validation needs at least 2 folds and an identity per fold");
  std::vector<std::size_t> order(identities);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937 shuffle(seed);
  std::shuffle(order.begin(), order.end(), shuffle);
  std::vector<std::size_t> fold_of(identities);
  for (std::size_t position = 0; position < identities; ++position) fold_of[order[position]] = position % folds;

  CrossValidation cv;
  cv.target_far = target_far;
  cv.fold_of_identity = fold_of;
  for (std::size_t f = 0; f < folds; ++f) {
    HeldOutFold fold;
    fold.identities = static_cast<std::size_t>(std::count(fold_of.begin(), fold_of.end(), f));
    const std::vector<PairScore> pairs = score_fold(f, fold_of);
    std::vector<double> training_impostor;
    for (const PairScore& p : pairs) {
      if (p.identity_a >= identities || p.identity_b >= identities) throw std::invalid_argument("a pair names an unknown identity");
      if (!p.genuine() && fold_of[p.identity_a] != f && fold_of[p.identity_b] != f) training_impostor.push_back(p.score);
    }
    if (training_impostor.empty()) throw std::invalid_argument("a fold has no training impostor pairs");
    fold.threshold = threshold_at(std::move(training_impostor), target_far);
    for (const PairScore& p : pairs) {
      if (fold_of[p.identity_a] != f || fold_of[p.identity_b] != f) continue;
      const bool accepted = p.score >= fold.threshold;
      if (p.genuine()) {
        ++fold.genuine;
        fold.false_rejects += accepted ? 0 : 1;
      } else {
        ++fold.impostor;
        fold.false_accepts += accepted ? 1 : 0;
      }
    }
    cv.genuine += fold.genuine;
    cv.impostor += fold.impostor;
    cv.false_accepts += fold.false_accepts;
    cv.false_rejects += fold.false_rejects;
    cv.folds.push_back(fold);
  }
  return cv;
}

SetCohortScorer::SetCohortScorer(std::vector<std::vector<double>> cosine, std::vector<std::size_t> identity,
                                 std::size_t identities)
    : cosine_(std::move(cosine)), identity_(std::move(identity)), identities_(identities) {
  const std::size_t n = identity_.size();
  if (cosine_.size() != n) throw std::invalid_argument("the cosine matrix and the identities disagree in size");
  for (const auto& row : cosine_) {
    if (row.size() != n) throw std::invalid_argument("the cosine matrix is not square");
  }
  for (std::size_t id : identity_) {
    if (id >= identities_) throw std::invalid_argument("an image names an unknown identity");
  }
  card_.assign(n, std::vector<ScoreSums>(identities_));
  live_.assign(n, std::vector<ScoreSums>(identities_));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < n; ++c) {
      card_[i][identity_[c]].add(cosine_[i][c]);  // card photo i against camera face c
      live_[i][identity_[c]].add(cosine_[c][i]);  // camera face i against card photo c
    }
  }
}

std::vector<PairScore> SetCohortScorer::pairs(const std::vector<bool>& in_cohort) const {
  if (in_cohort.size() != identities_) throw std::invalid_argument("in_cohort must name every identity");
  const std::size_t n = identity_.size();
  std::vector<double> strangers;
  for (std::size_t c = 0; c < n; ++c) {
    for (std::size_t d = 0; d < n; ++d) {
      if (in_cohort[identity_[c]] && in_cohort[identity_[d]] && identity_[c] != identity_[d]) strangers.push_back(cosine_[c][d]);
    }
  }
  const ScoreSpread cohort = spread_of(strangers);
  std::vector<PairScore> out;
  out.reserve(n * n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      const std::size_t a = identity_[i];
      const std::size_t b = identity_[j];
      const auto spread = [&](const std::vector<ScoreSums>& sums) {
        ScoreSums total;
        for (std::size_t k = 0; k < identities_; ++k) {
          if (in_cohort[k] && k != a && k != b) total.merge(sums[k]);
        }
        return total.spread();
      };
      out.push_back({normalised_score(cosine_[i][j], spread(card_[i]), spread(live_[j]), cohort), a, b});
    }
  }
  return out;
}

}  // namespace kiosk::core::face
