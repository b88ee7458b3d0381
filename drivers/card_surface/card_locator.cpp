#include "drivers/card_surface/card_locator.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace kiosk::drivers::card_surface {

namespace {

struct Line {  // a point and a unit direction
  cv::Point2d p;
  cv::Point2d d;
};

std::optional<cv::Point2d> intersect(const Line& a, const Line& b) {
  const double den = a.d.x * b.d.y - a.d.y * b.d.x;
  if (std::abs(den) < 1e-9) return std::nullopt;
  const cv::Point2d w = b.p - a.p;
  const double t = (w.x * b.d.y - w.y * b.d.x) / den;
  return a.p + a.d * t;
}

double signed_area(const std::array<cv::Point2d, 4>& q) {
  double s = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& a = q[i];
    const auto& b = q[(i + 1) % 4];
    s += a.x * b.y - b.x * a.y;
  }
  return s / 2;
}

struct Candidate {
  std::array<cv::Point2d, 4> corners;  // locate-scale pixels, clockwise on screen
  double area = 0;                     // locate-scale pixels²
  double fit = 0;
  double score = 0;
  bool touches_border = false;
};

// Each side fitted exactly to the outline points along it (away from the rounded corners).
std::optional<Candidate> refit_sides(const Candidate& quad, const std::vector<cv::Point2d>& points, cv::Size size) {
  std::array<Line, 4> sides;
  for (std::size_t i = 0; i < 4; ++i) {
    const cv::Point2d u = quad.corners[i];
    const cv::Point2d v = quad.corners[(i + 1) % 4] - u;
    const double len = cv::norm(v);
    std::vector<cv::Point2f> near;
    for (const auto& p : points) {
      const double t = (p - u).dot(v) / (len * len);
      const double off = std::abs((p.x - u.x) * v.y - (p.y - u.y) * v.x) / len;
      if (t > 0.08 && t < 0.92 && off <= 2.5) near.emplace_back(static_cast<float>(p.x), static_cast<float>(p.y));
    }
    if (near.size() < 8) {
      sides[i] = Line{u, v / len};
      continue;
    }
    cv::Vec4f l;
    cv::fitLine(near, l, cv::DIST_HUBER, 0, 0.01, 0.01);
    sides[i] = Line{cv::Point2d(l[2], l[3]), cv::Point2d(l[0], l[1])};
  }
  Candidate c = quad;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto p = intersect(sides[(i + 3) % 4], sides[i]);
    if (!p) return std::nullopt;
    c.corners[i] = *p;
  }
  if (signed_area(c.corners) <= 0) return std::nullopt;
  c.area = signed_area(c.corners);
  for (const auto& p : c.corners) {
    if (p.x < 2 || p.y < 2 || p.x > size.width - 3 || p.y > size.height - 3) c.touches_border = true;
  }
  return c;
}

