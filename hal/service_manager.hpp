// The service manager that supervises the kiosk (systemd on a kiosk board): told when the
// kiosk is ready to serve, what it is doing, and that its reception loop is still alive.
// Implemented by drivers/system (libsystemd's sd_notify; nothing is sent when the kiosk does
// not run under a service manager, e.g. started from a shell).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace kiosk::hal {

class ServiceManager {
 public:
  virtual ~ServiceManager() = default;

  // True when a service manager listens: the calls below reach it. False: they do nothing.
  virtual bool supervised() const = 0;
  // The kiosk serves patients: the reader service and the screen are up (Type=notify units
  // count as started from here on; units ordered after the kiosk start now).
  virtual void ready() = 0;
  // One line saying what the kiosk is doing ("idle", "pin-entry", "card service down");
  // shown by `systemctl status`. Line breaks are replaced by spaces.
  virtual void status(std::string_view text) = 0;
  // The loop that serves patients is alive. Call it from that loop, as often as it turns:
  // the implementation sends at most what the manager needs (see watchdog_interval()). A loop
  // that stops calling gets the kiosk restarted once the manager's time-out passes.
  virtual void watchdog() = 0;
  // How often the manager must hear watchdog() (half its time-out), when it watches at all.
  virtual std::optional<std::chrono::microseconds> watchdog_interval() const = 0;
  // The kiosk is shutting down on purpose (a stop, not a crash).
  virtual void stopping() = 0;
};

}  // namespace kiosk::hal
