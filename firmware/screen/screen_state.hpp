// What the kiosk screen's HTTP handlers share (the patient screen and the staff console): the
// screen on show, the way into the reception machine, and the event streams open, counted in
// one place so that stop() ends them all and a flood of clients gets 503.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>

#include "core/reception/frontend.hpp"
#include "firmware/screen/http_hygiene.hpp"

namespace kiosk::firmware::screen {

// Ends an event stream the way a browser expects (the last, empty chunk), so that its EventSource
// sees the end of the stream and not a broken connection (which Chromium logs as an error).
// For a chunked content provider: `return end_stream(sink);`.
inline bool end_stream(httplib::DataSink& sink) {
  sink.done();
  return true;
}

struct ScreenState {
  mutable std::mutex mutex;
  std::condition_variable changed;  // a new screen, or stopping
  core::reception::Screen screen;   // on show now
  std::uint64_t seq = 1;            // of `screen`
  std::string frame;                // `screen` as an SSE event
  core::reception::EventSink sink;  // into the machine
  bool started = false;
  bool stopping = false;
  std::size_t clients = 0;          // event streams open
  std::size_t max_clients = 8;

  // The machine's input as it is now (empty before start); `under_lock` runs with the mutex held
  // (and may look at the screen) and returns false to refuse.
  template <typename Check>
  core::reception::EventSink sink_if(Check under_lock) const {
    const std::lock_guard lock(mutex);
    return under_lock() ? sink : core::reception::EventSink{};
  }

  // Opens an event stream on `res` for one more client (503 when there are too many, or when
  // stopping); `provider` as httplib's chunked content provider.
  template <typename Provider>
  void stream(httplib::Response& res, Provider provider) {
    {
      const std::lock_guard lock(mutex);
      if (stopping) return send_error(res, 503, "stopping");
      if (clients >= max_clients) return send_error(res, 503, "too many event clients");
      ++clients;
    }
    res.set_header("X-Accel-Buffering", "no");
    // httplib calls the provider outside its own try/catch: an exception there (the journal
    // unreadable, out of memory) would end the kiosk in std::terminate. It ends the stream
    // instead; the browser reconnects.
    auto guarded = [provider = std::move(provider)](std::size_t offset, httplib::DataSink& out) mutable {
      try {
        return provider(offset, out);
      } catch (const std::exception& e) {
        std::cerr << "[kiosk] event stream ended: " << e.what() << "\n";
      } catch (...) {
        std::cerr << "[kiosk] event stream ended: unknown error\n";
      }
      return false;  // closes the connection
    };
    res.set_chunked_content_provider("text/event-stream", std::move(guarded), [this](bool) {
      const std::lock_guard lock(mutex);
      --clients;
    });
  }
};

}  // namespace kiosk::firmware::screen
