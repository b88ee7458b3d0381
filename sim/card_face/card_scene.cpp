#include "sim/card_face/card_scene.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace kiosk::sim::card_face {

namespace {

constexpr double kCardW = 85.60;
constexpr double kCardH = 53.98;
constexpr double kPi = 3.14159265358979323846;

double rad(double deg) { return deg * kPi / 180.0; }

cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p) {
  const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1.0);
  return {v[0] / v[2], v[1] / v[2]};
}

std::vector<cv::Point> project(const cv::Matx33d& h, const std::vector<cv::Point2d>& mm) {
  std::vector<cv::Point> out;
  out.reserve(mm.size());
  for (const auto& p : mm) {
    const cv::Point2d q = apply(h, p);
    out.emplace_back(static_cast<int>(std::lround(q.x)), static_cast<int>(std::lround(q.y)));
  }
  return out;
}

// Textured backgrounds.
cv::Mat background(const SceneConditions& c) {
  std::mt19937 rng(c.seed * 2654435761u + 17u);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const cv::Size size = c.frame;
  cv::Mat bg(size, CV_8UC3);
  auto fill_noise = [&](cv::Scalar base, double sigma) {
    bg.setTo(base);
    cv::Mat n(size, CV_8UC3);
    cv::RNG texture(c.seed * 2654435761ull + 17u);  // seeded: not OpenCV's global generator
    texture.fill(n, cv::RNG::NORMAL, cv::Scalar::all(128), cv::Scalar::all(sigma));
    cv::GaussianBlur(n, n, cv::Size(0, 0), 1.2);
    cv::add(bg, n, bg, cv::noArray(), CV_8U);
    cv::subtract(bg, cv::Scalar::all(128), bg);
  };
  switch (c.background) {
    case Background::DarkTray:
      fill_noise(cv::Scalar::all(25 + 25 * u(rng)), 6);
      break;
    case Background::GreyTray:
      fill_noise(cv::Scalar::all(95 + 50 * u(rng)), 8);
      break;
    case Background::Paper:
      fill_noise(cv::Scalar(200 + 30 * u(rng), 205 + 30 * u(rng), 205 + 30 * u(rng)), 4);
      break;
    case Background::Wood: {
      const cv::Vec3d base(40 + 30 * u(rng), 80 + 40 * u(rng), 120 + 50 * u(rng));
      const double freq = 0.02 + 0.04 * u(rng);
      const double slant = u(rng) - 0.5;
      for (int y = 0; y < size.height; ++y) {
        auto* p = bg.ptr<cv::Vec3b>(y);
        for (int x = 0; x < size.width; ++x) {
          const double g = std::sin((y + slant * x) * freq + 3 * std::sin(x * 0.004 + y * 0.002));
          for (int k = 0; k < 3; ++k) p[x][k] = cv::saturate_cast<unsigned char>(base[k] * (0.8 + 0.2 * g));
        }
      }
      break;
    }
    case Background::Cloth: {
      const cv::Vec3d a(60 + 150 * u(rng), 60 + 150 * u(rng), 60 + 150 * u(rng));
      const cv::Vec3d b = a * (0.6 + 0.2 * u(rng));
      const int period = 6 + static_cast<int>(10 * u(rng));
      for (int y = 0; y < size.height; ++y) {
        auto* p = bg.ptr<cv::Vec3b>(y);
        for (int x = 0; x < size.width; ++x) {
          const bool on = ((x / period) + (y / period)) % 2 == 0;
          for (int k = 0; k < 3; ++k) p[x][k] = cv::saturate_cast<unsigned char>(on ? a[k] : b[k]);
        }
      }
      cv::GaussianBlur(bg, bg, cv::Size(0, 0), 1.0);
      break;
    }
    case Background::Clutter: {
      fill_noise(cv::Scalar::all(50 + 60 * u(rng)), 6);
      const int items = 6 + static_cast<int>(8 * u(rng));
      for (int i = 0; i < items; ++i) {
        const cv::Point2f centre(static_cast<float>(u(rng) * size.width), static_cast<float>(u(rng) * size.height));
        const cv::Scalar colour(255 * u(rng), 255 * u(rng), 255 * u(rng));
        const double kind = u(rng);
        if (kind < 0.4) {  // a receipt or paper with lines of print
          const cv::RotatedRect r(centre, cv::Size2f(static_cast<float>(80 + 250 * u(rng)), static_cast<float>(60 + 200 * u(rng))),
                                  static_cast<float>(360 * u(rng)));
          cv::Point2f pts[4];
          r.points(pts);
          std::vector<cv::Point> poly(pts, pts + 4);
          const double paper = 200 + 50 * u(rng);
          cv::fillConvexPoly(bg, poly, cv::Scalar::all(paper), cv::LINE_AA);
          for (int l = 1; l < 8; ++l) {
            const cv::Point2f a = pts[1] + (pts[2] - pts[1]) * (static_cast<float>(l) / 8.0f);
            const cv::Point2f b = pts[0] + (pts[3] - pts[0]) * (static_cast<float>(l) / 8.0f);
            cv::line(bg, a + (b - a) * 0.1f, a + (b - a) * (0.3f + 0.6f * static_cast<float>(u(rng))), cv::Scalar::all(paper - 120), 2,
                     cv::LINE_AA);
          }
        } else if (kind < 0.7) {  // a coin or a cap
          cv::circle(bg, centre, static_cast<int>(15 + 40 * u(rng)), colour, cv::FILLED, cv::LINE_AA);
        } else {  // a pen
          const double a = 2 * kPi * u(rng);
          const double len = 150 + 200 * u(rng);
          const cv::Point2f d(static_cast<float>(std::cos(a) * len / 2), static_cast<float>(std::sin(a) * len / 2));
          cv::line(bg, centre - d, centre + d, colour, static_cast<int>(6 + 10 * u(rng)), cv::LINE_AA);
        }
      }
      cv::GaussianBlur(bg, bg, cv::Size(0, 0), 0.8);
      break;
    }
  }
  return bg;
}

