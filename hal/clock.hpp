// Time source. The real one is drivers/system_clock; the simulator's is a manual clock so
// that dates (certificate expiry) and time-outs are testable.
#pragma once

#include <chrono>

namespace kiosk::hal {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (certificate validity, journal times).
  virtual std::chrono::system_clock::time_point now() const = 0;
  // Monotonic time for time-outs.
  virtual std::chrono::steady_clock::time_point monotonic() const = 0;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

}  // namespace kiosk::hal
