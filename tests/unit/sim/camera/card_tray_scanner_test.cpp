// The simulator's scanner is the real one: the drivers' OCR card-surface scanner over the
// simulated card-tray camera, which plays rendered card fronts.
#include <catch2/catch.hpp>

#include <cstdio>

#include "drivers/card_surface/ocr_card_surface_scanner.hpp"
#include "hal/calendar.hpp"
#include "sim/camera/card_tray_camera.hpp"
#include "sim/card_face/sample_cards.hpp"

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

std::chrono::year_month_day today() {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

std::string expected_code_b(const sim::card_face::PrintedFields& f) {
  const auto era = hal::calendar::to_era(f.birth_date);
  REQUIRE(era);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d%02u%02u%04d", era->year, era->month, era->day, static_cast<int>(f.card_expiry.year()));
  return std::string(buf) + f.security_code;
}

sim::camera::CardTrayCamera::Settings small_tray() {
  sim::camera::CardTrayCamera::Settings s;
  s.frame = cv::Size(1280, 960);
  s.card_pixels_per_mm = 10.0;
  s.seed = 3;
  return s;
}

hal::SurfaceScanError scan_error(drivers::card_surface::OcrCardSurfaceScanner& scanner, std::chrono::milliseconds timeout,
                                 bool* released) {
  try {
    scanner.scan_code_b(timeout, [&](std::string_view) { *released = true; });
  } catch (const hal::SurfaceScanError& e) {
    return e;
  }
  FAIL("the scanner released a code");
  return hal::SurfaceScanError(hal::SurfaceScanErrorKind::Timeout, "no error");
}

}  // namespace

TEST_CASE("card tray + OCR scanner: a rendered card of each generation is read exactly, with its generation") {
  sim::camera::CardTrayCamera tray(small_tray());
  drivers::card_surface::OcrCardSurfaceScanner scanner(tray);
  std::mt19937 rng(11);
  for (const auto generation : {hal::CardGeneration::Current, hal::CardGeneration::Next}) {
    const auto fields = sim::card_face::random_card_fields(rng, today(), generation);
    tray.place(fields);
    std::string digits;
    hal::CardGeneration seen = hal::CardGeneration::Unknown;
    scanner.scan_card_face(8s, [&](std::string_view d, const hal::CardSurfaceScanner::CardFaceFacts& facts) {
      digits = d;
      seen = facts.generation;
    });
    INFO(hal::to_string(generation));
    CHECK(digits == expected_code_b(fields));
    CHECK(seen == generation);
    CHECK(scanner.last_scan().agreeing >= scanner.config().read.frames_to_agree);
  }
}

TEST_CASE("card tray + OCR scanner: glare over the code, the back side, no card: refused, never digits") {
  sim::camera::CardTrayCamera tray(small_tray());
  drivers::card_surface::OcrCardSurfaceScanner scanner(tray);
  std::mt19937 rng(12);
  tray.place(sim::card_face::random_card_fields(rng, today(), hal::CardGeneration::Current));
  sim::card_face::SceneConditions glare;
  glare.card_width_fraction = 0.6;
  glare.glare.push_back(sim::card_face::GlareSpot{cv::Point2d(69.0, 36.3), 7.0, 1.0});
  tray.set_conditions(glare);
  bool released = false;
  const auto e = scan_error(scanner, 1500ms, &released);
  CHECK_FALSE(released);
  CHECK(e.kind() == hal::SurfaceScanErrorKind::Unreadable);
  CHECK(e.hint() != hal::SurfaceScanHint::None);

  tray.clear_conditions();
  tray.place_back();
  const auto back = scan_error(scanner, 1000ms, &released);
  CHECK_FALSE(released);
  CHECK(back.kind() == hal::SurfaceScanErrorKind::Unreadable);

  tray.remove();
  const auto none = scan_error(scanner, 500ms, &released);
  CHECK_FALSE(released);
  CHECK(none.kind() == hal::SurfaceScanErrorKind::NoCard);

  tray.unplug();
  const auto gone = scan_error(scanner, 500ms, &released);
  CHECK(gone.kind() == hal::SurfaceScanErrorKind::DeviceGone);
}