// Four straight sides fitted to an outline that may carry other things: the outline's longest
// straight stretches (Hough lines of the outline drawn alone), every two near-parallel pairs
// of them crossing as a card would in perspective, scored by how much of the quadrilateral's
// perimeter the outline follows. A finger's notch, a paper under the card or a rounded corner
// leave most of each side straight, so the card's sides win. The winner's sides are then fitted
// exactly (least squares, robust) to the outline points along them.
std::vector<Candidate> quad_from_contour(const std::vector<cv::Point>& contour, cv::Size size, double card_aspect,
                                         double min_area) {
  const cv::Rect bounds = cv::boundingRect(contour);
  if (static_cast<double>(bounds.area()) < min_area) return {};
  // The outline alone, in its bounding box (plus a margin for lines through it).
  const int margin = 4;
  cv::Mat outline(bounds.height + 2 * margin, bounds.width + 2 * margin, CV_8UC1, cv::Scalar(0));
  const cv::Point shift(margin - bounds.x, margin - bounds.y);
  cv::drawContours(outline, std::vector<std::vector<cv::Point>>{contour}, 0, cv::Scalar(255), 1, cv::LINE_8, cv::noArray(),
                   INT_MAX, shift);
  const double short_side = std::sqrt(min_area / card_aspect);
  std::vector<cv::Vec2f> raw;
  cv::HoughLines(outline, raw, 1.0, CV_PI / 180.0, std::max(10, static_cast<int>(short_side * 0.35)));
  // The strongest few, without near-duplicates (HoughLines returns them strongest first).
  std::vector<Line> lines;
  for (const auto& l : raw) {
    const double c = std::cos(l[1]);
    const double sn = std::sin(l[1]);
    const Line line{cv::Point2d(c * l[0] - shift.x, sn * l[0] - shift.y), cv::Point2d(-sn, c)};
    bool duplicate = false;
    for (const auto& k : lines) {
      const double cross = std::abs(line.d.x * k.d.y - line.d.y * k.d.x);  // sin of the angle
      const cv::Point2d w = line.p - k.p;
      const double distance = std::abs(w.x * k.d.y - w.y * k.d.x);
      if (cross < 0.07 && distance < 6) duplicate = true;
    }
    if (duplicate) continue;
    lines.push_back(line);
    if (lines.size() == 12) break;
  }
  if (lines.size() < 4) return {};
  const auto angle_between = [](const Line& a, const Line& b) {
    return std::acos(std::min(1.0, std::abs(a.d.x * b.d.x + a.d.y * b.d.y)));  // 0..pi/2
  };
  std::vector<cv::Point2d> points;
  points.reserve(contour.size());
  for (const auto& p : contour) points.emplace_back(p);
  // Each line's outline points (within 2 pixels), as sorted positions along the line.
  std::vector<std::vector<double>> along(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    for (const auto& p : points) {
      const cv::Point2d w = p - lines[i].p;
      if (std::abs(w.x * lines[i].d.y - w.y * lines[i].d.x) <= 2.0) along[i].push_back(w.dot(lines[i].d));
    }
    std::sort(along[i].begin(), along[i].end());
  }
  const auto support_between = [&](std::size_t i, const cv::Point2d& from, const cv::Point2d& to) {
    double t0 = (from - lines[i].p).dot(lines[i].d);
    double t1 = (to - lines[i].p).dot(lines[i].d);
    if (t0 > t1) std::swap(t0, t1);
    return static_cast<double>(std::upper_bound(along[i].begin(), along[i].end(), t1) -
                               std::lower_bound(along[i].begin(), along[i].end(), t0));
  };

  // The best-supported quadrilateral, and the best one large enough to be read where that is
  // another: a card that touches a sheet of paper shares its outline, and the paper's own four
  // sides may be followed more closely than the card's (locate_card prefers a readable size).
  const double readable_area = min_area * 4.0;  // locate_card: min_area is a quarter of imaging.min_card_area
  std::optional<Candidate> best;
  double best_support = 0;
  std::optional<Candidate> best_readable;
  double best_readable_support = 0;
  const std::size_t n = lines.size();
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) {
      if (angle_between(lines[a], lines[b]) > 0.45) continue;  // a pair of opposite sides
      for (std::size_t c = 0; c < n; ++c) {
        if (c == a || c == b) continue;
        for (std::size_t d = c + 1; d < n; ++d) {
          if (d == a || d == b || angle_between(lines[c], lines[d]) > 0.45) continue;
          if (std::min(a, b) > std::min(c, d)) continue;  // each split once
          if (angle_between(lines[a], lines[c]) < 0.9) continue;  // the other pair crosses it
          std::array<cv::Point2d, 4> q;
          const auto p0 = intersect(lines[a], lines[c]);
          const auto p1 = intersect(lines[c], lines[b]);
          const auto p2 = intersect(lines[b], lines[d]);
          const auto p3 = intersect(lines[d], lines[a]);
          if (!p0 || !p1 || !p2 || !p3) continue;
          q = {*p0, *p1, *p2, *p3};
          if (signed_area(q) < 0) std::swap(q[1], q[3]);
          const double area = signed_area(q);
          if (area < min_area) continue;
          bool convex = true;
          for (std::size_t i = 0; i < 4 && convex; ++i) {
            const cv::Point2d e1 = q[(i + 1) % 4] - q[i];
            const cv::Point2d e2 = q[(i + 2) % 4] - q[(i + 1) % 4];
            convex = e1.x * e2.y - e1.y * e2.x > 0;
          }
          if (!convex) continue;
          const double s0 = cv::norm(q[1] - q[0]) + cv::norm(q[3] - q[2]);
          const double s1 = cv::norm(q[2] - q[1]) + cv::norm(q[0] - q[3]);
          const double aspect = std::max(s0, s1) / std::max(1e-9, std::min(s0, s1));
          if (std::abs(std::log(aspect / card_aspect)) > std::log(1.3)) continue;
          // How much of the perimeter the outline follows (within 2 pixels of a side, between its ends).
          const std::array<std::size_t, 4> on{a, b, c, d};
          const std::array<cv::Point2d, 4> corner{*p0, *p1, *p2, *p3};
          // Sides: a from p3 to p0, c from p0 to p1, b from p1 to p2, d from p2 to p3.
          const double supported = support_between(on[0], corner[3], corner[0]) + support_between(on[2], corner[0], corner[1]) +
                                   support_between(on[1], corner[1], corner[2]) + support_between(on[3], corner[2], corner[3]);
          const double perimeter = s0 + s1;
          const double support = supported / perimeter;
          Candidate cand;
          cand.corners = q;
          cand.area = area;
          cand.fit = std::min(1.0, support);
          cand.score = cand.fit * (1.0 - std::abs(std::log(aspect / card_aspect)));
          // A larger card-shaped quadrilateral equally well supported is the card (not its photo).
          const auto better = [&](const std::optional<Candidate>& than, double than_support) {
            return !than || support > than_support + 0.05 || (support > than_support - 0.05 && area > than->area * 1.05);
          };
          if (better(best, best_support)) {
            best = cand;
            best_support = support;
          }
          if (area >= readable_area && better(best_readable, best_readable_support)) {
            best_readable = cand;
            best_readable_support = support;
          }
        }
      }
    }
  }
  std::vector<Candidate> found;
  for (const auto* pick : {&best, &best_readable}) {
    if (!*pick || (*pick)->fit < 0.6) continue;
    if (pick == &best_readable && best && best->area >= readable_area) continue;  // the same one
    if (auto c = refit_sides(**pick, points, size)) found.push_back(*c);
  }
  return found;
}

