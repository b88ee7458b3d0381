// Helpers of the kiosk screen tests: an SSE client that collects screens, and a sink that
// records the reception events the frontend posts.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/reception/frontend.hpp"

namespace kiosk::test {

// Reads GET /events on a thread of its own; every "screen" event is parsed and queued.
class SseClient {
 public:
  explicit SseClient(int port) : client_("127.0.0.1", port) {
    client_.set_connection_timeout(std::chrono::seconds(2));
    client_.set_read_timeout(std::chrono::seconds(5));
    thread_ = std::thread([this] { run(); });
  }
  ~SseClient() { close(); }
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  void close() {
    stop_ = true;
    client_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // The next screen not yet taken, waiting up to `timeout`.
  std::optional<nlohmann::json> next(std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return !screens_.empty() || ended_; })) return std::nullopt;
    if (screens_.empty()) return std::nullopt;
    nlohmann::json j = std::move(screens_.front());
    screens_.pop_front();
    return j;
  }

  // Screens until one of `step` (skipping others), or nullopt.
  std::optional<nlohmann::json> next_of(const std::string& step,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      auto j = next(left);
      if (!j) return std::nullopt;
      if ((*j)["step"] == step) return j;
    }
    return std::nullopt;
  }

  bool wait_ended(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return ended_; });
  }

  int status() const {
    std::lock_guard lock(mutex_);
    return status_;
  }
  std::string raw() const {
    std::lock_guard lock(mutex_);
    return raw_;
  }
  std::string content_type() const {
    std::lock_guard lock(mutex_);
    return content_type_;
  }

 private:
  void run() {
    client_.Get(
        "/events", httplib::Headers{},
        [this](const httplib::Response& r) {
          std::lock_guard lock(mutex_);
          status_ = r.status;
          content_type_ = r.get_header_value("Content-Type");
          return r.status == 200;
        },
        [this](const char* data, std::size_t size) {
          {
            std::lock_guard lock(mutex_);
            raw_.append(data, size);
            pending_.append(data, size);
            parse();
          }
          changed_.notify_all();
          return !stop_.load();
        });
    {
      std::lock_guard lock(mutex_);
      ended_ = true;
    }
    changed_.notify_all();
  }

  // Complete events end with a blank line; only "screen" events are kept.
  void parse() {
    std::size_t end;
    while ((end = pending_.find("\n\n")) != std::string::npos) {
      const std::string block = pending_.substr(0, end);
      pending_.erase(0, end + 2);
      std::string event;
      std::string data;
      std::size_t start = 0;
      while (start < block.size()) {
        std::size_t nl = block.find('\n', start);
        if (nl == std::string::npos) nl = block.size();
        const std::string line = block.substr(start, nl - start);
        if (line.rfind("event: ", 0) == 0) event = line.substr(7);
        if (line.rfind("data: ", 0) == 0) data += line.substr(6);
        start = nl + 1;
      }
      if (event == "screen") screens_.push_back(nlohmann::json::parse(data));
    }
  }

  httplib::Client client_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<nlohmann::json> screens_;
  std::string pending_;
  std::string raw_;
  std::string content_type_;
  int status_ = 0;
  bool ended_ = false;
};

// Collects the events a frontend posts.
class EventRecorder {
 public:
  core::reception::EventSink sink() {
    return [this](core::reception::Event e) {
      {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(e));
      }
      changed_.notify_all();
    };
  }

  // Waits until there are `n` events in all.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return events_.size();
  }

  // Takes the oldest event.
  std::optional<core::reception::Event> take() {
    std::lock_guard lock(mutex_);
    if (events_.empty()) return std::nullopt;
    core::reception::Event e = std::move(events_.front());
    events_.erase(events_.begin());
    return e;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<core::reception::Event> events_;
};

}  // namespace kiosk::test
