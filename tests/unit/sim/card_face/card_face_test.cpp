// The simulator's card face: the printed front of both card generations, the back, scenes.
#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include "sim/card_face/card_face_renderer.hpp"
#include "sim/card_face/card_scene.hpp"
#include "sim/card_face/sample_cards.hpp"

using namespace kiosk;
using namespace kiosk::sim::card_face;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

namespace {

PrintedFields sample(hal::CardGeneration generation) {
  PrintedFields f;
  f.generation = generation;
  f.name = "番号　花子";
  f.address_lines = {"東京都千代田区千代田1-1"};
  f.birth_date = year_month_day{year{1980}, month{2}, day{7}};
  f.sex = '2';
  f.card_expiry = year_month_day{year{2030}, month{2}, day{7}};
  f.security_code = "0472";
  return f;
}

}  // namespace

TEST_CASE("card face: the printed date lines of both generations") {
  auto f = sample(hal::CardGeneration::Current);
  CHECK(birth_date_text(f) == "昭和55年 2月 7日生");
  CHECK(expiry_text(f) == "2030年 2月 7日まで有効");
  f.birth_date = year_month_day{year{2019}, month{5}, day{1}};
  CHECK(birth_date_text(f) == "令和元年 5月 1日生");
  auto n = sample(hal::CardGeneration::Next);
  CHECK(birth_date_text(n) == "1980年 2月 7日生");
}

TEST_CASE("card face: the front is an ID-1 card with rounded corners and print on it, in every typeface") {
  const CardFaceRenderer renderer;
  REQUIRE_FALSE(renderer.typefaces().empty());
  for (const auto generation : {hal::CardGeneration::Current, hal::CardGeneration::Next}) {
    for (const Typeface tf : renderer.typefaces()) {
      RenderOptions o;
      o.pixels_per_mm = 8.0;
      o.typeface = tf;
      const cv::Mat card = renderer.front(sample(generation), o);
      INFO(to_string(tf));
      CHECK(card.type() == CV_8UC4);
      CHECK(card.cols == 685);  // 85.60 mm
      CHECK(card.rows == 432);  // 53.98 mm
      CHECK(card.at<cv::Vec4b>(0, 0)[3] == 0);               // outside the rounded corner
      CHECK(card.at<cv::Vec4b>(216, 342)[3] == 255);         // the card
      // The security code's area carries dark print (per card-face-layout.md).
      cv::Mat grey;
      cv::cvtColor(card, grey, cv::COLOR_BGRA2GRAY);
      double lo = 0;
      cv::minMaxLoc(grey(cv::Rect(static_cast<int>(62 * 8), static_cast<int>(33 * 8), 16 * 8, 6 * 8)), &lo);
      CHECK(lo < 90);
    }
  }
  auto bad = sample(hal::CardGeneration::Current);
  bad.security_code = "12a4";
  CHECK_THROWS_AS(renderer.front(bad, RenderOptions{}), std::invalid_argument);
  bad = sample(hal::CardGeneration::Unknown);
  CHECK_THROWS_AS(renderer.front(bad, RenderOptions{}), std::invalid_argument);
  CHECK(renderer.back(RenderOptions{}).type() == CV_8UC4);
}

TEST_CASE("card face: scenes place the card where the conditions say, and are reproducible") {
  const CardFaceRenderer renderer;
  RenderOptions o;
  o.pixels_per_mm = 8.0;
  const cv::Mat card = renderer.front(sample(hal::CardGeneration::Current), o);
  SceneConditions c;
  c.frame = cv::Size(800, 600);
  c.rotation_deg = 10.0;
  c.tilt_x_deg = 8.0;
  c.noise_sigma = 3.0;
  c.jpeg_quality = 80;
  c.seed = 5;
  const CardScene a = compose_scene(card, o.pixels_per_mm, c);
  const CardScene b = compose_scene(card, o.pixels_per_mm, c);
  CHECK(a.frame.size() == cv::Size(800, 600));
  CHECK(a.frame.type() == CV_8UC3);
  CHECK(a.card_fully_visible);
  CHECK(cv::norm(a.frame, b.frame, cv::NORM_INF) == 0);
  for (const auto& p : a.corners) CHECK(cv::Rect(0, 0, 800, 600).contains(cv::Point(p)));
  c.offset = cv::Point2d(0.45, 0.0);
  CHECK_FALSE(compose_scene(card, o.pixels_per_mm, c).card_fully_visible);
}

TEST_CASE("card face: made-up holders have plausible dates and the expiry on the birthday") {
  std::mt19937 rng(7);
  const year_month_day today{year{2025}, month{6}, day{1}};
  for (int i = 0; i < 50; ++i) {
    const auto f = random_card_fields(rng, today, i % 2 == 0 ? hal::CardGeneration::Current : hal::CardGeneration::Next);
    CHECK(f.security_code.size() == 4);
    CHECK(std::chrono::sys_days{f.birth_date} < std::chrono::sys_days{today});
    CHECK(std::chrono::sys_days{f.card_expiry} > std::chrono::sys_days{today});
    CHECK(f.card_expiry.year() <= today.year() + std::chrono::years{10});
  }
  // The 10th birthday after issue for adults, the 5th for minors.
  CHECK(card_expiry_for(year_month_day{year{1980}, month{2}, day{7}}, year_month_day{year{2020}, month{6}, day{1}}) ==
        year_month_day{year{2030}, month{2}, day{7}});
  CHECK(card_expiry_for(year_month_day{year{2010}, month{5}, day{5}}, year_month_day{year{2020}, month{6}, day{1}}) ==
        year_month_day{year{2025}, month{5}, day{5}});
}