void candidates_from_mask(const cv::Mat& mask, double min_area, double card_aspect, std::vector<Candidate>& out) {
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  for (const auto& contour : contours) {
    if (cv::contourArea(contour) < min_area * 0.7) continue;
    for (const auto& c : quad_from_contour(contour, mask.size(), card_aspect, min_area)) out.push_back(c);
  }
}

// Regions enclosed by edges: the card's interior is one when its outline is closed.
void candidates_from_edges(const cv::Mat& grey, double min_area, double card_aspect, std::vector<Candidate>& out) {
  cv::Mat edges;
  cv::Canny(grey, edges, 20, 60);
  cv::dilate(edges, edges, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
  cv::Mat regions = edges == 0;
  cv::Mat labels;
  cv::Mat stats;
  cv::Mat centroids;
  const int n = cv::connectedComponentsWithStats(regions, labels, stats, centroids, 4, CV_32S);
  for (int i = 1; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) < min_area * 0.7) continue;
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    cv::Mat component = labels(box) == i;
    // Fill the text holes so the outline is the card's.
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(component, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE, box.tl());
    for (const auto& contour : contours) {
      if (cv::contourArea(contour) < min_area * 0.7) continue;
      for (auto c : quad_from_contour(contour, grey.size(), card_aspect, min_area)) {
        // The region stops at the dilated edge: grow it back by about 1.5 pixels.
        cv::Point2d centre(0, 0);
        for (const auto& p : c.corners) centre += p * 0.25;
        for (auto& p : c.corners) {
          const cv::Point2d v = p - centre;
          p += v * (1.5 * std::sqrt(2.0) / std::max(1.0, cv::norm(v)));
        }
        out.push_back(c);
      }
    }
  }
}

}  // namespace

const char* to_string(LocateStatus status) {
  switch (status) {
    case LocateStatus::Found: return "found";
    case LocateStatus::NoCard: return "no-card";
    case LocateStatus::CutOff: return "cut-off";
    case LocateStatus::TooSmall: return "too-small";
  }
  return "unknown";
}

