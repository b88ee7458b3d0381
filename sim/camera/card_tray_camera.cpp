#include "sim/camera/card_tray_camera.hpp"

#include <string.h>  // explicit_bzero

#include <opencv2/imgproc.hpp>

#include "sim/card/card_profile.hpp"

namespace kiosk::sim::camera {

namespace {

void wipe(cv::Mat& m) noexcept {
  if (m.data != nullptr && m.isContinuous() && m.u != nullptr && m.u->refcount == 1) {
    explicit_bzero(m.data, m.total() * m.elemSize());
  }
  m.release();
}

// A smartphone seen from above (71 x 146 mm): dark glass, nothing printed.
cv::Mat smartphone(double ppm) {
  const cv::Size size(static_cast<int>(71 * ppm), static_cast<int>(146 * ppm));
  cv::Mat bgr(size, CV_8UC3, cv::Scalar(28, 26, 24));
  cv::rectangle(bgr, cv::Rect(static_cast<int>(3 * ppm), static_cast<int>(8 * ppm), static_cast<int>(65 * ppm),
                              static_cast<int>(130 * ppm)),
                cv::Scalar(48, 44, 40), cv::FILLED);
  cv::Mat alpha(size, CV_8UC1, cv::Scalar(0));
  const int r = static_cast<int>(8 * ppm);
  cv::rectangle(alpha, cv::Rect(r, 0, size.width - 2 * r, size.height), cv::Scalar(255), cv::FILLED);
  cv::rectangle(alpha, cv::Rect(0, r, size.width, size.height - 2 * r), cv::Scalar(255), cv::FILLED);
  for (const cv::Point c : {cv::Point(r, r), cv::Point(size.width - r, r), cv::Point(r, size.height - r),
                            cv::Point(size.width - r, size.height - r)}) {
    cv::circle(alpha, c, r, cv::Scalar(255), cv::FILLED, cv::LINE_AA);
  }
  std::vector<cv::Mat> ch;
  cv::split(bgr, ch);
  ch.push_back(alpha);
  cv::Mat out;
  cv::merge(ch, out);
  return out;
}

}  // namespace

CardTrayCamera::CardTrayCamera() : CardTrayCamera(Settings{}) {}

CardTrayCamera::CardTrayCamera(Settings settings) : settings_(settings), rng_(settings.seed) {
  info_.name = "simulated card-tray camera";
  info_.mode.width = settings_.frame.width;
  info_.mode.height = settings_.frame.height;
  info_.mode.fps = settings_.fps;
  opened_ = std::chrono::steady_clock::now();
}

CardTrayCamera::~CardTrayCamera() { wipe(card_); }

void CardTrayCamera::place(const card_face::PrintedFields& fields, const card_face::RenderOptions& options) {
  cv::Mat card = renderer_.front(fields, options);
  std::lock_guard lock(mutex_);
  wipe(card_);
  card_ = card;
  card_ppm_ = options.pixels_per_mm;
}

void CardTrayCamera::place(const card::CardProfile& profile) {
  if (profile.token != card::TokenType::Card) {
    place_smartphone();
    return;
  }
  card_face::RenderOptions options;
  {
    std::lock_guard lock(mutex_);
    options.pattern_seed = static_cast<std::uint32_t>(rng_());
  }
  const hal::CardGeneration generation =
      profile.generation == card::CardGeneration::Next ? hal::CardGeneration::Next : hal::CardGeneration::Current;
  place(card_face::printed_fields(profile, generation), options);
}

void CardTrayCamera::place_document(const card_face::PrintedDocument& document, const card_face::DocumentRenderOptions& options) {
  cv::Mat doc = card_face::DocumentRenderer(renderer_).render(document, options);
  std::lock_guard lock(mutex_);
  wipe(card_);
  card_ = doc;
  card_ppm_ = options.pixels_per_mm;
}

void CardTrayCamera::place_back() {
  card_face::RenderOptions options;
  std::lock_guard lock(mutex_);
  options.pattern_seed = static_cast<std::uint32_t>(rng_());
  wipe(card_);
  card_ = renderer_.back(options);
  card_ppm_ = options.pixels_per_mm;
}

void CardTrayCamera::place_smartphone() {
  std::lock_guard lock(mutex_);
  wipe(card_);
  card_ppm_ = 8.0;
  card_ = smartphone(card_ppm_);
}

void CardTrayCamera::remove() {
  std::lock_guard lock(mutex_);
  wipe(card_);
}

void CardTrayCamera::set_conditions(const card_face::SceneConditions& conditions) {
  std::lock_guard lock(mutex_);
  conditions_ = conditions;
}

void CardTrayCamera::clear_conditions() {
  std::lock_guard lock(mutex_);
  conditions_.reset();
}

void CardTrayCamera::unplug() noexcept {
  std::lock_guard lock(mutex_);
  unplugged_ = true;
}

std::uint64_t CardTrayCamera::frames_delivered() const noexcept {
  std::lock_guard lock(mutex_);
  return next_index_;
}

card_face::SceneConditions CardTrayCamera::gentle() const {
  card_face::SceneConditions c;
  c.frame = settings_.frame;
  c.card_width_fraction = settings_.card_pixels_per_mm * 85.60 / settings_.frame.width;
  c.rotation_deg = 4.0;
  c.tilt_x_deg = 3.0;
  c.tilt_y_deg = -2.0;
  c.noise_sigma = 2.0;
  c.background = card_face::Background::DarkTray;
  return c;
}

hal::CameraFrame CardTrayCamera::next_frame(std::chrono::milliseconds /*timeout*/) {
  std::lock_guard lock(mutex_);
  if (unplugged_) throw hal::CameraError(hal::CameraErrorKind::Disconnected, info_.name + " was unplugged");
  card_face::SceneConditions c = conditions_ ? *conditions_ : gentle();
  c.frame = settings_.frame;
  // Each frame a little different: the card moves slightly, the noise is new.
  std::normal_distribution<double> move(0.0, settings_.jitter_mm);
  const double mm_to_frame = c.card_width_fraction / 85.60;  // frame widths per millimetre
  c.offset.x += move(rng_) * mm_to_frame;
  c.offset.y += move(rng_) * mm_to_frame * c.frame.width / c.frame.height;
  c.rotation_deg += move(rng_) * 0.5;
  c.seed = c.seed * 7919u + static_cast<std::uint32_t>(rng_());
  card_face::CardScene scene = card_face::compose_scene(card_, card_ppm_, c);
  hal::CameraFrame out;
  out.image = scene.frame;
  out.sequence = ++next_index_;
  out.timestamp = opened_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(static_cast<double>(next_index_ - 1) / settings_.fps));
  return out;
}

}  // namespace kiosk::sim::camera