// Brightens the card's pixels around each glare spot (card pixel coordinates).
void add_glare(cv::Mat& bgr, double ppm, const std::vector<GlareSpot>& spots) {
  for (const auto& g : spots) {
    const double cx = g.centre_mm.x * ppm;
    const double cy = g.centre_mm.y * ppm;
    const double sigma = std::max(0.5, g.radius_mm * ppm / 2.0);
    const int reach = static_cast<int>(sigma * 4);
    const cv::Rect box = cv::Rect(static_cast<int>(cx) - reach, static_cast<int>(cy) - reach, 2 * reach, 2 * reach) &
                         cv::Rect(0, 0, bgr.cols, bgr.rows);
    for (int y = box.y; y < box.y + box.height; ++y) {
      auto* p = bgr.ptr<cv::Vec3b>(y);
      for (int x = box.x; x < box.x + box.width; ++x) {
        const double r2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sigma * sigma);
        const double add = g.strength * 255.0 * std::exp(-r2);
        for (int k = 0; k < 3; ++k) p[x][k] = cv::saturate_cast<unsigned char>(p[x][k] + add);
      }
    }
  }
}

// The finger as a capsule in card millimetres: from its tip inside the card outwards.
std::vector<cv::Point2d> finger_outline(const Finger& f) {
  cv::Point2d edge;
  cv::Point2d inward;
  const double a = std::clamp(f.along, 0.0, 1.0);
  switch (f.edge) {
    case 0: edge = {a * kCardW, 0}; inward = {0, 1}; break;
    case 1: edge = {kCardW, a * kCardH}; inward = {-1, 0}; break;
    case 2: edge = {a * kCardW, kCardH}; inward = {0, -1}; break;
    default: edge = {0, a * kCardH}; inward = {1, 0}; break;
  }
  const double r = f.width_mm / 2;
  const cv::Point2d tip_centre = edge + inward * (f.depth_mm - r);
  const cv::Point2d base_centre = edge - inward * 60.0;
  const cv::Point2d side(-inward.y, inward.x);
  std::vector<cv::Point2d> out;
  for (int i = 0; i <= 16; ++i) {  // the rounded tip
    const double t = kPi * i / 16.0;
    out.push_back(tip_centre + side * (r * std::cos(t)) + inward * (r * std::sin(t)));
  }
  out.push_back(base_centre - side * (r * 1.15));
  out.push_back(base_centre + side * (r * 1.15));
  return out;
}

