#include "core/face/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace kiosk::core::face {

namespace {

// Fraction of `sorted_ascending` below t.
double below(const std::vector<double>& sorted_ascending, double t) {
  const auto it = std::lower_bound(sorted_ascending.begin(), sorted_ascending.end(), t);
  return static_cast<double>(it - sorted_ascending.begin()) / static_cast<double>(sorted_ascending.size());
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
    const auto k = static_cast<std::size_t>(std::floor(target * n + 1e-9));
    p.threshold = k < impostor.size() ? std::nextafter(impostor[k], std::numeric_limits<double>::infinity())
                                      : impostor.back();
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

}  // namespace kiosk::core::face
