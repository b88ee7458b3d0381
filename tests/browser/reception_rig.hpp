// A real core::reception::ReceptionMachine wired to a WebFrontend the way the runner wires them:
// the machine's Show commands go to the frontend, the frontend's events go back into the
// machine, and every other command (ReadCard, VerifyPin, ConfirmEligibility, ...) is kept for
// the test, which answers it with the event a device or the service would send. Time passes for
// the machine when the test calls tick().
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/reception/reception_machine.hpp"
#include "firmware/screen/web_frontend.hpp"

namespace kiosk::test {

class ReceptionRig {
 public:
  // `policy`: the machine's time-outs (short ones let a test see a time-out without waiting a minute).
  explicit ReceptionRig(firmware::screen::WebFrontendConfig config = {}, core::reception::Policy policy = {})
      : machine_(policy), frontend_(std::move(config)) {
    frontend_.show(machine_.screen());
    frontend_.start([this](core::reception::Event e) { feed(std::move(e)); });
  }
  ~ReceptionRig() { frontend_.stop(); }
  ReceptionRig(const ReceptionRig&) = delete;
  ReceptionRig& operator=(const ReceptionRig&) = delete;

  // One event into the machine, from the test or from the page (any thread).
  void feed(core::reception::Event e) {
    {
      std::lock_guard lock(mutex_);
      std::vector<core::reception::Command> commands = machine_.handle(std::move(e), std::chrono::steady_clock::now());
      for (core::reception::Command& c : commands) {
        if (const auto* show = std::get_if<core::reception::Show>(&c)) {
          frontend_.show(show->screen);
        } else {
          commands_.push_back(std::move(c));
        }
      }
    }
    changed_.notify_all();
  }

  // The oldest command of type T not yet taken (others stay), waiting up to `timeout`.
  template <class T>
  std::optional<T> take(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    std::optional<T> found;
    changed_.wait_for(lock, timeout, [&] {
      for (auto it = commands_.begin(); it != commands_.end(); ++it) {
        if (auto* t = std::get_if<T>(&*it)) {
          found.emplace(std::move(*t));
          commands_.erase(it);
          return true;
        }
      }
      return false;
    });
    return found;
  }

  // What the runner's loop does when nothing happens: time passes for the machine (its time-outs).
  void tick() { feed(core::reception::Tick{std::chrono::steady_clock::now()}); }

  core::reception::Step step() {
    std::lock_guard lock(mutex_);
    return machine_.step();
  }

  std::string url() const { return frontend_.url(); }
  // The staff pages on the LAN (WebFrontendConfig::staff_lan), "https://127.0.0.1:<port>/".
  std::string staff_lan_url() const { return "https://127.0.0.1:" + std::to_string(frontend_.staff_lan_port()) + "/"; }
  firmware::screen::WebFrontend& frontend() { return frontend_; }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  core::reception::ReceptionMachine machine_;
  std::deque<core::reception::Command> commands_;
  firmware::screen::WebFrontend frontend_;
};

}  // namespace kiosk::test
