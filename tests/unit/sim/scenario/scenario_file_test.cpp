// The scenario file format: what parses, and errors that name the place.
#include <catch2/catch.hpp>

#include "sim/scenario/scenario.hpp"

using namespace kiosk::sim::scenario;

namespace {

std::string file_with_steps(const std::string& steps, const std::string& extra = "") {
  return R"({"format": "kiosk-scenario", "version": 1, "name": "t", "cards": {"card": {"world_card": "taro"}})" + extra +
         R"(, "steps": )" + steps + "}";
}

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "t.json");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("scenario: every step kind parses") {
  const Scenario s = parse_scenario(file_with_steps(R"([
    {"place_card": "card", "note": "first"}, {"show_face": "taro"}, {"show_face": {"person": "taro", "presentation": "printed-photo"}},
    {"show_face": null}, {"choose": "pin"}, {"type_pin": "1234"}, {"answer": true}, {"prescription": "paper"},
    {"acknowledge": true}, {"cancel": true}, {"staff_visual_check_mode": {"enabled": true, "staff_id": "N1"}},
    {"staff_visual_check": {"confirmed": false, "staff_id": "N1"}}, {"wait": 1.5},
    {"fault": {"target": "card", "kind": "truncate", "command": "00 B0", "keep": 2}},
    {"fault": {"target": "service", "kind": "slow", "delay_ms": 3000}},
    {"if_face": true, "remove_card": true},
    {"expect": {"screen": "method-choice", "message": "K102", "methods": ["pin"], "tries_left": 3, "validity": "none",
                "card_tries_left": {"card": 3}, "journal": [], "result_files": 0, "verify_count": 0,
                "screens_seen": ["idle"]}}
  ])", R"(, "timing": {"bit_rate_kbps": 106, "rsa_signing_ms": 900}, "seed": 7)"),
                                    "t.json");
  REQUIRE(s.steps.size() == 17);
  CHECK(s.seed == 7);
  CHECK(s.timing.bit_rate_kbps == 106.0);
  CHECK(s.timing.rsa_signing == std::chrono::milliseconds(900));
  CHECK(s.steps[0].note == "first");
  CHECK(std::get<ShowFace>(s.steps[2].step).presentation == "printed-photo");
  CHECK(std::get<ShowFace>(s.steps[3].step).person.empty());
  CHECK(std::get<Wait>(s.steps[12].step).duration == std::chrono::milliseconds(1500));
  CHECK(std::get<Fault>(s.steps[13].step).keep == std::size_t{2});
  CHECK(std::get<Fault>(s.steps[14].step).delay == std::chrono::milliseconds(3000));
  CHECK(s.steps[15].needs_face);
  const auto& e = std::get<Expect>(s.steps[16].step);
  CHECK(e.screen == "method-choice");
  CHECK(e.card_tries_left->at("card") == 3);
}

TEST_CASE("scenario: errors name the file, the step and what is wrong") {
  CHECK_THAT(error_of("{"), Catch::StartsWith("t.json: not valid JSON: ") && Catch::Contains("line 1, column 2"));
  CHECK(error_of(file_with_steps(R"([{"jump": true}])")).find("t.json: steps[0]: unknown action 'jump'") == 0);
  CHECK(error_of(file_with_steps(R"([{"place_card": "other"}])")) ==
        "t.json: steps[0].place_card: no card named 'other' in 'cards'");
  CHECK(error_of(file_with_steps(R"([{"choose": "pin", "answer": true}])")).find("two actions") != std::string::npos);
  CHECK(error_of(file_with_steps(R"([{"expect": {"screen": "PinEntry"}}])")).find("steps[0].expect.screen: 'PinEntry' is not one of") ==
        std::string("t.json: ").size());
  CHECK(error_of(file_with_steps(R"([{"expect": {"scren": "idle"}}])")) == "t.json: steps[0].expect: unknown key 'scren'");
  CHECK(error_of(file_with_steps(R"([{"fault": {"target": "card", "kind": "truncate", "command": "00 B0"}}])")) ==
        "t.json: steps[0].fault: a truncate fault needs 'keep'");
  CHECK(error_of(file_with_steps(R"([{"fault": {"target": "card", "kind": "garbage", "command": "0G", "replace": "6F"}}])"))
            .find("command: expected hex bytes") != std::string::npos);
  CHECK(error_of(file_with_steps(R"([{"wait": -1}])")) == "t.json: steps[0].wait: seconds from 0 to 86400, found -1");
  CHECK(error_of(file_with_steps("[]")) == "t.json.steps: expected a list of steps");
  CHECK(error_of(R"({"format": "other", "version": 1, "name": "x", "steps": []})") ==
        "t.json: 'format' must be \"kiosk-scenario\"");
}

TEST_CASE("scenario: compare lists every difference as expected vs seen") {
  Expect e;
  e.screen = "pin-entry";
  e.message = "K110";
  e.tries_left = 2;
  e.journal = std::vector<std::string>{"pin-wrong"};
  e.card_tries_left = std::map<std::string, int>{{"card", 2}, {"other", 3}};
  Observed seen;
  seen.screen = "notice";
  seen.message = "";
  seen.tries_left = -1;
  seen.journal = {"pin-wrong", "pin-locked"};
  seen.card_tries_left = {{"card", 2}};
  const auto diff = compare(e, seen);
  REQUIRE(diff.size() == 5);
  CHECK(diff[0] == "screen: expected pin-entry, seen notice");
  CHECK(diff[1] == "message: expected K110, seen none");
  CHECK(diff[2] == "tries_left: expected 2, seen -1");
  CHECK(diff[3] == "card_tries_left.other: expected 3, seen no such card");
  CHECK(diff[4] == "journal: expected [pin-wrong], seen [pin-wrong, pin-locked]");

  Expect order;
  order.screens_seen = std::vector<std::string>{"reading-card", "idle"};
  Observed shown;
  shown.screens_since_last_expect = {"reading-card", "method-choice", "idle"};
  CHECK(compare(order, shown).empty());
  shown.screens_since_last_expect = {"idle", "reading-card"};
  CHECK(compare(order, shown).size() == 1);
}

TEST_CASE("scenario: describe says who did what without the PIN") {
  CHECK(describe(TypePin{"1234"}) == "the patient types a PIN (4 digits)");
  CHECK(describe(Wait{std::chrono::milliseconds(61000)}) == "time passes: 61 s");
  CHECK(describe(StaffVisualCheckMode{true, "N1"}) == "staff N1 switches visual-check mode on");
}
