#include "sim/camera/face_scene.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace kiosk::sim::camera {

namespace {

constexpr double kPi = 3.14159265358979323846;

double radians(double degrees) { return degrees * kPi / 180.0; }

double wave(double t, double period, double phase = 0.0) { return std::sin(2.0 * kPi * t / period + phase); }

cv::Mat load_bgr(const std::filesystem::path& file) {
  cv::Mat m = cv::imread(file.string(), cv::IMREAD_COLOR);
  if (m.empty()) throw std::runtime_error("cannot read image " + file.string());
  return m;
}

cv::Mat to_float(const cv::Mat& bgr8) {
  cv::Mat f;
  bgr8.convertTo(f, CV_32FC3);
  return f;
}

// `image` scaled to fit `size`, centred on black.
cv::Mat letterbox(const cv::Mat& image, cv::Size size) {
  const double s = std::min(static_cast<double>(size.width) / image.cols, static_cast<double>(size.height) / image.rows);
  cv::Mat scaled;
  cv::resize(image, scaled, cv::Size(), s, s, s < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::Mat out(size, image.type(), cv::Scalar::all(0));
  const int x = (size.width - scaled.cols) / 2;
  const int y = (size.height - scaled.rows) / 2;
  scaled.copyTo(out(cv::Rect(x, y, scaled.cols, scaled.rows)));
  return out;
}

// canvas = canvas * (1 - alpha) + layer * alpha (float images, alpha 1 channel in [0, 1]).
void blend(cv::Mat& canvas, const cv::Mat& layer, const cv::Mat& alpha) {
  cv::Mat a3;
  cv::merge(std::vector<cv::Mat>{alpha, alpha, alpha}, a3);
  cv::Mat inverse = cv::Scalar::all(1.0) - a3;
  canvas = canvas.mul(inverse) + layer.mul(a3);
}

// An office/clinic wall: gradient, soft blotches, a door frame on the left and a shelf edge
// above (straight edges near the face, as in real receptions).
cv::Mat make_background(cv::Size size, std::uint32_t seed) {
  cv::Mat bg(size, CV_32FC3);
  for (int y = 0; y < size.height; ++y) {
    const float k = static_cast<float>(y) / static_cast<float>(size.height);
    bg.row(y).setTo(cv::Scalar(172 - 22 * k, 186 - 20 * k, 199 - 18 * k));
  }
  cv::RNG rng(seed * 2654435761u + 17u);
  cv::Mat blotch(std::max(2, size.height / 16), std::max(2, size.width / 16), CV_32F);
  rng.fill(blotch, cv::RNG::NORMAL, 0.0, 8.0);
  cv::Mat big;
  cv::resize(blotch, big, size, 0, 0, cv::INTER_CUBIC);
  cv::Mat big3;
  cv::merge(std::vector<cv::Mat>{big, big, big}, big3);
  bg += big3;
  const int w = size.width;
  const int h = size.height;
  cv::rectangle(bg, cv::Rect(w * 3 / 100, 0, w * 6 / 100, h), cv::Scalar(118, 124, 132), cv::FILLED);
  cv::rectangle(bg, cv::Rect(w * 3 / 10, h * 13 / 100, w * 65 / 100, h * 2 / 100), cv::Scalar(96, 110, 128), cv::FILLED);
  cv::GaussianBlur(bg, bg, cv::Size(0, 0), 1.0);
  return bg;
}

// Depth of a face crop in crop widths: an ellipsoid (the head) and a ridge with the nose tip.
cv::Mat make_depth(cv::Size crop) {
  cv::Mat z(crop, CV_32F);
  const double w = crop.width;
  const double h = crop.height;
  for (int y = 0; y < crop.height; ++y) {
    float* row = z.ptr<float>(y);
    for (int x = 0; x < crop.width; ++x) {
      const double dx = (x - 0.5 * w) / (0.5 * w);
      const double dy = (y - 0.5 * h) / (0.62 * h);
      const double head = 0.35 * std::sqrt(std::max(0.0, 1.0 - dx * dx - dy * dy));
      const double nx = (x - 0.5 * w) / (0.07 * w);
      const double ny = (y - 0.57 * h) / (0.12 * h);
      const double nose = 0.12 * std::exp(-0.5 * (nx * nx + ny * ny));
      row[x] = static_cast<float>(head + nose);
    }
  }
  return z;
}

// A soft head-shaped mask for a tight crop.
cv::Mat make_soft_mask(cv::Size crop) {
  cv::Mat m(crop, CV_32F, cv::Scalar(0));
  cv::ellipse(m, cv::Point(crop.width / 2, crop.height / 2), cv::Size(crop.width * 50 / 100, crop.height * 54 / 100), 0,
              0, 360, cv::Scalar(1), cv::FILLED);
  const double sigma = std::max(1.0, 0.035 * crop.width);
  cv::GaussianBlur(m, m, cv::Size(0, 0), sigma);
  return m;
}

// The head turned by yaw/pitch (radians), seen from the front: a point of the crop at column xs
// and depth d (in crop widths) appears at cx + (xs - cx) cos(yaw) + d w sin(yaw). Each row's
// forward map is inverted, so every feature moves by its own depth: the nose keeps moving away
// from the eyes as the head turns further. (Looking the depth up at the output pixel instead,
// as the first version of this did, lets the nose slip off its own ridge past about 13 degrees
// and come back towards the eyes: a head that stops looking turned.) Where the head folds away
// on its receding side, the points hidden behind the nearer ones are not drawn. Pitch is small
// and moves each pixel by the depth of the point it shows.
void turn_head(const cv::Mat& crop, const cv::Mat& mask, const cv::Mat& depth, double yaw, double pitch, cv::Mat& out,
               cv::Mat& out_mask) {
  cv::Mat map_x(crop.size(), CV_32F);
  cv::Mat map_y(crop.size(), CV_32F);
  const int cols = crop.cols;
  const double w = cols;
  const double cx = 0.5 * w;
  const double cy = 0.5 * crop.rows;
  const double sy = std::sin(yaw);
  const double cyaw = std::cos(yaw);
  const double sp = std::sin(pitch);
  const double cp = std::cos(pitch);
  std::vector<double> lands_row(static_cast<std::size_t>(cols));
  double* const lands = lands_row.data();  // where each column of the crop lands in the output
  for (int y = 0; y < crop.rows; ++y) {
    const float* z = depth.ptr<float>(y);
    float* mx = map_x.ptr<float>(y);
    float* my = map_y.ptr<float>(y);
    for (int xs = 0; xs < cols; ++xs) lands[xs] = cx + (xs - cx) * cyaw + z[xs] * w * sy;
    // Hidden points: on the receding side a point landing behind one nearer the turn is covered.
    if (sy >= 0.0) {
      for (int xs = 1; xs < cols; ++xs) lands[xs] = std::max(lands[xs], lands[xs - 1]);
    } else {
      for (int xs = cols - 1; xs-- > 0;) lands[xs] = std::min(lands[xs], lands[xs + 1]);
    }
    int k = 0;
    for (int x = 0; x < cols; ++x) {
      if (x < lands[0] || x > lands[cols - 1]) {
        mx[x] = -1.0f;  // nothing of the head lands here
        my[x] = -1.0f;
        continue;
      }
      while (k + 1 < cols - 1 && lands[k + 1] <= x) ++k;
      const double span = lands[k + 1] - lands[k];
      const double xs = span > 1e-9 ? k + (x - lands[k]) / span : k + 1.0;
      mx[x] = static_cast<float>(xs);
      const double d = z[std::clamp(static_cast<int>(std::lround(xs)), 0, cols - 1)] * w;
      my[x] = static_cast<float>(cy + ((y - cy) - d * sp) / cp);
    }
  }
  cv::remap(crop, out, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  cv::remap(mask, out_mask, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
}

// A flat sheet of size `sheet` (pixels at about camera scale) posed in 3-D in front of a
// pinhole camera of focal length f, centred at `centre` in the frame.
cv::Mat sheet_homography(cv::Size2d sheet, cv::Point2d centre, double yaw, double pitch, double roll, double f) {
  const cv::Matx33d rx(1, 0, 0, 0, std::cos(pitch), -std::sin(pitch), 0, std::sin(pitch), std::cos(pitch));
  const cv::Matx33d ry(std::cos(yaw), 0, std::sin(yaw), 0, 1, 0, -std::sin(yaw), 0, std::cos(yaw));
  const cv::Matx33d rz(std::cos(roll), -std::sin(roll), 0, std::sin(roll), std::cos(roll), 0, 0, 0, 1);
  const cv::Matx33d r = rz * ry * rx;
  const std::vector<cv::Point2f> src{{0.f, 0.f},
                                     {static_cast<float>(sheet.width), 0.f},
                                     {static_cast<float>(sheet.width), static_cast<float>(sheet.height)},
                                     {0.f, static_cast<float>(sheet.height)}};
  std::vector<cv::Point2f> dst;
  for (const auto& p : src) {
    const cv::Vec3d local(p.x - sheet.width / 2, p.y - sheet.height / 2, 0.0);
    const cv::Vec3d world = r * local + cv::Vec3d(0, 0, f);
    dst.emplace_back(static_cast<float>(f * world[0] / world[2] + centre.x),
                     static_cast<float>(f * world[1] / world[2] + centre.y));
  }
  return cv::getPerspectiveTransform(src, dst);
}

double sinc(double x) { return std::abs(x) < 1e-9 ? 1.0 : std::sin(kPi * x) / (kPi * x); }

// A fine periodic structure (screen pixel grid, print halftone) of `density` periods per sheet
// pixel, seen by the camera: evaluated at each camera pixel's position on the sheet (so it
// aliases as on a real sensor), attenuated by the pixel's box integration and the lens blur.
// `offset` is where the patterned area starts on the sheet; `colour_fringes`: RGB sub-pixels.
void apply_fine_pattern(cv::Mat& canvas, const cv::Mat& alpha, const cv::Mat& to_sheet, cv::Point2d offset,
                        double density, double contrast, double angle, bool colour_fringes) {
  const cv::Matx33d h = to_sheet;
  const double alias = std::abs(density - std::round(density));
  const double lens = std::exp(-2.0 * kPi * kPi * 0.25 * alias * alias);  // Gaussian blur, sigma 0.5 px
  const double a = contrast * std::abs(sinc(density)) * lens;
  const double ca = std::cos(angle);
  const double sa = std::sin(angle);
  for (int y = 0; y < canvas.rows; ++y) {
    const float* m = alpha.ptr<float>(y);
    cv::Vec3f* px = canvas.ptr<cv::Vec3f>(y);
    for (int x = 0; x < canvas.cols; ++x) {
      if (m[x] <= 0.01f) continue;
      const double w = h(2, 0) * x + h(2, 1) * y + h(2, 2);
      const double u0 = (h(0, 0) * x + h(0, 1) * y + h(0, 2)) / w - offset.x;
      const double v0 = (h(1, 0) * x + h(1, 1) * y + h(1, 2)) / w - offset.y;
      const double u = (u0 * ca + v0 * sa) * density;
      const double v = (-u0 * sa + v0 * ca) * density;
      const double row_term = std::cos(2.0 * kPi * v);
      for (int c = 0; c < 3; ++c) {
        // BGR: red sub-pixel first, then green, then blue along the row.
        const double phase = colour_fringes ? 2.0 * kPi * (2 - c) / 3.0 : 0.0;
        const double f = 1.0 - a * (std::cos(2.0 * kPi * u + phase) + row_term);
        px[x][c] = static_cast<float>(px[x][c] * (1.0 - m[x] * (1.0 - f)));
      }
    }
  }
}

double size_factor(Condition c) {
  switch (c) {
    case Condition::TooNear: return 2.4;
    case Condition::TooFar: return 0.4;
    default: return 1.0;
  }
}

}  // namespace

// --- FaceSource -------------------------------------------------------------------------

FaceSource FaceSource::image(const std::filesystem::path& file, Framing framing) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw std::runtime_error("no image file " + file.string());
  return image(load_bgr(file), framing);
}

FaceSource FaceSource::image(cv::Mat bgr, Framing framing) {
  if (bgr.empty()) throw std::runtime_error("empty face image");
  if (bgr.channels() == 1) cv::cvtColor(bgr, bgr, cv::COLOR_GRAY2BGR);
  FaceSource s;
  s.framing_ = framing;
  s.first_ = bgr;
  s.current_ = bgr;
  return s;
}

FaceSource FaceSource::sequence(const std::vector<std::filesystem::path>& files, double fps, Framing framing) {
  if (files.empty()) throw std::runtime_error("an image sequence needs at least one image");
  if (!(fps > 0.0)) throw std::runtime_error("an image sequence needs a positive frame rate");
  FaceSource s = image(files.front(), framing);
  s.files_ = files;
  s.fps_ = fps;
  s.video_index_ = 0;
  return s;
}

FaceSource FaceSource::video(const std::filesystem::path& file, Framing framing) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw std::runtime_error("no video file " + file.string());
  auto capture = std::make_unique<cv::VideoCapture>(file.string());
  cv::Mat first;
  if (!capture->isOpened() || !capture->read(first) || first.empty()) {
    throw std::runtime_error("cannot play video " + file.string());
  }
  FaceSource s = image(first, framing);
  s.video_ = file;
  s.video_fps_ = capture->get(cv::CAP_PROP_FPS) > 0.0 ? capture->get(cv::CAP_PROP_FPS) : 30.0;
  s.capture_ = std::move(capture);
  s.video_index_ = 0;
  return s;
}

FaceSource::FaceSource(FaceSource&&) noexcept = default;
FaceSource& FaceSource::operator=(FaceSource&&) noexcept = default;
FaceSource::~FaceSource() = default;

cv::Mat FaceSource::at(double seconds) {
  if (!files_.empty()) {
    const long n = static_cast<long>(files_.size());
    const long index = static_cast<long>(std::floor(std::max(0.0, seconds) * fps_)) % n;
    if (index != video_index_) {
      current_ = load_bgr(files_[static_cast<std::size_t>(index)]);
      video_index_ = index;
    }
    return current_;
  }
  if (capture_) {
    long target = static_cast<long>(std::floor(std::max(0.0, seconds) * video_fps_));
    if (video_length_ > 0) target %= video_length_;
    if (target < video_index_) {  // looped or went back: start again
      capture_ = std::make_unique<cv::VideoCapture>(video_.string());
      video_index_ = -1;
    }
    cv::Mat frame;
    while (video_index_ < target) {
      if (!capture_->read(frame) || frame.empty()) {
        // The end: now the length is known; play on from the start.
        if (video_index_ < 0) throw std::runtime_error("video " + video_.string() + " has no frames");
        video_length_ = video_index_ + 1;
        target %= video_length_;
        capture_ = std::make_unique<cv::VideoCapture>(video_.string());
        video_index_ = -1;
        continue;
      }
      ++video_index_;
      current_ = frame.clone();
    }
    return current_;
  }
  return current_;
}

// --- Scene ------------------------------------------------------------------------------

const char* to_string(Presentation p) {
  switch (p) {
    case Presentation::Live: return "live";
    case Presentation::PrintedPhoto: return "printed-photo";
    case Presentation::LifeSizePhoto: return "life-size-photo";
    case Presentation::ScreenReplay: return "screen-replay";
    case Presentation::CloseScreenReplay: return "close-screen-replay";
    case Presentation::Nobody: return "nobody";
  }
  return "unknown";
}

std::optional<Presentation> presentation_from_name(std::string_view name) {
  for (const Presentation p : {Presentation::Live, Presentation::PrintedPhoto, Presentation::LifeSizePhoto,
                               Presentation::ScreenReplay, Presentation::CloseScreenReplay, Presentation::Nobody}) {
    if (name == to_string(p)) return p;
  }
  return std::nullopt;
}

const char* to_string(Condition c) {
  switch (c) {
    case Condition::Normal: return "normal";
    case Condition::TwoFaces: return "two-faces";
    case Condition::TooDark: return "too-dark";
    case Condition::Blurred: return "blurred";
    case Condition::TooNear: return "too-near";
    case Condition::TooFar: return "too-far";
  }
  return "unknown";
}

struct Scene::Impl {
  FaceSource person;
  std::optional<FaceSource> companion;
  std::vector<Segment> script;
  SceneSettings s;
  cv::Mat background;  // CV_32FC3
  std::map<std::pair<int, int>, cv::Mat> depth_cache;
  std::map<std::pair<int, int>, cv::Mat> mask_cache;
  std::map<std::pair<int, int>, cv::Mat> grain_cache;
  struct TurnRequest {
    HeadTurn side;
    double at;
    double hold;  // seconds the turn is held (longer once asked to hold it)
  };
  std::vector<TurnRequest> turns;  // what the person was asked, in order (the last few)