void draw_finger(cv::Mat& frame, const cv::Matx33d& h, const Finger& f, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto outline = project(h, finger_outline(f));
  cv::Mat mask(frame.size(), CV_8UC1, cv::Scalar(0));
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{outline}, cv::Scalar(255), cv::LINE_AA);
  cv::GaussianBlur(mask, mask, cv::Size(0, 0), 1.5);
  const cv::Vec3d skin(120 + 40 * u(rng), 150 + 40 * u(rng), 195 + 40 * u(rng));
  // Shading: darker away from the finger's middle line (a blurred mask is brighter inside).
  cv::Mat shade;
  cv::GaussianBlur(mask, shade, cv::Size(0, 0), std::max(2.0, cv::norm(outline[0] - outline[16]) / 5.0));
  for (int y = 0; y < frame.rows; ++y) {
    auto* p = frame.ptr<cv::Vec3b>(y);
    const auto* m = mask.ptr<unsigned char>(y);
    const auto* s = shade.ptr<unsigned char>(y);
    for (int x = 0; x < frame.cols; ++x) {
      if (m[x] == 0) continue;
      const double t = m[x] / 255.0;
      const double light = 0.65 + 0.4 * s[x] / 255.0;
      for (int k = 0; k < 3; ++k) p[x][k] = cv::saturate_cast<unsigned char>(p[x][k] * (1 - t) + skin[k] * light * t);
    }
  }
}

void sleeve(cv::Mat& frame, const cv::Matx33d& h, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double m = 2.5;  // the sleeve is a little larger than the card
  const auto outline = project(h, {{-m, -m}, {kCardW + m, -m}, {kCardW + m, kCardH + m}, {-m, kCardH + m}});
  cv::Mat mask(frame.size(), CV_8UC1, cv::Scalar(0));
  cv::fillConvexPoly(mask, outline, cv::Scalar(255), cv::LINE_AA);
  const double haze = 0.08 + 0.12 * u(rng);
  // A diagonal sheen band.
  const cv::Point2d a = apply(h, {0, kCardH * u(rng)});
  const cv::Point2d b = apply(h, {kCardW, kCardH * u(rng)});
  const cv::Point2d dir = (b - a) / std::max(1.0, cv::norm(b - a));
  const double band = (6 + 10 * u(rng)) * cv::norm(b - a) / kCardW;
  const double sheen = 0.10 + 0.15 * u(rng);
  for (int y = 0; y < frame.rows; ++y) {
    auto* p = frame.ptr<cv::Vec3b>(y);
    const auto* mk = mask.ptr<unsigned char>(y);
    for (int x = 0; x < frame.cols; ++x) {
      if (mk[x] == 0) continue;
      const cv::Point2d v(x - a.x, y - a.y);
      const double dist = std::abs(v.x * dir.y - v.y * dir.x);
      const double t = (haze + sheen * std::exp(-dist * dist / (2 * band * band))) * mk[x] / 255.0;
      for (int k = 0; k < 3; ++k) p[x][k] = cv::saturate_cast<unsigned char>(p[x][k] * (1 - t) + 250 * t);
    }
  }
  cv::polylines(frame, outline, true, cv::Scalar::all(225), 1, cv::LINE_AA);
}

void lighting(cv::Mat& frame, const SceneConditions& c, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double angle = 2 * kPi * u(rng);
  const cv::Point2d dir(std::cos(angle), std::sin(angle));
  const double cx = frame.cols / 2.0;
  const double cy = frame.rows / 2.0;
  const double diag = std::hypot(cx, cy);
  cv::Mat f;
  frame.convertTo(f, CV_32FC3, 1.0 / 255.0);
  for (int y = 0; y < f.rows; ++y) {
    auto* p = f.ptr<cv::Vec3f>(y);
    for (int x = 0; x < f.cols; ++x) {
      const double dx = (x - cx) / diag;
      const double dy = (y - cy) / diag;
      const double gain = c.exposure * (1.0 + c.light_gradient * (dx * dir.x + dy * dir.y)) *
                          (1.0 - c.vignette * (dx * dx + dy * dy));
      for (int k = 0; k < 3; ++k) {
        const double v = std::clamp(p[x][k] * gain * c.white_balance[k], 0.0, 1.0);
        p[x][k] = static_cast<float>(c.gamma == 1.0 ? v : std::pow(v, 1.0 / c.gamma));
      }
    }
  }
  f.convertTo(frame, CV_8UC3, 255.0);
}

}  // namespace

