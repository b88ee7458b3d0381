// libFuzzer target: QA scenario files and console steps (sim/scenario/scenario.cpp).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/scenario/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto scenario = kiosk::sim::scenario::parse_scenario(text, "fuzz.json");
    for (const auto& step : scenario.steps) (void)kiosk::sim::scenario::describe(step.step);
    (void)kiosk::sim::scenario::parse_step(text, scenario);
  } catch (const kiosk::sim::scenario::ScenarioError&) {
  }
  return 0;
}