  Impl(FaceSource p, std::vector<Segment> sc, const SceneSettings& settings)
      : person(std::move(p)), script(std::move(sc)), s(settings), background(make_background(settings.frame, settings.seed)) {
    if (script.empty()) script.push_back(Segment{});
  }

  const cv::Mat& cached(std::map<std::pair<int, int>, cv::Mat>& cache, cv::Size size, cv::Mat (*make)(cv::Size)) {
    auto& m = cache[{size.width, size.height}];
    if (m.empty()) m = make(size);
    return m;
  }

  const cv::Mat& grain(cv::Size size) {
    auto& m = grain_cache[{size.width, size.height}];
    if (m.empty()) {
      m.create(size, CV_32F);
      cv::RNG rng(s.seed * 40503u + 7u);
      rng.fill(m, cv::RNG::NORMAL, 0.0, 1.0);
      cv::GaussianBlur(m, m, cv::Size(0, 0), 0.7);
      m = 1.0 + 0.03 * m;
    }
    return m;
  }

  // The live person answering requests to turn (ask_to_turn): once asked, the person attends
  // to the screen and the natural sway calms to 30% within 0.3 s; after a reaction time the
  // head turns from wherever it is to the side asked in kTurnMove seconds, holds there, and
  // comes back; a request that comes while an earlier one is still held is answered faster
  // (the person is already attending). Each person (seed) has their own reaction time and
  // angle. (That a person stops fidgeting to read an instruction is this model's assumption.)
  // Asked to hold the turn (ask_to_hold), the person keeps it until the next request, up to
  // kHoldAsked seconds; a held head is not quite still: it drifts with half the attending sway.
  static constexpr double kTurnMove = 0.45;
  static constexpr double kTurnBack = 0.4;
  static constexpr double kHoldAsked = 5.0;
  static constexpr double kHoldDrift = 0.5;
  static constexpr double kPauseMove = 0.5;  // a pausing recording's turn from side to side

