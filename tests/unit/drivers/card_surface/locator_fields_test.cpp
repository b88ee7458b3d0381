// Finding the card in a frame, rectifying it, and finding printed fields by their content
// within the layout's search margins (synthetic images: no OCR, no simulator).
#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "drivers/card_surface/card_locator.hpp"
#include "drivers/card_surface/field_finder.hpp"
#include "drivers/card_surface/scanner_config.hpp"

using namespace kiosk::drivers::card_surface;

namespace {

constexpr double kPpm = 10.0;

// A plain light card (85.60 x 53.98 mm at `ppm_on_frame`) turned by `deg` about `centre` on a
// dark tray; its true corners (top-left, top-right, bottom-right, bottom-left as printed).
cv::Mat tray_with_card(cv::Point2f centre, double deg, double ppm_on_frame, Corners* corners) {
  cv::Mat frame(720, 1280, CV_8UC3, cv::Scalar(40, 45, 50));
  const float w = static_cast<float>(85.60 * ppm_on_frame);
  const float h = static_cast<float>(53.98 * ppm_on_frame);
  const double a = deg * CV_PI / 180.0;
  const auto at = [&](float x, float y) {
    return cv::Point2f(centre.x + static_cast<float>(x * std::cos(a) - y * std::sin(a)),
                       centre.y + static_cast<float>(x * std::sin(a) + y * std::cos(a)));
  };
  const Corners c{at(-w / 2, -h / 2), at(w / 2, -h / 2), at(w / 2, h / 2), at(-w / 2, h / 2)};
  std::vector<cv::Point> poly;
  for (const auto& p : c) poly.emplace_back(cv::Point(static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y))));
  cv::fillConvexPoly(frame, poly, cv::Scalar(225, 230, 228), cv::LINE_AA);
  if (corners != nullptr) *corners = c;
  return frame;
}

double corner_error(const Corners& found, const Corners& truth) {
  // The locator may report the card either way round (180 degrees): the reader tries both.
  double direct = 0;
  double flipped = 0;
  const Corners f = flip_corners(found);
  for (std::size_t i = 0; i < 4; ++i) {
    direct = std::max(direct, static_cast<double>(cv::norm(found[i] - truth[i])));
    flipped = std::max(flipped, static_cast<double>(cv::norm(f[i] - truth[i])));
  }
  return std::min(direct, flipped);
}

}  // namespace

TEST_CASE("card locator: a turned card on a dark tray is found to within a few pixels") {
  const ScannerConfig config;
  for (double deg : {0.0, 12.0, -25.0, 80.0}) {
    Corners truth{};
    const cv::Mat frame = tray_with_card({640, 360}, deg, 7.0, &truth);
    const Located located = locate_card(frame, config.layout, config.imaging);
    INFO("rotation " << deg);
    REQUIRE(located.status == LocateStatus::Found);
    CHECK(corner_error(located.corners, truth) < 6.0);
    CHECK(located.area_fraction > 0.2);
  }
}

TEST_CASE("card locator: a card that touches a sheet of paper on the tray is the card, not the paper") {
  // The paper shares the card's outline and its four sides are followed more closely than the
  // card's (a corner in the paper, two fingers over the edges), but only the card is large enough
  // to be read.
  const ScannerConfig config;
  for (const double deg : {30.0, -20.0}) {
    Corners truth{};
    cv::Mat frame = tray_with_card({700, 380}, deg, 7.0, &truth);
    const cv::Scalar paper(225, 230, 228);
    const cv::Point corner(static_cast<int>(truth[0].x), static_cast<int>(truth[0].y));
    cv::rectangle(frame, cv::Rect(corner.x - 150, corner.y - 60, 160, 230), paper, cv::FILLED);
    const cv::Scalar finger(60, 80, 120);
    for (const auto& [from, to] : {std::pair{truth[1], truth[2]}, std::pair{truth[2], truth[3]}}) {
      const cv::Point2f mid = (from + to) * 0.5f;
      cv::circle(frame, cv::Point(static_cast<int>(mid.x), static_cast<int>(mid.y)), 60, finger, cv::FILLED);
    }
    const Located located = locate_card(frame, config.layout, config.imaging);
    INFO("rotation " << deg);
    REQUIRE(located.status == LocateStatus::Found);
    CHECK(corner_error(located.corners, truth) < 6.0);
  }
}

TEST_CASE("card locator: no card, a card running out of the frame, a card too far away") {
  const ScannerConfig config;
  const cv::Mat empty(720, 1280, CV_8UC3, cv::Scalar(40, 45, 50));
  CHECK(locate_card(empty, config.layout, config.imaging).status == LocateStatus::NoCard);
  CHECK(locate_card(cv::Mat(), config.layout, config.imaging).status == LocateStatus::NoCard);
  const cv::Mat cut = tray_with_card({1050, 360}, 5.0, 9.0, nullptr);
  CHECK(locate_card(cut, config.layout, config.imaging).status == LocateStatus::CutOff);
  const cv::Mat far = tray_with_card({640, 360}, 5.0, 2.6, nullptr);
  const LocateStatus s = locate_card(far, config.layout, config.imaging).status;
  CHECK((s == LocateStatus::TooSmall || s == LocateStatus::NoCard));
}

