// The reception on a text terminal: each screen as a few lines, input as typed lines (the PIN
// without echo). Used by `kiosk sim` and `kiosk run` when no kiosk screen is configured, and by
// QA to drive the firmware from a script (`printf 'p\n1234\ny\ne\n\n' | kiosk sim`).
#pragma once

#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/reception/frontend.hpp"

namespace kiosk::firmware::screen {

// Terminal echo off while alive (only when `fd` is a terminal): the PIN here, a staff passcode
// in `kiosk staff-passcode`.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::isatty(fd_) == 0 || ::tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

// Key by key while alive (only when `fd` is a terminal): each key reaches the kiosk when pressed,
// not at Enter, so that typing counts as the patient's activity (the time-out of the screen starts
// again). The terminal's own echo is off; the frontend echoes the keys of screens other than the
// PIN screen itself (a PIN digit is never echoed, not even as '*').
class KeyByKey {
 public:
  explicit KeyByKey(int fd) : fd_(fd) {
    if (fd_ < 0 || ::isatty(fd_) == 0 || ::tcgetattr(fd_, &saved_) != 0) return;
    termios keys = saved_;
    keys.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    keys.c_cc[VMIN] = 1;
    keys.c_cc[VTIME] = 0;
    active_ = ::tcsetattr(fd_, TCSANOW, &keys) == 0;
  }
  ~KeyByKey() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }
  KeyByKey(const KeyByKey&) = delete;
  KeyByKey& operator=(const KeyByKey&) = delete;
  bool active() const noexcept { return active_; }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

class TerminalFrontend final : public core::reception::Frontend {
 public:
  static constexpr std::chrono::milliseconds kActivityInterval{2000};
  // `input_fd`: where typed lines come from (0 = stdin). `texts`: a resource file of the kiosk
  // screen (firmware/screen/web/i18n/<lang>.json) for the message texts; may be empty.
  TerminalFrontend(int input_fd, std::ostream& out, nlohmann::json texts = {});
  ~TerminalFrontend() override;

  void start(core::reception::EventSink sink) override;
  void show(const core::reception::Screen& screen) override;
  void stop() override;

 private:
  void read_input(std::stop_token stop);
  // A key was pressed: on a screen that waits for the patient, PatientActive, at most once per
  // kActivityInterval (as the web page posts /activity). Carries nothing of the key.
  void key_pressed();
  std::string text(const std::string& key) const;

  int fd_;
  std::ostream& out_;
  nlohmann::json texts_;
  core::reception::EventSink sink_;
  std::mutex mutex_;
  std::condition_variable screen_changed_;
  core::reception::Screen screen_;
  std::uint64_t generation_ = 0;  // counts show() calls
  std::optional<std::chrono::steady_clock::time_point> last_activity_;  // reader thread only
  std::jthread reader_;
};

}  // namespace kiosk::firmware::screen
