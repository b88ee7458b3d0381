#include "drivers/system/systemd_service_manager.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <systemd/sd-daemon.h>

namespace kiosk::drivers::system {

SystemdServiceManager::SystemdServiceManager() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  supervised_ = socket != nullptr && *socket != '\0';
  std::uint64_t usec = 0;
  // > 0 only when $WATCHDOG_USEC is set and $WATCHDOG_PID (if set) names this process.
  if (supervised_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    interval_ = std::chrono::microseconds(static_cast<std::int64_t>(usec / 2));
  }
}

void SystemdServiceManager::ready() { send("READY=1\nSTATUS=ready"); }

void SystemdServiceManager::status(std::string_view text) { send("STATUS=" + status_line(text)); }

void SystemdServiceManager::watchdog() {
  if (!interval_) return;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (last_ping_ && now - *last_ping_ < *interval_ / 2) return;
    last_ping_ = now;
  }
  send("WATCHDOG=1");
}

void SystemdServiceManager::stopping() { send("STOPPING=1\nSTATUS=stopping"); }

std::string SystemdServiceManager::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void SystemdServiceManager::send(const std::string& message) {
  if (!supervised_) return;
  const int r = sd_notify(0, message.c_str());
  if (r < 0) {
    const std::string first = message.substr(0, message.find('\n'));
    std::lock_guard lock(mutex_);
    last_error_ = "sd_notify(" + first + "): " + std::strerror(-r);
  }
}

std::string status_line(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return line;
}

}  // namespace kiosk::drivers::system
