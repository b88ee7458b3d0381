// Numbers in scenario files are never wrapped or truncated, and a hostile file is an error, not a
// crash (issue 18, reliability 7 and the fuzzing of scenario files).
#include <catch2/catch.hpp>

#include "sim/scenario/scenario.hpp"

using namespace kiosk::sim::scenario;

namespace {

std::string scenario_with(const std::string& card_spec, const std::string& steps) {
  return R"({"format": "kiosk-scenario", "version": 1, "name": "t", "cards": {"card": )" + card_spec +
         R"(}, "steps": )" + steps + "}";
}

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "t.json");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

const std::string kPlace = R"([{"place_card": "card"}])";

}  // namespace

TEST_CASE("scenario numbers: tries_left out of range or not whole is refused with the value as written") {
  CHECK_THAT(error_of(scenario_with(R"({"world_card": "taro", "tries_left": 4294967297})", kPlace)),
             Catch::Contains("t.json.cards.card.tries_left: a whole number from 0 to 3, found 4294967297"));
  CHECK_THAT(error_of(scenario_with(R"({"world_card": "taro", "tries_left": 2.9})", kPlace)),
             Catch::Contains("found 2.9"));
  CHECK_THAT(error_of(scenario_with(R"({"world_card": "taro", "tries_left": -2147483648})", kPlace)),
             Catch::Contains("found -2147483648"));
  CHECK(error_of(scenario_with(R"({"world_card": "taro", "tries_left": 2.0})", kPlace)) == "no error");
  CHECK_THAT(error_of(scenario_with(R"({"world_card": "taro"})", R"([{"expect": {"card_tries_left": {"card": 4294967297}}}])")),
             Catch::Contains("card_tries_left.card: a whole number from 0 to 15, found 4294967297"));
}

TEST_CASE("scenario numbers: waits and durations are bounded, seeds are whole") {
  CHECK_THAT(error_of(scenario_with(R"({"world_card": "taro"})", R"([{"wait": 1e300}])")),
             Catch::Contains("seconds from 0 to 86400, found 1e+300"));
  CHECK_THAT(error_of(scenario_with(R"({"world_card": "taro"})", R"([{"fault": {"target": "service", "kind": "slow", "delay_ms": 1e30}}])")),
             Catch::Contains("delay_ms: a number from 0"));
  CHECK_THAT(error_of(R"({"format": "kiosk-scenario", "version": 1.5, "name": "t", "steps": [{"wait": 1}]})"),
             Catch::Contains("version: a whole number"));
  CHECK_THAT(error_of(R"({"format": "kiosk-scenario", "version": 1, "name": "t", "seed": 4294967296, "steps": [{"wait": 1}]})"),
             Catch::Contains("seed: a whole number from 0 to 2147483647, found 4294967296"));
}

TEST_CASE("scenario files: a number that overflows or a value nested 100,000 deep is an error, not a crash") {
  CHECK_THAT(error_of(R"({"format": "kiosk-scenario", "version": 1, "name": "t", "steps": [{"wait": 1e400}]})"),
             Catch::Contains("number overflow"));
  const std::string deep = R"({"format": "kiosk-scenario", "version": 1, "name": "t", "steps": [{"note": )" +
                           std::string(100000, '[') + std::string(100000, ']') + "}]}";
  CHECK_THAT(error_of(deep), Catch::Contains("nested deeper than 32 levels"));
}