const char* to_string(Background background) {
  switch (background) {
    case Background::DarkTray: return "dark-tray";
    case Background::GreyTray: return "grey-tray";
    case Background::Wood: return "wood";
    case Background::Cloth: return "cloth";
    case Background::Clutter: return "clutter";
    case Background::Paper: return "paper";
  }
  return "unknown";
}

const char* to_string(SceneKind kind) {
  switch (kind) {
    case SceneKind::Readable: return "readable";
    case SceneKind::Covered: return "covered";
    case SceneKind::GlareOnField: return "glare-on-field";
    case SceneKind::OutOfFocus: return "out-of-focus";
    case SceneKind::NoCard: return "no-card";
    case SceneKind::BackSide: return "back-side";
    case SceneKind::CutOff: return "cut-off";
  }
  return "unknown";
}

cv::Matx33d card_to_frame(const SceneConditions& c) {
  const double w = c.frame.width;
  const double hgt = c.frame.height;
  const double f = (w / 2.0) / std::tan(rad(c.field_of_view_deg) / 2.0);
  const double distance = f * kCardW / (std::max(0.05, c.card_width_fraction) * w);
  const cv::Matx33d rx(1, 0, 0, 0, std::cos(rad(c.tilt_x_deg)), -std::sin(rad(c.tilt_x_deg)), 0,
                       std::sin(rad(c.tilt_x_deg)), std::cos(rad(c.tilt_x_deg)));
  const cv::Matx33d ry(std::cos(rad(c.tilt_y_deg)), 0, std::sin(rad(c.tilt_y_deg)), 0, 1, 0, -std::sin(rad(c.tilt_y_deg)),
                       0, std::cos(rad(c.tilt_y_deg)));
  const cv::Matx33d rz(std::cos(rad(c.rotation_deg)), -std::sin(rad(c.rotation_deg)), 0, std::sin(rad(c.rotation_deg)),
                       std::cos(rad(c.rotation_deg)), 0, 0, 0, 1);
  const cv::Matx33d r = rz * rx * ry;
  const cv::Vec3d t(c.offset.x * w * distance / f, c.offset.y * hgt * distance / f, distance);
  // A card point (X, Y) in mm, centred, lies at r * (X - W/2, Y - H/2, 0) + t; the projection
  // of the plane is K [r1 r2 t'] with t' = t - r1 W/2 - r2 H/2.
  const cv::Vec3d r1(r(0, 0), r(1, 0), r(2, 0));
  const cv::Vec3d r2(r(0, 1), r(1, 1), r(2, 1));
  const cv::Vec3d t2 = t - r1 * (kCardW / 2) - r2 * (kCardH / 2);
  const cv::Matx33d k(f, 0, w / 2, 0, f, hgt / 2, 0, 0, 1);
  const cv::Matx33d m(r1[0], r2[0], t2[0], r1[1], r2[1], t2[1], r1[2], r2[2], t2[2]);
  return k * m;
}

