// hal::Clock on the operating system's clocks.
#pragma once

#include "hal/clock.hpp"

namespace kiosk::drivers::system {

class SystemClock final : public hal::Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
  std::chrono::steady_clock::time_point monotonic() const override;
  void sleep_for(std::chrono::milliseconds duration) override;
};

}  // namespace kiosk::drivers::system