Located locate_card(const cv::Mat& bgr, const CardLayout& layout, const ImagingSettings& imaging) {
  Located result;
  if (bgr.empty() || bgr.type() != CV_8UC3) return result;
  const double scale = std::min(1.0, static_cast<double>(imaging.locate_width) / bgr.cols);
  cv::Mat small;
  if (scale < 1.0) {
    cv::resize(bgr, small, cv::Size(), scale, scale, cv::INTER_AREA);
  } else {
    small = bgr;
  }
  const double frame_area = static_cast<double>(small.cols) * small.rows;
  const double min_area = frame_area * imaging.min_card_area * 0.25;  // smaller ones are reported as too small
  const double card_aspect = layout.card_width_mm / layout.card_height_mm;

  cv::Mat grey;
  cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(grey, grey, cv::Size(5, 5), 0);
  cv::Mat hsv;
  cv::cvtColor(small, hsv, cv::COLOR_BGR2HSV);
  std::vector<cv::Mat> hsv_planes;
  cv::split(hsv, hsv_planes);

  std::vector<Candidate> candidates;
  const cv::Mat open = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5));
  // Bright against the tray (Otsu).
  cv::Mat bright;
  cv::threshold(grey, bright, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  cv::morphologyEx(bright, bright, cv::MORPH_OPEN, open);
  candidates_from_mask(bright, min_area, card_aspect, candidates);
  // Pale (low saturation) and not dark: the card's pastel against coloured trays.
  cv::Mat pale = (hsv_planes[1] < 50) & (hsv_planes[2] > 120);
  cv::morphologyEx(pale, pale, cv::MORPH_OPEN, open);
  candidates_from_mask(pale, min_area, card_aspect, candidates);
  // Enclosed by edges: light or cluttered trays.
  candidates_from_edges(grey, min_area, card_aspect, candidates);

  // A region as large as the frame is the tray, not a card.
  std::erase_if(candidates, [&](const Candidate& c) { return c.area > 0.85 * frame_area; });
  if (candidates.empty()) return result;
  // The best-fitting shape; among near-equals the largest (the card, not a printed box on it).
  // A shape inside the frame wins over one that runs out of it, and one large enough to be
  // read over one that is not (a sheet of paper on the tray, a box printed on the card, when
  // the card itself touches other things and fits less well).
  const double min_card = frame_area * imaging.min_card_area;
  const auto rank = [&](const Candidate& c) { return (c.touches_border ? 0 : 2) + (c.area >= min_card ? 1 : 0); };
  const Candidate* best = nullptr;
  for (const auto& c : candidates) {
    if (best == nullptr || rank(c) > rank(*best)) {
      best = &c;
      continue;
    }
    if (rank(c) < rank(*best)) continue;
    if (c.score > best->score + 0.05 || (c.score > best->score - 0.05 && c.area > best->area * 1.05)) best = &c;
  }
  result.fit = best->fit;
  result.area_fraction = best->area / frame_area;
  if (best->touches_border) {
    result.status = LocateStatus::CutOff;
  } else if (result.area_fraction < imaging.min_card_area) {
    result.status = LocateStatus::TooSmall;
  } else {
    result.status = LocateStatus::Found;
  }
  // Landscape: the long side first.
  std::array<cv::Point2d, 4> q = best->corners;
  const double s0 = cv::norm(q[1] - q[0]) + cv::norm(q[3] - q[2]);
  const double s1 = cv::norm(q[2] - q[1]) + cv::norm(q[0] - q[3]);
  if (s1 > s0) std::rotate(q.begin(), q.begin() + 1, q.end());
  for (std::size_t i = 0; i < 4; ++i) {
    result.corners[i] = cv::Point2f(static_cast<float>(q[i].x / scale), static_cast<float>(q[i].y / scale));
  }
  return result;
}

Corners flip_corners(const Corners& c) { return {c[2], c[3], c[0], c[1]}; }

cv::Mat rectify(const cv::Mat& bgr, const Corners& corners, const CardLayout& layout, double ppm) {
  const cv::Size size(static_cast<int>(std::lround(layout.card_width_mm * ppm)),
                      static_cast<int>(std::lround(layout.card_height_mm * ppm)));
  const cv::Point2f dst[4] = {{0, 0},
                              {static_cast<float>(size.width), 0},
                              {static_cast<float>(size.width), static_cast<float>(size.height)},
                              {0, static_cast<float>(size.height)}};
  const cv::Mat h = cv::getPerspectiveTransform(corners.data(), dst);
  cv::Mat out;
  cv::warpPerspective(bgr, out, h, size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return out;
}

}  // namespace kiosk::drivers::card_surface