  double person_share(std::uint32_t salt) const {
    return static_cast<double>(((s.seed + salt) * 2654435761u >> 8) & 0xffffu) / 65535.0;
  }
  double sway_yaw(double t, double phase) const {
    if (s.sway_pause <= 0.0) return radians(s.yaw_degrees) * wave(t, s.sway_period, 0.3 + phase);
    // Turn (kPauseMove), pause, turn back, pause: a period of 2 x (kPauseMove + sway_pause).
    const double period = 2.0 * (kPauseMove + s.sway_pause);
    double u = std::fmod(t + phase / (2.0 * kPi) * period, period);
    if (u < 0.0) u += period;
    const double half = kPauseMove + s.sway_pause;
    const double sign = u < half ? 1.0 : -1.0;
    const double into = u < half ? u : u - half;
    const double x = into < kPauseMove ? -1.0 + 2.0 * smooth(into / kPauseMove) : 1.0;
    return radians(s.yaw_degrees) * sign * x;
  }
  double attending_sway(double t) const {
    const double calm = turns.empty() || t < turns.front().at ? 0.0 : 0.7 * smooth((t - turns.front().at) / 0.3);
    return (1.0 - calm) * sway_yaw(t, 0.0);
  }
  double turn_start(std::size_t i) const {
    const double reaction = s.turn_reaction + 0.4 * (person_share(0) - 0.5);
    const bool engaged = i > 0 && turns[i].at < turn_start(i - 1) + kTurnMove + turns[i - 1].hold;
    return turns[i].at + (engaged ? 0.6 * reaction : reaction);
  }
  double turn_target(HeadTurn side) const {
    const double degrees = s.turn_degrees + 8.0 * (person_share(40503u) - 0.5);
    // The person's left shows the camera the right side of the face: the nose moves to the
    // image's right (positive yaw here).
    return radians(side == HeadTurn::Left ? degrees : -degrees);
  }
  static double smooth(double x) {
    x = std::clamp(x, 0.0, 1.0);
    return x * x * (3.0 - 2.0 * x);
  }
  // The yaw of the responsive head at `t`, counting only the first `n` requests.
  double answering_yaw(double t, std::size_t n) const {
    for (std::size_t i = n; i-- > 0;) {
      const double start = turn_start(i);
      if (start > t) continue;
      const double from = answering_yaw(start, i);
      const double to = turn_target(turns[i].side);
      const double since = t - start;
      if (since < kTurnMove) return from + smooth(since / kTurnMove) * (to - from);
      const auto held = [&](double at) { return to + kHoldDrift * (attending_sway(at) - attending_sway(start + kTurnMove)); };
      if (since < kTurnMove + turns[i].hold) return held(t);
      const double back = smooth((since - kTurnMove - turns[i].hold) / kTurnBack);
      return (1.0 - back) * held(start + kTurnMove + turns[i].hold) + back * attending_sway(t);
    }
    return attending_sway(t);
  }