CardScene compose_scene(const cv::Mat& card_bgra, double ppm, const SceneConditions& c) {
  std::mt19937 rng(c.seed);
  CardScene scene;
  scene.frame = background(c);
  const cv::Matx33d h = card_to_frame(c);
  const std::vector<cv::Point2d> corners_mm{{0, 0}, {kCardW, 0}, {kCardW, kCardH}, {0, kCardH}};
  for (std::size_t i = 0; i < 4; ++i) {
    const cv::Point2d p = apply(h, corners_mm[i]);
    scene.corners[i] = cv::Point2f(static_cast<float>(p.x), static_cast<float>(p.y));
    if (p.x < 0 || p.y < 0 || p.x >= c.frame.width || p.y >= c.frame.height) scene.card_fully_visible = false;
  }
  if (!card_bgra.empty()) {
    CV_Assert(card_bgra.type() == CV_8UC4);
    std::vector<cv::Mat> ch;
    cv::split(card_bgra, ch);
    cv::Mat alpha = ch[3];
    ch.pop_back();
    cv::Mat bgr;
    cv::merge(ch, bgr);
    add_glare(bgr, ppm, c.glare);
    // Card pixels -> mm -> frame.
    const cv::Matx33d px_to_mm(1.0 / ppm, 0, 0, 0, 1.0 / ppm, 0, 0, 0, 1);
    const cv::Matx33d warp = h * px_to_mm;
    cv::Mat warped;
    cv::Mat warped_alpha;
    cv::warpPerspective(bgr, warped, warp, c.frame, cv::INTER_AREA, cv::BORDER_CONSTANT);
    cv::warpPerspective(alpha, warped_alpha, warp, c.frame, cv::INTER_LINEAR, cv::BORDER_CONSTANT);
    // A soft shadow under the card.
    cv::Mat shadow;
    cv::GaussianBlur(warped_alpha, shadow, cv::Size(0, 0), 4.0);
    const cv::Matx23d shift(1, 0, 3, 0, 1, 4);
    cv::warpAffine(shadow, shadow, shift, c.frame);
    for (int y = 0; y < c.frame.height; ++y) {
      auto* p = scene.frame.ptr<cv::Vec3b>(y);
      const auto* s = shadow.ptr<unsigned char>(y);
      const auto* a = warped_alpha.ptr<unsigned char>(y);
      const auto* q = warped.ptr<cv::Vec3b>(y);
      for (int x = 0; x < c.frame.width; ++x) {
        const double dark = 1.0 - 0.35 * s[x] / 255.0;
        const double t = a[x] / 255.0;
        for (int k = 0; k < 3; ++k) p[x][k] = cv::saturate_cast<unsigned char>(p[x][k] * dark * (1 - t) + q[x][k] * t);
      }
    }
    if (c.sleeve) sleeve(scene.frame, h, rng);
    if (c.finger) draw_finger(scene.frame, h, *c.finger, rng);
  }
  lighting(scene.frame, c, rng);
  if (c.focus_blur > 0.05) cv::GaussianBlur(scene.frame, scene.frame, cv::Size(0, 0), c.focus_blur);
  if (c.motion_blur >= 1.5) {
    const int len = static_cast<int>(std::lround(c.motion_blur));
    cv::Mat kernel(len | 1, len | 1, CV_32F, cv::Scalar(0));
    const cv::Point2d centre(kernel.cols / 2.0, kernel.rows / 2.0);
    const cv::Point2d d(std::cos(rad(c.motion_angle_deg)) * len / 2.0, std::sin(rad(c.motion_angle_deg)) * len / 2.0);
    cv::line(kernel, centre - d, centre + d, cv::Scalar(1.0), 1, cv::LINE_AA);
    kernel /= cv::sum(kernel)[0];
    cv::filter2D(scene.frame, scene.frame, -1, kernel);
  }
  if (c.noise_sigma > 0.0) {
    cv::Mat noise(scene.frame.size(), CV_16SC3);
    cv::RNG noise_rng(c.seed * 7919ull + 1);
    noise_rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(c.noise_sigma));
    cv::Mat f;
    scene.frame.convertTo(f, CV_16SC3);
    f += noise;
    f.convertTo(scene.frame, CV_8UC3);
  }
  if (c.jpeg_quality > 0) {
    std::vector<unsigned char> jpeg;
    cv::imencode(".jpg", scene.frame, jpeg, {cv::IMWRITE_JPEG_QUALITY, std::clamp(c.jpeg_quality, 1, 100)});
    scene.frame = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  }
  return scene;
}

