// The reception on a text terminal: each screen as a few lines, input as typed lines (the PIN
// without echo). Used by `kiosk sim` and `kiosk run` when no kiosk screen is configured, and by
// QA to drive the firmware from a script (`printf 'p\n1234\ny\ne\n\n' | kiosk sim`).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "firmware/kiosk/frontend.hpp"

namespace kiosk::firmware {

class TerminalFrontend final : public Frontend {
 public:
  // `input_fd`: where typed lines come from (0 = stdin). `texts`: a resource file of the kiosk
  // screen (firmware/kiosk/web/i18n/<lang>.json) for the message texts; may be empty.
  TerminalFrontend(int input_fd, std::ostream& out, nlohmann::json texts = {});
  ~TerminalFrontend() override;

  void start(EventSink sink) override;
  void show(const reception::Screen& screen) override;
  void stop() override;

 private:
  void read_input(std::stop_token stop);
  std::string text(const std::string& key) const;

  int fd_;
  std::ostream& out_;
  nlohmann::json texts_;
  EventSink sink_;
  std::mutex mutex_;
  std::condition_variable screen_changed_;
  reception::Screen screen_;
  std::uint64_t generation_ = 0;  // counts show() calls
  std::jthread reader_;
};

}  // namespace kiosk::firmware