TEST_CASE("card rectifier: the card's face comes out at the ID-1 size, upright") {
  const ScannerConfig config;
  Corners truth{};
  cv::Mat frame = tray_with_card({640, 360}, 20.0, 9.0, &truth);
  // A dark mark near the printed top-left corner shows the orientation.
  const cv::Point2f mark = truth[0] + (truth[1] - truth[0]) * 0.1f + (truth[3] - truth[0]) * 0.15f;
  cv::circle(frame, cv::Point(static_cast<int>(mark.x), static_cast<int>(mark.y)), 12, cv::Scalar(0, 0, 0), cv::FILLED);
  const cv::Mat card = rectify(frame, truth, config.layout, kPpm);
  CHECK(card.cols == 856);
  CHECK(card.rows == 540);
  cv::Mat grey;
  cv::cvtColor(card, grey, cv::COLOR_BGR2GRAY);
  CHECK(grey.at<unsigned char>(81, 86) < 60);    // the mark, top-left
  CHECK(grey.at<unsigned char>(459, 770) > 180);  // plain card, bottom-right
}

TEST_CASE("field finder: a text line is found by its content within the margins, not at fixed pixels") {
  const ScannerConfig config;
  const CardLayout& layout = config.layout;
  const FieldPlacement& f = layout.security_code;
  const double em = f.height_mm * kPpm;
  const cv::Rect window = search_window(f, layout, kPpm);
  CHECK(window.x == static_cast<int>(std::lround((f.x_mm - layout.margin_x_mm) * kPpm)));
  CHECK(window.height == static_cast<int>(std::lround((f.height_mm + 2 * layout.margin_y_mm) * kPpm)));
  const cv::Point expected(static_cast<int>(f.x_mm * kPpm), static_cast<int>(f.y_mm * kPpm));

  for (const cv::Point2d shift_mm : {cv::Point2d(0, 0), cv::Point2d(2.5, -1.5), cv::Point2d(-3.0, 2.0)}) {
    cv::Mat card(540, 856, CV_8UC1, cv::Scalar(235));
    const cv::Point origin(static_cast<int>((f.x_mm + shift_mm.x) * kPpm), static_cast<int>((f.y_mm + shift_mm.y) * kPpm));
    // putText's origin is the baseline's left end: the ink's top is one em above it.
    cv::putText(card, "1234", origin + cv::Point(0, static_cast<int>(em)), cv::FONT_HERSHEY_SIMPLEX, em / 22.0,
                cv::Scalar(30), 2, cv::LINE_AA);
    // A line of another field just outside the window does not count.
    cv::putText(card, "5678", cv::Point(window.x, window.y + window.height + static_cast<int>(em * 2)),
                cv::FONT_HERSHEY_SIMPLEX, em / 22.0, cv::Scalar(30), 2, cv::LINE_AA);
    const auto lines = find_text_lines(card, window, em, expected);
    INFO("shift " << shift_mm.x << ", " << shift_mm.y << " mm");
    REQUIRE_FALSE(lines.empty());
    CHECK(std::abs(lines.front().x - origin.x) < em * 0.6);
    CHECK(std::abs(lines.front().y - origin.y) < em * 0.6);
    for (const auto& l : lines) CHECK((window & l) == l);
    const cv::Mat ocr = ocr_image(card, lines.front(), em, 40);
    CHECK(ocr.rows >= 40);
  }
  // Beyond the margin: not this field.
  cv::Mat card(540, 856, CV_8UC1, cv::Scalar(235));
  cv::putText(card, "1234", cv::Point(static_cast<int>((f.x_mm - 12) * kPpm), static_cast<int>((f.y_mm + em / kPpm) * kPpm)),
              cv::FONT_HERSHEY_SIMPLEX, em / 22.0, cv::Scalar(30), 2, cv::LINE_AA);
  CHECK(find_text_lines(card, window, em, expected).empty());
  // A blank card: nothing.
  const cv::Mat blank(540, 856, CV_8UC1, cv::Scalar(235));
  CHECK(find_text_lines(blank, window, em, expected).empty());
}

TEST_CASE("scanner settings: JSON over the defaults, typos and impossible values named") {
  const auto config = scanner_config_from_json(nlohmann::json::parse(
      R"({"layout": {"margin_mm": [5.0, 2.5], "security_code": {"x_mm": 63.0}}, "read": {"frames_to_agree": 3}})"));
  CHECK(config.layout.margin_x_mm == Approx(5.0));
  CHECK(config.layout.margin_y_mm == Approx(2.5));
  CHECK(config.layout.security_code.x_mm == Approx(63.0));
  CHECK(config.layout.security_code.y_mm == Approx(ScannerConfig{}.layout.security_code.y_mm));
  CHECK(config.read.frames_to_agree == 3);
  CHECK_THROWS_WITH(scanner_config_from_json(nlohmann::json::parse(R"({"layout": {"birth_dat": {}}})")),
                    Catch::Contains("birth_dat"));
  CHECK_THROWS_WITH(scanner_config_from_json(nlohmann::json::parse(R"({"read": {"frames_to_agree": "two"}})")),
                    Catch::Contains("frames_to_agree"));
  CHECK_THROWS(scanner_config_from_json(nlohmann::json::parse(R"({"read": {"frames_to_agree": 0}})")));
  // Round trip: every key written out reads back to the same settings.
  const auto again = scanner_config_from_json(to_json(config));
  CHECK(again.layout.security_code.x_mm == Approx(63.0));
  CHECK(again.read.frames_to_agree == 3);
}