namespace {

// The fraction of the frame each side keeps free around the card's corners (negative: out).
double clearance(const SceneConditions& c) {
  const cv::Matx33d h = card_to_frame(c);
  double worst = 1.0;
  for (const cv::Point2d p : {cv::Point2d(0, 0), cv::Point2d(kCardW, 0), cv::Point2d(kCardW, kCardH), cv::Point2d(0, kCardH)}) {
    const cv::Point2d q = apply(h, p);
    worst = std::min({worst, q.x / c.frame.width, q.y / c.frame.height, 1.0 - q.x / c.frame.width,
                      1.0 - q.y / c.frame.height});
  }
  return worst;
}

// Is a card point (mm) outside the frame?
bool outside(const SceneConditions& c, cv::Point2d mm, double margin_px) {
  const cv::Point2d q = apply(card_to_frame(c), mm);
  return q.x < -margin_px || q.y < -margin_px || q.x > c.frame.width + margin_px || q.y > c.frame.height + margin_px;
}

// Where the fields 照合番号B needs are printed (card-face-layout.md), as rectangles in mm.
const cv::Rect2d kBirthDigits(9.0, 19.5, 32.0, 4.0);
const cv::Rect2d kExpiryDigits(9.0, 25.0, 36.0, 4.0);
const cv::Rect2d kCode(63.5, 34.5, 10.0, 3.5);

}  // namespace

