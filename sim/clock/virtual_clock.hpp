// A clock that only moves when told to: time-outs, back-off sleeps and device latencies cost no
// wall-clock time. QA scenarios and their runner use it; the firmware sees a hal::Clock.
// Thread-safe: the scenario player advances it while the reception's threads read it.
#pragma once

#include <atomic>
#include <chrono>

#include "hal/clock.hpp"

namespace kiosk::sim::clock {

class VirtualClock final : public hal::Clock {
 public:
  // Starts at `wall_start` (dates: certificate validity, journal times); monotonic time starts
  // at an arbitrary fixed point.
  explicit VirtualClock(std::chrono::system_clock::time_point wall_start);

  std::chrono::system_clock::time_point now() const override;
  std::chrono::steady_clock::time_point monotonic() const override;
  // Sleeping is advancing: the caller returns at once, later by `duration` in virtual time.
  void sleep_for(std::chrono::milliseconds duration) override;

  void advance(std::chrono::microseconds duration);
  // Virtual time since construction.
  std::chrono::microseconds elapsed() const;

 private:
  std::chrono::system_clock::time_point wall_start_;
  std::atomic<std::int64_t> elapsed_us_{0};
};

}  // namespace kiosk::sim::clock
