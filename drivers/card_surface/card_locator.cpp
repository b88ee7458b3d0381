#include "drivers/card_surface/card_locator.hpp"

#include <algorithm>
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

// Four straight sides fitted to an outline: approxPolyDP on the convex hull gives the rough
// corners, then each side is a robust line fit through the outline points near it, away from
// the rounded corners; the corners are the sides' intersections.
std::optional<Candidate> quad_from_contour(const std::vector<cv::Point>& contour, cv::Size size, double card_aspect) {
  std::vector<cv::Point> hull;
  cv::convexHull(contour, hull);
  const double hull_area = cv::contourArea(hull);
  if (hull_area < 1.0) return std::nullopt;
  const double perimeter = cv::arcLength(hull, true);
  std::vector<cv::Point> approx;
  for (double eps = 0.01; eps <= 0.1; eps += 0.005) {
    cv::approxPolyDP(hull, approx, eps * perimeter, true);
    if (approx.size() <= 4) break;
  }
  if (approx.size() != 4) return std::nullopt;

  // Densify the hull (its vertices only) with the outline points that lie on it.
  std::array<Line, 4> sides;
  for (std::size_t i = 0; i < 4; ++i) {
    const cv::Point2d a = approx[i];
    const cv::Point2d b = approx[(i + 1) % 4];
    const double len = cv::norm(b - a);
    if (len < 8) return std::nullopt;
    const cv::Point2d d = (b - a) / len;
    const double tol = std::max(2.0, 0.02 * len);
    std::vector<cv::Point2f> near;
    for (const auto& p : contour) {
      const cv::Point2d v = cv::Point2d(p) - a;
      const double t = v.dot(d) / len;
      const double off = std::abs(v.x * d.y - v.y * d.x);
      if (t > 0.12 && t < 0.88 && off < tol) near.emplace_back(static_cast<float>(p.x), static_cast<float>(p.y));
    }
    if (near.size() < 6) {
      sides[i] = Line{a, d};
      continue;
    }
    cv::Vec4f l;
    cv::fitLine(near, l, cv::DIST_HUBER, 0, 0.01, 0.01);
    sides[i] = Line{cv::Point2d(l[2], l[3]), cv::Point2d(l[0], l[1])};
  }
  Candidate c;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto p = intersect(sides[(i + 3) % 4], sides[i]);
    if (!p) return std::nullopt;
    c.corners[i] = *p;
  }
  if (signed_area(c.corners) < 0) std::swap(c.corners[1], c.corners[3]);
  const double area = signed_area(c.corners);
  if (area <= 0) return std::nullopt;
  // Convex, no crossing.
  for (std::size_t i = 0; i < 4; ++i) {
    const cv::Point2d e1 = c.corners[(i + 1) % 4] - c.corners[i];
    const cv::Point2d e2 = c.corners[(i + 2) % 4] - c.corners[(i + 1) % 4];
    if (e1.x * e2.y - e1.y * e2.x <= 0) return std::nullopt;
  }
  const double s0 = cv::norm(c.corners[1] - c.corners[0]) + cv::norm(c.corners[3] - c.corners[2]);
  const double s1 = cv::norm(c.corners[2] - c.corners[1]) + cv::norm(c.corners[0] - c.corners[3]);
  const double aspect = std::max(s0, s1) / std::max(1e-9, std::min(s0, s1));
  const double aspect_error = std::abs(std::log(aspect / card_aspect));
  if (aspect_error > std::log(1.3)) return std::nullopt;
  // The outline should fill the quadrilateral (rounded corners lose ~1%, a finger's notch a few).
  const double contour_area = cv::contourArea(contour);
  const double fill = contour_area / area;
  const double overshoot = hull_area / area;  // > 1: something sticks out of the four sides
  if (fill < 0.8 || overshoot > 1.12) return std::nullopt;
  c.area = area;
  c.fit = std::clamp(1.0 - std::abs(1.0 - fill) - std::max(0.0, overshoot - 1.0), 0.0, 1.0);
  c.score = c.fit * (1.0 - aspect_error);
  for (const auto& p : c.corners) {
    if (p.x < 2 || p.y < 2 || p.x > size.width - 3 || p.y > size.height - 3) c.touches_border = true;
  }
  for (const auto& p : hull) {
    if (p.x <= 1 || p.y <= 1 || p.x >= size.width - 2 || p.y >= size.height - 2) c.touches_border = true;
  }
  return c;
}

void candidates_from_mask(const cv::Mat& mask, double min_area, double card_aspect, std::vector<Candidate>& out) {
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  for (const auto& contour : contours) {
    if (cv::contourArea(contour) < min_area) continue;
    if (auto c = quad_from_contour(contour, mask.size(), card_aspect)) out.push_back(*c);
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
      if (cv::contourArea(contour) < min_area) continue;
      if (auto c = quad_from_contour(contour, grey.size(), card_aspect)) {
        // The region stops at the dilated edge: grow it back by about 1.5 pixels.
        cv::Point2d centre(0, 0);
        for (const auto& p : c->corners) centre += p * 0.25;
        for (auto& p : c->corners) {
          const cv::Point2d v = p - centre;
          p += v * (1.5 * std::sqrt(2.0) / std::max(1.0, cv::norm(v)));
        }
        out.push_back(*c);
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
  // A shape inside the frame wins over one that runs out of it.
  const Candidate* best = nullptr;
  for (const auto& c : candidates) {
    if (best == nullptr || (best->touches_border && !c.touches_border)) {
      best = &c;
      continue;
    }
    if (c.touches_border && !best->touches_border) continue;
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
