// The second opinions on digits the two engines of the card-surface reader disagree on: the
// vote, and the models that read for it.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "drivers/card_surface/ocr_card_surface_scanner.hpp"
#include "drivers/card_surface/scanner_config.hpp"
#include "drivers/card_surface/second_opinion.hpp"

using namespace kiosk::drivers::card_surface;

namespace {

std::optional<std::string> vote(std::initializer_list<Reading> readings, VoteRule rule = {}) {
  const std::vector<Reading> v(readings);
  const auto winner = consensus(v, rule);
  return winner ? std::optional<std::string>(std::string(*winner)) : std::nullopt;
}

// Dark digits on white, as the reader hands a line to an engine.
cv::Mat printed(const std::string& digits) {
  cv::Mat image(60, 40 + 30 * static_cast<int>(digits.size()), CV_8UC1, cv::Scalar(255));
  cv::putText(image, digits, cv::Point(20, 45), cv::FONT_HERSHEY_SIMPLEX, 1.3, cv::Scalar(0), 3, cv::LINE_AA);
  return image;
}

}  // namespace

TEST_CASE("second opinions: a clear majority of confident readings wins, a split vote is no reading") {
  // The date engine's 0 read as a 9, outvoted by the digit engine and three other models.
  CHECK(vote({{"2039", 97}, {"2030", 100}, {"2030", 99}, {"2030", 99}, {"2030", 98}}) == "2030");
  // Two readings against the majority: refused (the rule allows one).
  CHECK_FALSE(vote({{"8561", 97}, {"8581", 99}, {"8581", 99}, {"8581", 98}, {"8061", 96}}));
  // The same digits without confidence do not count for them.
  CHECK(vote({{"9", 38}, {"9", 99}, {"9", 100}, {"9", 99}, {"9", 99}}) == "9");
  CHECK_FALSE(vote({{"9", 38}, {"", 0}, {"9", 100}, {"9", 99}, {"7", 99}}));
  // Engines that found nothing, or were unsure, with nobody reading another digit: one agreeing
  // reading fewer is enough (a lone 1 the digit engine does not see).
  CHECK(vote({{"9", 38}, {"", 0}, {"9", 100}, {"9", 99}, {"9", 99}}) == "9");
  CHECK(vote({{"1", 86}, {"", 0}, {"", 0}, {"1", 94}, {"1", 94}}) == "1");
  CHECK_FALSE(vote({{"1", 48}, {"", 0}, {"", 0}, {"1", 91}, {"1", 98}}));
  // A reading with a digit left out ("1" of "11", a glyph an engine dropped) does not speak for
  // other digits: as if unsure. Another digit read with confidence still does.
  CHECK(vote({{"11", 99}, {"11", 54}, {"11", 98}, {"1", 83}, {"11", 99}}) == "11");
  CHECK(vote({{"2030", 99}, {"", 0}, {"230", 95}, {"2030", 97}, {"2030", 98}}) == "2030");
  CHECK_FALSE(vote({{"11", 99}, {"11", 54}, {"11", 98}, {"17", 83}, {"11", 99}}));
  CHECK_FALSE(vote({{"11", 99}, {"11", 54}, {"11", 98}, {"111", 83}, {"11", 99}}));
  CHECK_FALSE(vote({{"2030", 99}, {"", 0}, {"203", 95}, {"2030", 97}, {"20", 98}}));
  // Nothing read never wins, however many say it.
  CHECK_FALSE(vote({{"", 0}, {"", 0}, {"", 0}, {"", 0}, {"1", 99}}));
  CHECK_FALSE(vote({{"", 0}, {"", 0}, {"", 0}, {"1", 99}, {"1", 99}}));
  // The rule is the configuration's.
  CHECK(vote({{"7927", 99}, {"1927", 99}, {"7927", 99}}, VoteRule{2, 1, 80}) == "7927");
  CHECK_FALSE(vote({{"7927", 99}, {"1927", 99}, {"7927", 79}}, VoteRule{2, 1, 80}));
  CHECK_FALSE(vote({}, VoteRule{}));
}

TEST_CASE("second opinions: installed models read digits, a model not installed is left out and named") {
  SecondOpinions opinions({"eng", "no_such_model"}, {});
  REQUIRE(opinions.members() == std::vector<std::string>{"eng"});
  CHECK(opinions.missing() == std::vector<std::string>{"no_such_model"});
  CHECK_FALSE(opinions.empty());
  const std::vector<OcrLine> lines = opinions.read(printed("2030"));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].text == "2030");

  SecondOpinions none({"no_such_model"}, {});
  CHECK(none.empty());
  CHECK(none.read(printed("7")).empty());
}

TEST_CASE("second opinions: the models and the vote are settings a technician can change, within bounds") {
  const ScannerConfig defaults;
  CHECK(defaults.read.second_opinion_models == std::vector<std::string>{"Japanese", "chi_sim", "kor"});
  CHECK(defaults.read.second_opinion_agree == 4);
  CHECK(defaults.read.second_opinion_dissent == 1);
  const auto config = scanner_config_from_json(nlohmann::json::parse(
      R"({"read": {"second_opinion_models": ["script/Latin", "deu"], "second_opinion_agree": 3, "second_opinion_dissent": 0}})"));
  CHECK(config.read.second_opinion_models == std::vector<std::string>{"script/Latin", "deu"});
  CHECK(config.read.second_opinion_agree == 3);
  CHECK(config.read.second_opinion_dissent == 0);
  const auto again = scanner_config_from_json(to_json(config));
  CHECK(again.read.second_opinion_models == config.read.second_opinion_models);
  // No second opinions: the two engines must agree, as before.
  CHECK(scanner_config_from_json(nlohmann::json::parse(R"({"read": {"second_opinion_models": []}})"))
            .read.second_opinion_models.empty());
  for (const char* bad : {R"({"read": {"second_opinion_models": "kor"}})", R"({"read": {"second_opinion_models": ["../etc/x"]}})",
                          R"({"read": {"second_opinion_models": [""]}})", R"({"read": {"second_opinion_models": [7]}})",
                          R"({"read": {"second_opinion_agree": 1}})", R"({"read": {"second_opinion_dissent": 5}})",
                          R"({"read": {"second_opinion_agree": 2, "second_opinion_dissent": 2}})"}) {
    INFO(bad);
    CHECK_THROWS_WITH(scanner_config_from_json(nlohmann::json::parse(bad)), Catch::Contains("read.second_opinion"));
  }
}

TEST_CASE("second opinions: a scanner without a model's data says so for diagnostics") {
  const auto no_camera = [] { return std::unique_ptr<kiosk::hal::Camera>(); };
  ScannerConfig config;
  config.read.second_opinion_models = {"eng", "no_such_model"};
  const OcrCardSurfaceScanner degraded(no_camera, config);
  CHECK_THAT(degraded.degraded(), Catch::Contains("no_such_model") && Catch::Contains("fewer cards read"));
  config.read.second_opinion_models = {"eng"};
  const OcrCardSurfaceScanner complete(no_camera, config);
  CHECK(complete.degraded().empty());
}