  void ask_to_turn(HeadTurn side, double t) {
    // Already turning (or holding) to that side: the person is doing it.
    if (!turns.empty() && turns.back().side == side && t < turn_start(turns.size() - 1) + kTurnMove + turns.back().hold) return;
    turns.push_back({side, t, s.turn_hold});
    if (turns.size() > 8) turns.erase(turns.begin());
  }

  void ask_to_hold(double t) {
    // A person still turned (or turning) keeps the turn; one who already came back does not
    // turn again for it.
    if (turns.empty() || t >= turn_start(turns.size() - 1) + kTurnMove + turns.back().hold) return;
    turns.back().hold = std::max(turns.back().hold, t - turn_start(turns.size() - 1) - kTurnMove + kHoldAsked);
  }

  double width() const { return s.frame.width; }
  double height() const { return s.frame.height; }

  // A tight crop of a live head at `centre`, crop width `crop_width`, moving with phase `phase`.
  // `responsive`: the person in front of the kiosk, who answers a request to turn.
  void draw_head(cv::Mat& canvas, const cv::Mat& crop8, double t, cv::Point2d centre, double crop_width, double phase,
                 bool responsive = false) {
    const double scale = crop_width / crop8.cols;
    cv::Mat scaled8;
    cv::resize(crop8, scaled8, cv::Size(), scale, scale, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    if (scaled8.cols < 8 || scaled8.rows < 8) return;
    const cv::Mat crop = to_float(scaled8);
    const cv::Mat& depth = cached(depth_cache, crop.size(), make_depth);
    const cv::Mat& mask = cached(mask_cache, crop.size(), make_soft_mask);
    const double yaw = responsive ? answering_yaw(t, turns.size()) : sway_yaw(t, phase);
    const double pitch = radians(s.pitch_degrees) * wave(t, s.sway_period * 1.37, 1.1 + phase);
    cv::Mat turned;
    cv::Mat turned_mask;
    turn_head(crop, mask, depth, yaw, pitch, turned, turned_mask);
    const double roll = 2.0 * wave(t, 5.3, phase);
    const double breathe = 1.0 + 0.015 * wave(t, 3.7, phase);
    const cv::Point2d sway(0.02 * width() * wave(t, 3.1, phase), 0.01 * height() * wave(t, 4.3, phase));
    cv::Mat a = cv::getRotationMatrix2D(cv::Point2f(static_cast<float>(crop.cols / 2.0), static_cast<float>(crop.rows / 2.0)),
                                        roll, breathe);
    a.at<double>(0, 2) += centre.x + sway.x - crop.cols / 2.0;
    a.at<double>(1, 2) += centre.y + sway.y - crop.rows / 2.0;
    cv::Mat layer;
    cv::Mat alpha;
    cv::warpAffine(turned, layer, a, s.frame, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    cv::warpAffine(turned_mask, alpha, a, s.frame, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    blend(canvas, layer, alpha);
  }

  // The live view: the person (and the companion) in front of the background.
  // `responsive`: the person is there (not a recording of them) and answers requests to turn.
  cv::Mat live_view(double t, Condition condition, bool responsive) {
    if (person.framing() == FaceSource::Framing::Frame) return to_float(letterbox(person.at(t), s.frame));
    cv::Mat canvas = background.clone();
    const double crop_width = s.face_width * width() * size_factor(condition);
    if (condition == Condition::TwoFaces) {
      cv::Mat other;
      if (companion) {
        other = companion->at(t);
      } else {
        cv::flip(person.at(t), other, 1);
      }
      draw_head(canvas, other, t, {0.24 * width(), 0.5 * height()}, crop_width * 0.9, 1.7);
      draw_head(canvas, person.at(t), t, {0.64 * width(), 0.47 * height()}, crop_width, 0.0, responsive);
    } else {
      draw_head(canvas, person.at(t), t, {0.5 * width(), 0.47 * height()}, crop_width, 0.0, responsive);
    }
    return canvas;
  }

  // A printed photo held up (with_margin: a sheet with a white margin; otherwise a life-size
  // cut-out along the head).
  void draw_print(cv::Mat& canvas, double t, Condition condition, bool with_margin) {
    cv::Mat source = person.framing() == FaceSource::Framing::Frame ? letterbox(person.first(), s.frame) : person.first();
    const double face_width = s.face_width * width() * size_factor(condition) * (with_margin ? 0.95 : 1.0);
    const double scale = face_width / source.cols;
    cv::Mat scaled8;
    cv::resize(source, scaled8, cv::Size(), scale, scale, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    // Printing: less contrast, ink on paper.
    cv::Mat printed = to_float(scaled8) * 0.80 + cv::Scalar(20, 22, 24);
    cv::multiply(printed, cv::Scalar(0.96, 1.0, 1.03), printed);
    cv::Mat sheet;
    cv::Mat mask;
    cv::Point2d face_offset(0, 0);
    if (with_margin) {
      const cv::Size size(static_cast<int>(printed.cols * 1.55), static_cast<int>(printed.rows * 1.45));
      sheet = cv::Mat(size, CV_32FC3, cv::Scalar(234, 237, 240));
      face_offset = cv::Point2d((size.width - printed.cols) / 2, (size.height - printed.rows) * 0.4);
      printed.copyTo(sheet(cv::Rect(static_cast<int>(face_offset.x), static_cast<int>(face_offset.y), printed.cols, printed.rows)));
      mask = cv::Mat(size, CV_32F, cv::Scalar(1));
    } else {
      sheet = printed;
      mask = cv::Mat(sheet.size(), CV_32F, cv::Scalar(0));
      cv::ellipse(mask, cv::Point(sheet.cols / 2, sheet.rows / 2), cv::Size(sheet.cols / 2, sheet.rows * 56 / 100), 0, 0,
                  360, cv::Scalar(1), cv::FILLED);
    }
    // Paper grain and a glare that drifts as the sheet moves.
    cv::Mat g3;
    const cv::Mat& g = grain(sheet.size());
    cv::merge(std::vector<cv::Mat>{g, g, g}, g3);
    sheet = sheet.mul(g3);
    cv::Mat glare(sheet.size(), CV_32F);
    const double gx = (0.3 + 0.1 * wave(t, 2.6)) * sheet.cols;
    const double gy = 0.3 * sheet.rows;
    for (int y = 0; y < sheet.rows; ++y) {
      float* row = glare.ptr<float>(y);
      for (int x = 0; x < sheet.cols; ++x) {
        const double dx = (x - gx) / (0.25 * sheet.cols);
        const double dy = (y - gy) / (0.2 * sheet.rows);
        row[x] = static_cast<float>(28.0 * std::exp(-0.5 * (dx * dx + dy * dy)));
      }
    }
    cv::Mat glare3;
    cv::merge(std::vector<cv::Mat>{glare, glare, glare}, glare3);
    sheet += glare3;
    // Held by hand: the attacker waves and tilts it to fake movement; it stays one plane.
    const double yaw = radians(12.0) * wave(t, 2.6);
    const double pitch = radians(5.0) * wave(t, 3.3, 0.5);
    const double roll = radians(2.5) * wave(t, 4.1);
    const cv::Point2d centre(0.5 * width() + 0.03 * width() * wave(t, 2.9) + 3.0 * wave(t, 0.83),
                             0.5 * height() + 2.0 * wave(t, 0.71, 1.0));
    const cv::Mat h = sheet_homography(cv::Size2d(sheet.cols, sheet.rows), centre, yaw, pitch, roll, width());
    cv::Mat layer;
    cv::Mat alpha;
    cv::warpPerspective(sheet, layer, h, s.frame, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    cv::warpPerspective(mask, alpha, h, s.frame, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    blend(canvas, layer, alpha);
    // Halftone: about 3 screen cells per camera pixel at 45 degrees: mostly averaged away.
    apply_fine_pattern(canvas, alpha, h.inv(), {0, 0}, 3.1, 0.3, radians(45.0), false);
  }

  // A replay of the live person on a screen (with_bezel: a tablet held up; otherwise a screen
  // held so close that it fills the view).
  void draw_screen(cv::Mat& canvas, double t, Condition condition, bool with_bezel) {
    cv::Mat view = live_view(t, Condition::Normal, false);  // recorded earlier: it does not answer
    cv::Mat content;
    if (with_bezel) {
      const int rw = static_cast<int>(0.5 * width());
      const int rh = std::min(s.frame.height, rw * 4 / 3);
      const cv::Rect region((s.frame.width - rw) / 2, std::max(0, static_cast<int>(0.47 * height()) - rh / 2), rw, rh);
      const double sw = 0.47 * width() * size_factor(condition);
      cv::resize(view(region & cv::Rect(cv::Point(0, 0), s.frame)), content,
                 cv::Size(static_cast<int>(sw), static_cast<int>(sw * rh / rw)), 0, 0, cv::INTER_AREA);
    } else {
      const double zoom = 1.08 * size_factor(condition);
      cv::resize(view, content, cv::Size(), zoom, zoom, cv::INTER_LINEAR);
    }
    // The screen: glowing (raised black level, bluish), with a rolling refresh band.
    content = content * 0.88 + cv::Scalar(18, 12, 8);
    const double phase = std::fmod(t * 0.73, 1.0);
    for (int y = 0; y < content.rows; ++y) {
      double s01 = static_cast<double>(y) / content.rows - phase;
      s01 -= std::floor(s01);
      const double band = 1.0 - 0.10 * std::exp(-std::pow((s01 - 0.5) / 0.12, 2.0));
      content.row(y) *= band;
    }
    cv::Mat sheet;
    cv::Mat mask;
    cv::Mat screen_mask;
    cv::Point2d offset(0, 0);
    if (with_bezel) {
      const int b = std::max(4, content.cols * 6 / 100);
      const cv::Size size(content.cols + 2 * b, content.rows + 3 * b);
      sheet = cv::Mat(size, CV_32FC3, cv::Scalar(28, 28, 30));
      cv::rectangle(sheet, cv::Rect(0, 0, size.width, size.height), cv::Scalar(70, 70, 74), 2);
      offset = cv::Point2d(b, 1.5 * b);
      content.copyTo(sheet(cv::Rect(b, b * 3 / 2, content.cols, content.rows)));
      mask = cv::Mat(size, CV_32F, cv::Scalar(1));
      screen_mask = cv::Mat(size, CV_32F, cv::Scalar(0));
      screen_mask(cv::Rect(b, b * 3 / 2, content.cols, content.rows)).setTo(cv::Scalar(1));
    } else {
      sheet = content;
      mask = cv::Mat(sheet.size(), CV_32F, cv::Scalar(1));
      screen_mask = mask;
    }
    const double amplitude = with_bezel ? 1.0 : 0.4;
    const double yaw = radians(7.0) * amplitude * wave(t, 3.1);
    const double pitch = radians(3.0) * amplitude * wave(t, 3.9, 0.5);
    const double roll = radians(1.5) * amplitude * wave(t, 4.7);
    const cv::Point2d centre(0.5 * width() + 0.02 * width() * amplitude * wave(t, 2.7) + 2.0 * wave(t, 0.9),
                             0.5 * height() + 2.0 * wave(t, 0.77, 1.0));
    const cv::Mat h = sheet_homography(cv::Size2d(sheet.cols, sheet.rows), centre, yaw, pitch, roll, width());
    cv::Mat layer;
    cv::Mat alpha;
    cv::Mat screen_alpha;
    cv::warpPerspective(sheet, layer, h, s.frame, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    cv::warpPerspective(mask, alpha, h, s.frame, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::warpPerspective(screen_mask, screen_alpha, h, s.frame, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    blend(canvas, layer, alpha);
    // The pixel grid with RGB sub-pixels, at screen_density screen pixels per camera pixel.
    apply_fine_pattern(canvas, screen_alpha, h.inv(), offset, s.screen_density, 0.5, 0.0, true);
  }
};

Scene::Scene(FaceSource person, std::vector<Segment> script, SceneSettings settings)
    : impl_(std::make_unique<Impl>(std::move(person), std::move(script), settings)), settings_(settings) {
  if (settings_.frame.width < 64 || settings_.frame.height < 48) throw std::invalid_argument("camera frame too small");
  if (!(settings_.fps > 0.0)) throw std::invalid_argument("camera frame rate must be positive");
}

Scene::Scene(Scene&&) noexcept = default;
Scene& Scene::operator=(Scene&&) noexcept = default;
Scene::~Scene() = default;

Scene& Scene::with_companion(FaceSource other) {
  impl_->companion.emplace(std::move(other));
  return *this;
}

Scene& Scene::vanish_after(double seconds) {
  vanish_ = seconds;
  return *this;
}

Scene& Scene::stall_after(double seconds) {
  stall_ = seconds;
  return *this;
}

const Segment& Scene::segment_at(double seconds) const {
  double start = 0.0;
  for (const auto& seg : impl_->script) {
    if (seconds < start + seg.seconds) return seg;
    start += seg.seconds;
  }
  return impl_->script.back();
}

std::optional<double> Scene::first_face_time() const {
  double start = 0.0;
  for (const auto& seg : impl_->script) {
    if (seg.presentation != Presentation::Nobody) return start;
    start += seg.seconds;
  }
  return std::nullopt;
}

void Scene::ask_to_turn(HeadTurn side, double seconds) { impl_->ask_to_turn(side, seconds); }

void Scene::ask_to_hold(double seconds) { impl_->ask_to_hold(seconds); }

cv::Mat Scene::render(double seconds, std::uint64_t index) {
  const Segment& seg = segment_at(seconds);
  cv::Mat canvas;
  switch (seg.presentation) {
    case Presentation::Nobody: canvas = impl_->background.clone(); break;
    case Presentation::Live: canvas = impl_->live_view(seconds, seg.condition, true); break;
    case Presentation::PrintedPhoto:
    case Presentation::LifeSizePhoto:
      canvas = impl_->background.clone();
      impl_->draw_print(canvas, seconds, seg.condition, seg.presentation == Presentation::PrintedPhoto);
      break;
    case Presentation::ScreenReplay:
    case Presentation::CloseScreenReplay:
      canvas = impl_->background.clone();
      impl_->draw_screen(canvas, seconds, seg.condition, seg.presentation == Presentation::ScreenReplay);
      break;
  }
  if (seg.condition == Condition::TooDark) canvas *= 0.18;
  if (seg.condition == Condition::Blurred) {
    cv::GaussianBlur(canvas, canvas, cv::Size(0, 0), 2.5);
    const cv::Mat kernel = cv::Mat::ones(1, 13, CV_32F) / 13.0f;
    cv::filter2D(canvas, canvas, -1, kernel);
  }
  cv::Mat noise(canvas.size(), CV_32FC3);
  cv::RNG rng(static_cast<std::uint64_t>(settings_.seed) * 7919u + index * 104729u + 1u);
  rng.fill(noise, cv::RNG::NORMAL, 0.0, settings_.noise_sigma);
  canvas += noise;
  cv::Mat frame;
  canvas.convertTo(frame, CV_8UC3);
  return frame;
}

}  // namespace kiosk::sim::camera
