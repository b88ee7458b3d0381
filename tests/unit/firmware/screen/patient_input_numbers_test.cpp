// The 資格確認書 path's inputs of the kiosk page: "numbers-start" on the idle screen and the form
// ("numbers") on the number-entry screen, checked for shape before anything else.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "firmware/screen/patient_input.hpp"

using namespace kiosk;
using namespace kiosk::core::reception;
using nlohmann::json;

namespace {

json form() {
  return json{{"type", "numbers"},
              {"value",
               {{"document", "eligibility-certificate"},
                {"insurer_number", "06139992"},
                {"symbol", "10"},
                {"number", "2001"},
                {"branch", "00"},
                {"birthdate", "19900505"},
                {"limit_consent", true}}}};
}

Screen on(Step step) {
  Screen s;
  s.step = step;
  return s;
}

}  // namespace

TEST_CASE("page input: numbers-start on the idle screen only, without a value") {
  const json start{{"type", "numbers-start"}};
  CHECK_FALSE(firmware::screen::input_shape_error(start));
  CHECK(firmware::screen::input_shape_error(json{{"type", "numbers-start"}, {"value", 1}}));
  CHECK(firmware::screen::screen_takes_input(on(Step::Idle), "numbers-start", json()));
  CHECK_FALSE(firmware::screen::screen_takes_input(on(Step::MethodChoice), "numbers-start", json()));
  json copy = start;
  CHECK(std::holds_alternative<NumberEntryRequested>(firmware::screen::input_event(copy)));
}

TEST_CASE("page input: the 資格確認書 form becomes NumbersEntered on its screen, cancel works there") {
  json input = form();
  CHECK_FALSE(firmware::screen::input_shape_error(input));
  CHECK(firmware::screen::screen_takes_input(on(Step::NumberEntry), "numbers", input["value"]));
  CHECK_FALSE(firmware::screen::screen_takes_input(on(Step::Idle), "numbers", input["value"]));
  CHECK(firmware::screen::screen_takes_input(on(Step::NumberEntry), "cancel", json()));
  const Event e = firmware::screen::input_event(input);
  const auto* entered = std::get_if<NumbersEntered>(&e);
  REQUIRE(entered);
  CHECK(entered->entry.document == core::eligibility::PresentedDocument::EligibilityCertificate);
  CHECK(entered->entry.insurer_number == "06139992");
  CHECK(entered->entry.birthdate == "19900505");
  CHECK(entered->entry.limit_application_consent);

  json old = form();
  old["value"]["document"] = "health-insurance-card";
  old["value"].erase("branch");
  old["value"].erase("limit_consent");
  CHECK_FALSE(firmware::screen::input_shape_error(old));
  const Event o = firmware::screen::input_event(old);
  CHECK(std::get<NumbersEntered>(o).entry.document == core::eligibility::PresentedDocument::HealthInsuranceCard);
  CHECK(std::get<NumbersEntered>(o).entry.branch.empty());
  CHECK_FALSE(std::get<NumbersEntered>(o).entry.limit_application_consent);
}

TEST_CASE("page input: a malformed form is refused before the reception sees it") {
  auto with = [](const char* key, json value) {
    json f = form();
    f["value"][key] = std::move(value);
    return f;
  };
  CHECK(firmware::screen::input_shape_error(json{{"type", "numbers"}}));                        // no value
  CHECK(firmware::screen::input_shape_error(json{{"type", "numbers"}, {"value", "06139992"}}));  // not the form
  CHECK(firmware::screen::input_shape_error(with("document", "qualification-notice")));        // the notice alone is no document
  CHECK(firmware::screen::input_shape_error(with("insurer_number", 6139992)));
  CHECK(firmware::screen::input_shape_error(with("number", std::string(65, '1'))));
  CHECK(firmware::screen::input_shape_error(with("limit_consent", "yes")));
  CHECK(firmware::screen::input_shape_error(with("my_number", "123456789012")));
  json no_document = form();
  no_document["value"].erase("document");
  CHECK(firmware::screen::input_shape_error(no_document));
}
