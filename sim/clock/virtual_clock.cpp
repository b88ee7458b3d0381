#include "sim/clock/virtual_clock.hpp"

namespace kiosk::sim::clock {

VirtualClock::VirtualClock(std::chrono::system_clock::time_point wall_start) : wall_start_(wall_start) {}

std::chrono::system_clock::time_point VirtualClock::now() const {
  return wall_start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed());
}

std::chrono::steady_clock::time_point VirtualClock::monotonic() const {
  // A fixed origin far from zero, so that "deadline - 30 s" never underflows.
  return std::chrono::steady_clock::time_point(std::chrono::hours(24)) +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(elapsed());
}

void VirtualClock::sleep_for(std::chrono::milliseconds duration) {
  if (duration.count() > 0) advance(duration);
}

void VirtualClock::advance(std::chrono::microseconds duration) {
  if (duration.count() > 0) elapsed_us_.fetch_add(duration.count());
}

std::chrono::microseconds VirtualClock::elapsed() const { return std::chrono::microseconds(elapsed_us_.load()); }

}  // namespace kiosk::sim::clock
