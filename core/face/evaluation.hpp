// Verification accuracy from genuine and impostor scores: FRR at chosen FARs, the EER and the
// thresholds (used by face-eval).
#pragma once

#include <cstddef>
#include <vector>

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

}  // namespace kiosk::core::face
