#include "drivers/card_surface/field_finder.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace kiosk::drivers::card_surface {

namespace {

int px(double mm, double ppm) { return static_cast<int>(std::lround(mm * ppm)); }

cv::Mat blackhat(const cv::Mat& grey, double em_px) {
  const int k = std::max(3, static_cast<int>(std::lround(em_px)) | 1);
  cv::Mat out;
  cv::morphologyEx(grey, out, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(k, k)));
  return out;
}

}  // namespace

cv::Rect search_window(const FieldPlacement& f, const CardLayout& l, double ppm) {
  const cv::Rect r(px(f.x_mm - l.margin_x_mm, ppm), px(f.y_mm - l.margin_y_mm, ppm),
                   px(f.width_mm + 2 * l.margin_x_mm, ppm), px(f.height_mm + 2 * l.margin_y_mm, ppm));
  return r & cv::Rect(0, 0, px(l.card_width_mm, ppm), px(l.card_height_mm, ppm));
}

std::vector<cv::Rect> find_text_lines(const cv::Mat& grey, cv::Rect window, double em_px, cv::Point expected,
                                      double min_width_em) {
  window &= cv::Rect(0, 0, grey.cols, grey.rows);
  std::vector<cv::Rect> lines;
  if (window.width < 4 || window.height < 4) return lines;
  // Context around the window so the black-hat sees the ground at its edges.
  const int pad = static_cast<int>(em_px);
  const cv::Rect outer = cv::Rect(window.x - pad, window.y - pad, window.width + 2 * pad, window.height + 2 * pad) &
                         cv::Rect(0, 0, grey.cols, grey.rows);
  const cv::Mat hat = blackhat(grey(outer), em_px)(cv::Rect(window.tl() - outer.tl(), window.size()));
  cv::Mat ink;
  const double t = cv::threshold(hat, ink, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  if (t < 12) return lines;  // no print: Otsu split the noise
  // Glyphs into lines: bridge the gaps between characters, and a space before a one-digit month
  // or day in a monospaced face (up to about an em of blank). A neighbouring field on the same
  // line may join (the sex after the birth date): the parser stops where the date ends.
  const int bridge = std::max(3, static_cast<int>(std::lround(em_px * 1.4)));
  cv::morphologyEx(ink, ink, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(bridge, 1)));
  cv::morphologyEx(ink, ink, cv::MORPH_CLOSE,
                   cv::getStructuringElement(cv::MORPH_RECT, cv::Size(1, std::max(3, static_cast<int>(em_px * 0.3)))));
  cv::Mat labels;
  cv::Mat stats;
  cv::Mat centroids;
  const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
  for (int i = 1; i < n; ++i) {
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    if (box.height < em_px * 0.45 || box.height > em_px * 1.6) continue;
    if (box.width < em_px * min_width_em) continue;
    if (box.y <= 0 || box.y + box.height >= window.height) continue;  // cut by the window
    lines.push_back(box + window.tl());
  }
  std::sort(lines.begin(), lines.end(), [&](const cv::Rect& a, const cv::Rect& b) {
    const auto d = [&](const cv::Rect& r) {
      const double dx = r.x - expected.x;
      const double dy = r.y - expected.y;
      return dx * dx * 0.25 + dy * dy;
    };
    return d(a) < d(b);
  });
  return lines;
}

cv::Mat ocr_image(const cv::Mat& grey, cv::Rect box, double em_px, int target_height) {
  const int grow = std::max(2, static_cast<int>(em_px * 0.25));
  const cv::Rect outer = cv::Rect(box.x - grow - static_cast<int>(em_px), box.y - grow - static_cast<int>(em_px),
                                  box.width + 2 * grow + 2 * static_cast<int>(em_px),
                                  box.height + 2 * grow + 2 * static_cast<int>(em_px)) &
                         cv::Rect(0, 0, grey.cols, grey.rows);
  const cv::Rect crop = cv::Rect(box.x - grow, box.y - grow, box.width + 2 * grow, box.height + 2 * grow) & outer;
  cv::Mat hat = blackhat(grey(outer), em_px)(crop - outer.tl());
  double lo = 0;
  double hi = 0;
  cv::minMaxLoc(hat, &lo, &hi);
  cv::Mat stretched;
  hat.convertTo(stretched, CV_8U, -255.0 / std::max(1.0, hi), 255.0);  // ink dark, ground white
  const double scale = static_cast<double>(target_height) / std::max(1, box.height);
  cv::Mat scaled;
  cv::resize(stretched, scaled, cv::Size(), scale, scale, scale < 1.0 ? cv::INTER_AREA : cv::INTER_CUBIC);
  const int border = std::max(4, target_height / 3);
  cv::Mat out;
  cv::copyMakeBorder(scaled, out, border, border, border, border, cv::BORDER_CONSTANT, cv::Scalar(255));
  return out;
}

}  // namespace kiosk::drivers::card_surface
