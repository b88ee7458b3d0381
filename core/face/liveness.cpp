#include "core/face/liveness.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include "core/face/wipe.hpp"

namespace kiosk::core::face {

const char* to_string(LivenessVerdict v) {
  switch (v) {
    case LivenessVerdict::Pending: return "pending";
    case LivenessVerdict::Live: return "live";
    case LivenessVerdict::Spoof: return "spoof";
  }
  return "unknown";
}

namespace {

void to_grey(const cv::Mat& src, cv::Mat& dst) {
  if (src.channels() == 3) {
    cv::cvtColor(src, dst, cv::COLOR_BGR2GRAY);
  } else {
    src.copyTo(dst);
  }
}

// Swaps quadrants so that the zero frequency is at (n/2, n/2).
void fft_shift(cv::Mat& m) {
  const int cx = m.cols / 2;
  const int cy = m.rows / 2;
  cv::Mat q0(m, cv::Rect(0, 0, cx, cy));
  cv::Mat q1(m, cv::Rect(cx, 0, cx, cy));
  cv::Mat q2(m, cv::Rect(0, cy, cx, cy));
  cv::Mat q3(m, cv::Rect(cx, cy, cx, cy));
  cv::Mat tmp;
  q0.copyTo(tmp);
  q3.copyTo(q0);
  tmp.copyTo(q3);
  q1.copyTo(tmp);
  q2.copyTo(q1);
  tmp.copyTo(q2);
}

// Whether frequency index k (bins, of n) is within a bin of a multiple of n/8: the harmonics of
// JPEG's 8x8 blocks.
bool near_jpeg_harmonic(int k, int n) {
  const double step = n / 8.0;
  const double nearest = std::round(k / step) * step;
  return std::abs(k - nearest) <= 1.0;
}

std::string format(const char* fmt, double a, double b = 0.0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

}  // namespace

double periodic_pattern_score(const cv::Mat& frame, const DetectedFace& face, bool ignore_jpeg_grid) {
  const float side = std::min(face.box.width, face.box.height) * 0.7f;
  int n = std::min(128, static_cast<int>(side));
  n -= n % 2;
  if (n < 32) return 0.0;
  const cv::Point2f c = face.landmarks[2];
  const cv::Rect roi(cvRound(c.x) - n / 2, cvRound(c.y) - n / 2, n, n);
  if ((roi & cv::Rect(0, 0, frame.cols, frame.rows)) != roi) return 0.0;

  cv::Mat grey;
  to_grey(frame(roi), grey);
  cv::Mat patch;
  grey.convertTo(patch, CV_32F);
  wipe(grey);
  patch -= cv::mean(patch);
  cv::Mat window;
  cv::createHanningWindow(window, cv::Size(n, n), CV_32F);
  patch = patch.mul(window);
  cv::Mat spectrum;
  cv::dft(patch, spectrum, cv::DFT_COMPLEX_OUTPUT);
  wipe(patch);
  cv::Mat planes[2];
  cv::split(spectrum, planes);
  wipe(spectrum);
  cv::Mat log_mag;
  cv::magnitude(planes[0], planes[1], log_mag);
  wipe(planes[0]);
  wipe(planes[1]);
  log_mag += 1e-3;
  cv::log(log_mag, log_mag);
  fft_shift(log_mag);

  // Off-axis background: mean log magnitude of the 9x9 neighbourhood without the 3x3 centre.
  cv::Mat wrapped;
  cv::copyMakeBorder(log_mag, wrapped, 4, 4, 4, 4, cv::BORDER_WRAP);
  cv::Mat sum9;
  cv::Mat sum3;
  cv::boxFilter(wrapped, sum9, CV_32F, cv::Size(9, 9), cv::Point(-1, -1), false);
  cv::boxFilter(wrapped, sum3, CV_32F, cv::Size(3, 3), cv::Point(-1, -1), false);
  cv::Mat background = (sum9 - sum3)(cv::Rect(4, 4, n, n)) / 72.0;
  wipe(wrapped);
  wipe(sum9);
  wipe(sum3);

  const auto at = [&](int y, int x) { return log_mag.at<float>((y + n) % n, (x + n) % n); };
  double best = 0.0;
  for (int y = 0; y < n; ++y) {
    const int v = y - n / 2;
    for (int x = 0; x < n; ++x) {
      const int u = x - n / 2;
      const double r = std::sqrt(static_cast<double>(u * u + v * v)) / n;
      if (r < 0.08 || r > 0.45) continue;
      if (ignore_jpeg_grid && near_jpeg_harmonic(u, n) && near_jpeg_harmonic(v, n)) continue;
      double bg = 0.0;
      if (std::abs(v) <= 1) {  // on the horizontal axis: compare along the axis
        for (int d = 2; d <= 6; ++d) bg += at(y, x - d) + at(y, x + d);
        bg /= 10.0;
      } else if (std::abs(u) <= 1) {  // on the vertical axis
        for (int d = 2; d <= 6; ++d) bg += at(y - d, x) + at(y + d, x);
        bg /= 10.0;
      } else {
        bg = background.at<float>(y, x);
      }
      best = std::max(best, static_cast<double>(log_mag.at<float>(y, x)) - bg);
    }
  }
  wipe(log_mag);
  wipe(background);
  return std::exp(best);
}

bool framed_by_straight_edges(const cv::Mat& frame, const DetectedFace& face) {
  const cv::Rect2f& b = face.box;
  const cv::Rect region = cv::Rect(cvRound(b.x - 1.3f * b.width), cvRound(b.y - 0.9f * b.height),
                                   cvRound(3.6f * b.width), cvRound(2.8f * b.height)) &
                          cv::Rect(0, 0, frame.cols, frame.rows);
  if (region.area() <= 0) return false;
  cv::Mat grey;
  to_grey(frame(region), grey);
  cv::GaussianBlur(grey, grey, cv::Size(5, 5), 0);
  cv::Mat edges;
  cv::Canny(grey, edges, 50, 150);
  wipe(grey);
  std::vector<cv::Vec4i> lines;
  const double min_length = 0.6 * std::min(b.width, b.height);
  cv::HoughLinesP(edges, lines, 1, CV_PI / 180, 30, min_length, 6);
  wipe(edges);

  const float cx = b.x + b.width / 2;
  const float cy = b.y + b.height / 2;
  bool left = false;
  bool right = false;
  bool top = false;
  bool bottom = false;
  for (const auto& l : lines) {
    const float x0 = static_cast<float>(l[0] + region.x);
    const float y0 = static_cast<float>(l[1] + region.y);
    const float x1 = static_cast<float>(l[2] + region.x);
    const float y1 = static_cast<float>(l[3] + region.y);
    const float dx = std::abs(x1 - x0);
    const float dy = std::abs(y1 - y0);
    if (dx < 0.2f * dy) {  // near-vertical: must pass beside the face's centre
      const float x = (x0 + x1) / 2;
      if (std::min(y0, y1) > cy || std::max(y0, y1) < cy) continue;
      if (x < b.x - 0.05f * b.width) left = true;
      if (x > b.x + 1.05f * b.width) right = true;
    } else if (dy < 0.2f * dx) {  // near-horizontal: must pass above or below the face's centre
      const float y = (y0 + y1) / 2;
      if (std::min(x0, x1) > cx || std::max(x0, x1) < cx) continue;
      if (y < b.y - 0.05f * b.height) top = true;
      if (y > b.y + 1.05f * b.height) bottom = true;
    }
  }
  return (left ? 1 : 0) + (right ? 1 : 0) + (top ? 1 : 0) + (bottom ? 1 : 0) >= 3;
}

std::optional<double> planarity_residual(const cv::Mat& reference, cv::Point origin, const std::vector<cv::Point2f>& points,
                                         const std::array<cv::Point2f, 5>& landmarks, const cv::Mat& frame,
                                         const DetectedFace& face) {
  // Coarse alignment: the current frame mapped into the reference region by the similarity
  // between the two sets of landmarks. What is left is the motion a similarity cannot
  // explain (perspective, parallax) plus landmark noise, all absorbed or measured below.
  const std::vector<cv::Point2f> current(face.landmarks.begin(), face.landmarks.end());
  const std::vector<cv::Point2f> anchor(landmarks.begin(), landmarks.end());
  cv::Mat t = cv::estimateAffinePartial2D(current, anchor, cv::noArray(), cv::LMEDS);
  if (t.empty()) return std::nullopt;
  t.at<double>(0, 2) -= origin.x;
  t.at<double>(1, 2) -= origin.y;
  cv::Mat grey;
  to_grey(frame, grey);
  cv::Mat warped;
  cv::warpAffine(grey, warped, t, reference.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  wipe(grey);

  const double iod = std::hypot(landmarks[1].x - landmarks[0].x, landmarks[1].y - landmarks[0].y);
  const int h = std::clamp(static_cast<int>(std::lround(iod / 7.0)), 4, 10);
  const cv::Rect inside(0, 0, reference.cols, reference.rows);

  // Finds each reference point again in `image` within +-r pixels of the same position.
  cv::Mat result;
  const auto match = [&](const cv::Mat& image, int r, std::vector<cv::Point2f>& src, std::vector<cv::Point2f>& dst) {
    src.clear();
    dst.clear();
    for (const auto& p : points) {
      const cv::Point local(cvRound(p.x) - origin.x, cvRound(p.y) - origin.y);
      const cv::Rect patch(local.x - h, local.y - h, 2 * h + 1, 2 * h + 1);
      const cv::Rect search(local.x - h - r, local.y - h - r, 2 * (h + r) + 1, 2 * (h + r) + 1);
      if ((patch & inside) != patch || (search & inside) != search) continue;
      cv::matchTemplate(image(search), reference(patch), result, cv::TM_CCOEFF_NORMED);
      double best = 0.0;
      cv::Point at;
      cv::minMaxLoc(result, nullptr, &best, nullptr, &at);
      if (best < 0.7 || at.x <= 0 || at.y <= 0 || at.x >= result.cols - 1 || at.y >= result.rows - 1) continue;
      // Sub-pixel peak: a parabola through the neighbours in x and in y.
      const auto vertex = [](float a, float b, float c) {
        const float d = a - 2.0f * b + c;
        return std::abs(d) < 1e-6f ? 0.0f : 0.5f * (a - c) / d;
      };
      const float dx = vertex(result.at<float>(at.y, at.x - 1), result.at<float>(at.y, at.x), result.at<float>(at.y, at.x + 1));
      const float dy = vertex(result.at<float>(at.y - 1, at.x), result.at<float>(at.y, at.x), result.at<float>(at.y + 1, at.x));
      src.emplace_back(static_cast<float>(local.x), static_cast<float>(local.y));
      dst.emplace_back(static_cast<float>(local.x + at.x - r) + dx, static_cast<float>(local.y + at.y - r) + dy);
    }
  };

  // Pass 1: the motion left after the similarity, and the plane that explains most of it.
  std::vector<cv::Point2f> src;
  std::vector<cv::Point2f> dst;
  match(warped, std::clamp(static_cast<int>(std::lround(iod / 6.0)), 4, 14), src, dst);
  if (src.size() < 10) {
    wipe(warped);
    return std::nullopt;
  }
  const cv::Mat plane = cv::findHomography(src, dst, cv::LMEDS);
  if (plane.empty()) {
    wipe(warped);
    return std::nullopt;
  }
  // Pass 2: undo that plane and match again, so that the templates are compared without the
  // perspective distortion of a tilted photo (which would otherwise look like parallax).
  cv::Mat flattened;
  cv::warpPerspective(warped, flattened, plane, warped.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                      cv::BORDER_CONSTANT, cv::Scalar(0));
  wipe(warped);
  match(flattened, std::clamp(static_cast<int>(std::lround(iod / 12.0)), 3, 8), src, dst);
  wipe(flattened);
  wipe(result);
  if (src.size() < 10) return std::nullopt;
  const cv::Mat rest = cv::findHomography(src, dst, cv::LMEDS);
  if (rest.empty()) return std::nullopt;
  std::vector<cv::Point2f> projected;
  cv::perspectiveTransform(src, projected, rest);
  std::vector<double> errors;
  for (std::size_t i = 0; i < src.size(); ++i) {
    errors.push_back(std::hypot(projected[i].x - dst[i].x, projected[i].y - dst[i].y));
  }
  std::sort(errors.begin(), errors.end());
  return errors[errors.size() * 8 / 10];
}

LivenessAnalyzer::LivenessAnalyzer(const LivenessSettings& settings) : settings_(settings) {}

LivenessAnalyzer::~LivenessAnalyzer() { reset(); }

void LivenessAnalyzer::reset() {
  wipe(reference_);
  wipe_memory(points_.data(), points_.size() * sizeof(points_[0]));
  points_.clear();
  wipe_memory(reference_landmarks_.data(), sizeof(reference_landmarks_));
  reference_iod_ = 0.0;
  residuals_.clear();
  periodic_.clear();
  edge_frames_ = 0;
  frames_ = 0;
}

void LivenessAnalyzer::observe(const cv::Mat& frame, const DetectedFace& face) {
  ++frames_;
  if (settings_.check_periodic_pattern) {
    const double score = periodic_pattern_score(frame, face, settings_.ignore_jpeg_grid);
    if (score > 0.0) periodic_.push_back(score);
  }
  if (settings_.check_frame_edges && framed_by_straight_edges(frame, face)) ++edge_frames_;

  if (reference_.empty()) {
    // The reference: the face box and a margin, and its textured points.
    const cv::Rect2f& b = face.box;
    const cv::Rect region = cv::Rect(cvRound(b.x - 0.15f * b.width), cvRound(b.y - 0.15f * b.height),
                                     cvRound(1.3f * b.width), cvRound(1.3f * b.height)) &
                            cv::Rect(0, 0, frame.cols, frame.rows);
    const double iod = face.eye_distance();
    if (region.width < 32 || region.height < 32 || iod < 8.0) return;
    cv::Mat grey;
    to_grey(frame(region), grey);
    cv::Mat mask(grey.size(), CV_8U, cv::Scalar(0));
    cv::ellipse(mask, cv::Point(cvRound(b.x + b.width / 2) - region.x, cvRound(b.y + b.height / 2) - region.y),
                cv::Size(cvRound(b.width * 0.5f), cvRound(b.height * 0.55f)), 0, 0, 360, cv::Scalar(255), cv::FILLED);
    std::vector<cv::Point2f> corners;
    cv::goodFeaturesToTrack(grey, corners, 80, 0.01, std::max(3.0, iod / 8.0), mask);
    if (corners.size() < 12) {
      wipe(grey);
      return;
    }
    for (auto& c : corners) c += cv::Point2f(static_cast<float>(region.x), static_cast<float>(region.y));
    reference_ = grey;
    reference_origin_ = region.tl();
    points_ = std::move(corners);
    reference_landmarks_ = face.landmarks;
    reference_iod_ = iod;
    return;
  }
  const auto residual = planarity_residual(reference_, reference_origin_, points_, reference_landmarks_, frame, face);
  if (residual) residuals_.push_back(*residual / reference_iod_);
}

double LivenessAnalyzer::parallax() const {
  // Sustained non-planar motion: the highest median of three consecutive frames. A single
  // frame with a matching glitch is not evidence; a head turning keeps it up for a while.
  double best = 0.0;
  for (std::size_t i = 1; i + 1 < residuals_.size(); ++i) {
    std::array<double, 3> w{residuals_[i - 1], residuals_[i], residuals_[i + 1]};
    std::sort(w.begin(), w.end());
    best = std::max(best, w[1]);
  }
  return best;
}

LivenessReport LivenessAnalyzer::report() const {
  LivenessReport r;
  r.frames = frames_;
  r.parallax = parallax();
  r.edge_frames = edge_frames_;
  if (!periodic_.empty()) {
    std::vector<double> sorted = periodic_;
    std::sort(sorted.begin(), sorted.end());
    r.periodic_score = sorted[sorted.size() / 2];
  }
  if (!settings_.enabled) {
    r.verdict = LivenessVerdict::Live;
    r.reason = "liveness checks are switched off";
    return r;
  }
  const bool edges = settings_.check_frame_edges && r.edge_frames >= settings_.artefact_min_frames &&
                     r.edge_frames >= settings_.edge_frame_fraction * r.frames;
  const bool periodic = settings_.check_periodic_pattern &&
                        static_cast<int>(periodic_.size()) >= settings_.artefact_min_frames &&
                        r.periodic_score > settings_.max_periodic_score;
  if (edges) {
    r.verdict = LivenessVerdict::Spoof;
    r.reason = format("straight-edged frame around the face in %.0f of %.0f frames (screen bezel or photo edge)",
                      r.edge_frames, r.frames);
  } else if (periodic) {
    r.verdict = LivenessVerdict::Spoof;
    r.reason = format("periodic pattern in the face (score %.1f > %.1f): screen pixels or print moire", r.periodic_score,
                      settings_.max_periodic_score);
  } else if (r.frames < settings_.min_frames) {
    r.reason = "too few usable frames yet";
  } else if (r.parallax < settings_.min_parallax) {
    r.reason = format("no 3-D head movement seen (parallax %.3f < %.3f eye distances): a flat photo or screen, "
                      "or a very still face",
                      r.parallax, settings_.min_parallax);
  } else if (r.edge_frames * 4 > r.frames) {
    r.reason = "straight edges around the face in some frames: watching longer";
  } else {
    r.verdict = LivenessVerdict::Live;
    r.reason = format("3-D head movement seen (parallax %.3f eye distances), no screen or print artefact",
                      r.parallax);
  }
  return r;
}

}  // namespace kiosk::core::face
