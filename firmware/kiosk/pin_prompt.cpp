#include "firmware/kiosk/pin_prompt.hpp"

#include <termios.h>
#include <unistd.h>

namespace kiosk::firmware {
namespace {

// Turns terminal echo off while alive (when `fd` is a terminal).
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
  bool active() const { return active_; }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

}  // namespace

std::optional<card::Secret> read_pin(std::FILE* in) {
  EchoOff echo_off(::fileno(in));
  card::Secret pin;
  bool overflow = false;
  for (;;) {
    const int c = std::fgetc(in);
    if (c == EOF) {
      if (echo_off.active()) std::fputc('\n', stdout);
      if (pin.empty()) return std::nullopt;
      break;
    }
    if (c == '\n') break;
    if (c == '\r') continue;
    if (pin.size() < card::Secret::kCapacity) {
      pin.push_back(static_cast<char>(c));
    } else {
      overflow = true;
    }
  }
  std::fputc('\n', stdout);  // the typed line is not echoed (or not a terminal): end the prompt's line
  if (overflow) pin.clear();  // too long: certainly not a PIN; the caller asks again
  return pin;
}

}  // namespace kiosk::firmware
