// hal::ServiceManager on systemd's notification protocol (libsystemd's sd_notify).
//
// Under a Type=notify unit systemd sets $NOTIFY_SOCKET (and $WATCHDOG_USEC / $WATCHDOG_PID when
// the unit has WatchdogSec=); without it (started from a shell, in tests) every call is a
// no-op. watchdog() may be called on every turn of the reception loop: it sends WATCHDOG=1 only
// when a quarter of the manager's time-out has passed since the last one.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "hal/service_manager.hpp"

namespace kiosk::drivers::system {

class SystemdServiceManager final : public hal::ServiceManager {
 public:
  // Reads the environment systemd gave this process (once: later changes are not seen).
  SystemdServiceManager();

  bool supervised() const override { return supervised_; }
  void ready() override;
  void status(std::string_view text) override;
  void watchdog() override;
  std::optional<std::chrono::microseconds> watchdog_interval() const override { return interval_; }
  void stopping() override;

  // The last notification systemd could not be sent ("sd_notify(WATCHDOG=1): Connection
  // refused"), for diagnostics; empty when every one went out.
  std::string last_error() const;

 private:
  void send(const std::string& message);

  bool supervised_ = false;
  std::optional<std::chrono::microseconds> interval_;
  mutable std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> last_ping_;
  std::string last_error_;
};

// One line for STATUS=: control characters (line breaks end a notification field) become spaces.
std::string status_line(std::string_view text);

}  // namespace kiosk::drivers::system
