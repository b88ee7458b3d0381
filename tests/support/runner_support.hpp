// For tests that run the reception runner in real time: a wall clock, a screen that shows
// nothing (and says whether the runner started it), and a wait for a condition.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#include "core/reception/frontend.hpp"
#include "hal/clock.hpp"

namespace kiosk::test {

class WallClock final : public hal::Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point monotonic() const override { return std::chrono::steady_clock::now(); }
  void sleep_for(std::chrono::milliseconds d) override { std::this_thread::sleep_for(d); }
};

class QuietScreen final : public core::reception::Frontend {
 public:
  void start(core::reception::EventSink) override { started = true; }
  void show(const core::reception::Screen&) override {}
  void stop() override {}
  std::atomic<bool> started{false};
};

// True once `p` holds, polled every 20 ms; false when `within` passes first.
template <typename Predicate>
bool eventually(Predicate p, std::chrono::milliseconds within) {
  const auto until = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < until) {
    if (p()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return p();
}

}  // namespace kiosk::test
