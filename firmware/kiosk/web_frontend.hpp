// The kiosk screen in a browser: an HTTP server on loopback that serves the kiosk page
// (firmware/kiosk/web/), pushes every screen to it by Server-Sent Events and turns the
// patient's touches into reception events.
//
//   GET  /              the page (index.html); other files of the web directory by their path
//   GET  /events        text/event-stream: "event: screen" with screen_to_json() as data, the
//                       current screen at once, then every new one (the newest wins: a slow
//                       client skips screens it has not fetched yet, never shows a stale one)
//   POST /input         application/json, one of
//                         {"type":"method","value":"face"|"pin"|"visual"}       MethodChosen
//                         {"type":"pin","value":"1234"}                         PinTyped
//                         {"type":"answer","value":true|false}                  Answered
//                         {"type":"prescription","value":"electronic"|"paper"}  PrescriptionChosen
//                         {"type":"ack"}                                        Acknowledged
//                         {"type":"cancel"}                                     Cancelled
//                       200 {"ok":true}; 400 {"error":...} for anything else; 409 when the
//                       screen on show takes no such input (the page was behind)
//   GET  /healthz       {"status":"ok","step":...,"event_clients":n}
//
// Only 127.0.0.1 is bound, and requests must name it (or localhost) in Host, so a web page
// elsewhere cannot reach the kiosk through DNS rebinding. The PIN is read into a fixed buffer,
// moved into a card::Secret and wiped; it is never logged, echoed or put into a screen.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "firmware/kiosk/frontend.hpp"

namespace kiosk::firmware {

// The page's files as built: the source tree's firmware/kiosk/web (compile-time KIOSK_WEB_DIR).
std::filesystem::path default_web_dir();

struct WebFrontendConfig {
  int port = 0;                      // 0: any free port (see WebFrontend::port())
  std::filesystem::path web_dir;     // empty: default_web_dir()
  std::size_t max_event_clients = 8;         // more get 503
  std::chrono::milliseconds keepalive{10000};  // an SSE comment this often finds dead clients
};

class WebFrontend final : public Frontend {
 public:
  explicit WebFrontend(WebFrontendConfig config = {});
  ~WebFrontend() override;  // stops
  WebFrontend(const WebFrontend&) = delete;
  WebFrontend& operator=(const WebFrontend&) = delete;

  // Binds 127.0.0.1 and serves on a thread of its own; throws std::runtime_error when the port
  // cannot be bound or the web directory has no index.html. Once only.
  void start(EventSink sink) override;
  // Thread-safe; may be called before start() (the screen is kept for the first client).
  void show(const reception::Screen& screen) override;
  // Ends the event streams and the server; returns promptly with clients connected. Idempotent.
  void stop() override;

  int port() const;         // the bound port (0 before start)
  std::string url() const;  // "http://127.0.0.1:<port>/"
  std::size_t event_clients() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiosk::firmware
