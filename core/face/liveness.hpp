// Liveness (presentation-attack detection) across the frames of one attempt.
//
// What it measures, per usable frame of the main face:
//  - 3-D parallax (planarity test): textured points of the face (corners of eyes, brows,
//    nostrils, mouth, hairline) in the attempt's first usable frame are found again in each
//    later frame (template matching after a coarse alignment on the landmarks; then the best
//    plane is undone and the points are matched again, so that a tilted photo's perspective
//    does not distort the templates). Everything
//    flat (a photo, a screen, however it is tilted or moved) moves as one
//    plane: one homography explains all points up to matching noise. A real head that turns
//    or nods does not: nose, cheeks and hairline move against each other. The residual (80th
//    percentile of the homography's reprojection errors, in eye distances) must stay at or
//    above min_parallax for three consecutive frames (median of three). YuNet's own landmarks are not used for this: they
//    are regressed with a learned face prior and shift on a tilted flat photo as if it were a
//    turning head.
//  - straight edges framing the face: a straight-edged frame close around the face on at least
//    three sides (a tablet/phone bezel, the edge of a printed sheet).
//  - periodic pattern: an isolated spectral peak in the face (screen pixel grid or print
//    halftone aliasing into moiré), peak over its local spectral background.
//
// What it cannot do is in docs/face-authentication.md ("Liveness: what it detects and what it
// does not"): in short, it needs the head to move, it does not see 3-D masks, a curved or
// folded photo moved on purpose may show parallax, and a replay on a screen with no bezel in
// view and no visible moiré is only caught by chance.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/face/detector.hpp"
#include "core/face/face_config.hpp"

namespace kiosk::core::face {

enum class LivenessVerdict {
  Pending,  // not enough evidence yet (too few frames, or no 3-D movement seen yet)
  Live,     // 3-D movement seen, no screen or print artefact
  Spoof,    // a screen or print artefact was seen consistently
};

const char* to_string(LivenessVerdict v);

struct LivenessReport {
  LivenessVerdict verdict = LivenessVerdict::Pending;
  int frames = 0;               // usable frames observed
  double parallax = 0.0;        // sustained non-planar motion (best median of 3 frames), in eye distances
  double periodic_score = 0.0;  // median over the frames
  int edge_frames = 0;          // frames with straight edges framing the face
  std::string reason;           // for the journal and the technician (never shown as an accusation)
};

// The periodic-pattern score of the face in one frame (about 3-5 for a live face, higher for a
// screen's pixel grid). 0 when the face is too small to measure.
double periodic_pattern_score(const cv::Mat& frame, const DetectedFace& face, bool ignore_jpeg_grid);

// How far the motion of the face between `reference` (grey region at `origin` of an earlier
// frame, with textured `points` and `landmarks`) and `frame` is from a single plane: the 80th
// percentile of the reprojection errors of the best homography, in pixels. Nothing when too
// few points are found again.
std::optional<double> planarity_residual(const cv::Mat& reference, cv::Point origin, const std::vector<cv::Point2f>& points,
                                         const std::array<cv::Point2f, 5>& landmarks, const cv::Mat& frame,
                                         const DetectedFace& face);

// Whether straight edges frame the face on at least three sides.
bool framed_by_straight_edges(const cv::Mat& frame, const DetectedFace& face);

class LivenessAnalyzer {
 public:
  explicit LivenessAnalyzer(const LivenessSettings& settings);
  ~LivenessAnalyzer();
  LivenessAnalyzer(const LivenessAnalyzer&) = delete;
  LivenessAnalyzer& operator=(const LivenessAnalyzer&) = delete;

  // One usable frame of the main face.
  void observe(const cv::Mat& frame, const DetectedFace& face);
  LivenessReport report() const;
  // The planarity residual of each frame after the reference, in eye distances (diagnostics).
  const std::vector<double>& residuals() const noexcept { return residuals_; }
  // Forgets (and wipes) everything observed: a new attempt.
  void reset();

 private:
  double parallax() const;

  LivenessSettings settings_;
  // The reference: grey face region of the first usable frame, its textured points (in the
  // frame's coordinates), its landmarks and eye distance.
  cv::Mat reference_;
  cv::Point reference_origin_;
  std::vector<cv::Point2f> points_;
  std::array<cv::Point2f, 5> reference_landmarks_{};
  double reference_iod_ = 0.0;
  std::vector<double> residuals_;  // per later frame, in eye distances
  int frames_ = 0;
  std::vector<double> periodic_;
  int edge_frames_ = 0;
};

}  // namespace kiosk::core::face