SceneConditions random_conditions(std::mt19937& rng, SceneKind kind, std::string* label) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto between = [&](double a, double b) { return a + (b - a) * u(rng); };
  SceneConditions c;
  c.seed = static_cast<std::uint32_t>(rng());
  // Card-scanner cameras: 2 to 3 megapixels looking at the tray.
  const cv::Size frames[] = {{1600, 1200}, {1920, 1080}, {1920, 1440}};
  c.frame = frames[static_cast<std::size_t>(rng() % 3)];
  c.background = static_cast<Background>(rng() % 6);
  c.rotation_deg = between(0, 360);
  // Tilt up to 15 degrees in all.
  const double tilt = between(0, 15);
  const double tilt_dir = between(0, 2 * kPi);
  c.tilt_x_deg = tilt * std::cos(tilt_dir);
  c.tilt_y_deg = tilt * std::sin(tilt_dir);
  // The card at 7.5 to 13 pixels per millimetre (its digits 14 to 25 pixels tall).
  double ppm = between(7.5, 13.0);
  c.card_width_fraction = ppm * kCardW / c.frame.width;
  c.offset = {between(-0.12, 0.12), between(-0.12, 0.12)};
  c.focus_blur = u(rng) < 0.5 ? 0.0 : between(0.02, 0.09) * ppm;
  c.motion_blur = u(rng) < 0.8 ? 0.0 : between(0.15, 0.25) * ppm;
  c.motion_angle_deg = between(0, 180);
  c.exposure = between(0.7, 1.2);
  c.gamma = between(0.8, 1.25);
  c.white_balance = {between(0.9, 1.1), 1.0, between(0.9, 1.1)};
  c.light_gradient = between(0, 0.35);
  c.vignette = between(0, 0.4);
  c.noise_sigma = between(0, 7);
  c.jpeg_quality = u(rng) < 0.4 ? 0 : static_cast<int>(between(55, 95));
  std::string what = "plain";
  // Honest trouble that leaves every field readable.
  const double trouble = u(rng);
  if (trouble < 0.2) {
    c.sleeve = true;
    what = "sleeve";
  } else if (trouble < 0.4) {
    // A finger on an edge, short of the fields.
    Finger f;
    f.edge = static_cast<int>(rng() % 4);
    f.along = between(0.15, 0.85);
    f.depth_mm = between(3, 8);
    f.width_mm = between(14, 19);
    c.finger = f;
    what = "finger";
  } else if (trouble < 0.55) {
    // A reflection away from the fields (the photo, the name, the title) or a mild one anywhere.
    GlareSpot g;
    if (u(rng) < 0.5) {
      const cv::Point2d away[] = {{71, 18}, {25, 5}, {20, 46}, {45, 36}, {80, 48}};
      g.centre_mm = away[rng() % 5];
      g.radius_mm = between(4, 8);
      g.strength = between(0.4, 1.0);
    } else {
      g.centre_mm = {between(5, 80), between(5, 49)};
      g.radius_mm = between(5, 12);
      g.strength = between(0.15, 0.3);
    }
    c.glare.push_back(g);
    what = "glare";
  } else if (trouble < 0.7) {
    c.tilt_x_deg = std::copysign(between(10, 15), c.tilt_x_deg);
    what = "tilt";
  } else if (trouble < 0.8) {
    c.exposure = u(rng) < 0.5 ? between(0.5, 0.65) : between(1.2, 1.35);
    c.light_gradient = between(0.3, 0.5);
    what = "lighting";
  }
  // The whole card in view, with a little room: centre it, then make it smaller (not below 7.5
  // pixels per millimetre), then turn it towards the frame's long side.
  for (int i = 0; i < 10 && clearance(c) < 0.02; ++i) c.offset *= 0.7;
  for (int i = 0; i < 30 && clearance(c) < 0.02 && c.card_width_fraction * c.frame.width / kCardW > 7.6; ++i) {
    c.card_width_fraction *= 0.97;
  }
  for (int i = 0; i < 90 && clearance(c) < 0.02; ++i) {
    c.rotation_deg += std::fmod(c.rotation_deg, 180.0) < 90.0 ? -1.0 : 1.0;
  }
  ppm = c.card_width_fraction * c.frame.width / kCardW;

  switch (kind) {
    case SceneKind::Readable:
    case SceneKind::BackSide:
      break;
    case SceneKind::NoCard:
      what = "tray";
      break;
    case SceneKind::Covered: {
      c.glare.clear();
      Finger f;
      f.width_mm = between(17, 22);
      if (u(rng) < 0.5) {  // over the security code, from the bottom or the right edge
        if (u(rng) < 0.5) {
          f.edge = 2;
          f.along = (kCode.x + kCode.width / 2) / kCardW + between(-0.02, 0.02);
          f.depth_mm = kCardH - kCode.y + between(2, 6);
        } else {
          f.edge = 1;
          f.along = (kCode.y + kCode.height / 2) / kCardH + between(-0.03, 0.03);
          f.depth_mm = kCardW - kCode.x + between(2, 5);
          f.width_mm = between(12, 15);
        }
        what = "finger-on-code";
      } else {  // over the dates, from the left edge
        f.edge = 3;
        f.along = (kBirthDigits.y + kExpiryDigits.y + kExpiryDigits.height) / 2 / kCardH + between(-0.02, 0.02);
        f.depth_mm = between(36, 44);
        f.width_mm = between(16, 20);
        what = "finger-on-dates";
      }
      c.finger = f;
      break;
    }
    case SceneKind::GlareOnField: {
      GlareSpot g;
      const bool code = u(rng) < 0.6;
      const cv::Rect2d field = code ? kCode : cv::Rect2d(kBirthDigits.x + 8, kBirthDigits.y, 16, 9.5);
      g.centre_mm = {field.x + field.width / 2 + between(-1, 1), field.y + field.height / 2 + between(-0.5, 0.5)};
      g.radius_mm = std::max(field.width, field.height) * between(1.0, 1.2);
      g.strength = between(3.0, 5.0);
      c.glare = {g};
      what = code ? "glare-on-code" : "glare-on-dates";
      break;
    }
    case SceneKind::OutOfFocus: {
      c.focus_blur = between(1.3, 2.0) * ppm;  // more than a digit's stroke spread over its height
      what = "out-of-focus";
      break;
    }
    case SceneKind::CutOff: {
      // Slide the card out of view until the security code (or the dates) is outside the frame.
      const bool code = u(rng) < 0.6;
      const cv::Rect2d field = code ? kCode : kBirthDigits;
      const cv::Point2d target = code ? cv::Point2d(field.x, field.y) : cv::Point2d(field.x + field.width, field.y);
      const cv::Point2d far = code ? cv::Point2d(field.x + field.width, field.y + field.height)
                                   : cv::Point2d(field.x, field.y + field.height);
      // Towards the frame edge nearest the field, so that the field leaves first.
      const cv::Point2d seen = apply(card_to_frame(c), (target + far) / 2);
      cv::Point2d dir(seen.x / c.frame.width - 0.5, seen.y / c.frame.height - 0.5);
      if (cv::norm(dir) < 1e-3) dir = {1, 0};
      const cv::Point2d step = dir / cv::norm(dir) * 0.01;
      for (int i = 0; i < 200 && !(outside(c, target, 4) && outside(c, far, 4)); ++i) c.offset += step;
      what = code ? "code-out-of-view" : "dates-out-of-view";
      break;
    }
  }
  if (label != nullptr) *label = what;
  return c;
}

}  // namespace kiosk::sim::card_face
