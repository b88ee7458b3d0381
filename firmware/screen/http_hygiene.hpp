// HTTP hygiene of the kiosk screen's server, shared by the patient screen and the staff console:
// the response headers every answer carries, JSON answers and errors, small JSON bodies read
// through a wiped buffer (a PIN or passcode may be in one), the loopback Host/Origin rule, and
// the page's static files (no path outside the web directory, a fixed list of file types).
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "drivers/https/guarded_server.hpp"

namespace kiosk::firmware::screen {

inline constexpr const char* kLoopbackHost = "127.0.0.1";
inline constexpr std::size_t kMaxInputBytes = 512;  // the largest valid input is ~50 bytes

// Every response: the page loads only its own files, nothing is cached (an update shows at the
// next load), no other site may frame or read it.
const httplib::Headers& default_headers();

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
void send_error(httplib::Response& res, int status, std::string_view error, std::string_view detail = {});

// Overwrites every string of a parsed input when it goes out of scope (the PIN is one of them).
class JsonWipeGuard {
 public:
  explicit JsonWipeGuard(nlohmann::json& j) noexcept : j_(j) {}
  ~JsonWipeGuard();
  JsonWipeGuard(const JsonWipeGuard&) = delete;
  JsonWipeGuard& operator=(const JsonWipeGuard&) = delete;

 private:
  nlohmann::json& j_;
};

// Reads a small JSON body (at most kMaxInputBytes) into `input` through a wiped fixed buffer.
// Answers 413, 415 or 400 and returns false when it cannot.
bool read_json_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                    nlohmann::json& input);

// A body of one boolean member, {"<name>": true|false}; answers 4xx and returns nullopt otherwise.
std::optional<bool> read_flag(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                              const std::string& name);

// Only the kiosk's own page may talk to the server: Host must name the loopback address (or
// localhost) and this port, and an Origin, when sent, must be that same host (no DNS rebinding).
bool loopback_host_allowed(const httplib::Request& req, int port);

// Refuses every request that loopback_host_allowed() refuses (403) or that sends a chunked body
// (411), and answers errors and exceptions of the handlers with a JSON error body.
void install_request_rules(httplib::Server& server, const int& port);
// A request whose body comes in chunks (Transfer-Encoding) is answered 411 before anything of
// it is read, and true returned: httplib reads a chunked body whole, past the payload limit
// (issue 18, reliability 4), and the pages send their small bodies with a Content-Length.
// Called from the pre-routing handlers, which run before a body is read.
bool refuse_unsized_body(const httplib::Request& req, httplib::Response& res);

// Answers errors (404, 413, ...) and exceptions of the handlers with a JSON error body.
void install_error_answers(httplib::Server& server);

// The kiosk screen's connection limits (loopback: no per-address limit): one worker per event
// stream and a few for the page, the input and health checks; a request must be in within 5 s.
drivers::https::ConnectionLimits screen_connection_limits(std::size_t event_clients);

// The server's socket time-outs, body limit and socket options for the kiosk.
void configure_server(httplib::Server& server);

// `at` in the kiosk's time zone, as strftime `format` makes it.
std::string local_time(std::chrono::system_clock::time_point at, const char* format);
inline constexpr const char* kTimeOfDay = "%H:%M:%S";
inline constexpr const char* kDateTime = "%Y-%m-%dT%H:%M:%S%z";

// The page's files below one directory.
class StaticFiles {
 public:
  // Throws std::runtime_error when `dir` has no index.html (a page's directory). With
  // `page` false, any directory (one of the voice files): an absent one serves nothing.
  explicit StaticFiles(const std::filesystem::path& dir, bool page = true);
  // GET of `path` ("/" is /index.html): the file, or 404 for anything that is not one of the
  // page's files.
  void serve(std::string_view path, httplib::Response& res) const;
  // The file at `path` (relative to the directory) into `res`; false, and `res` untouched, when
  // there is none (or the path is not a safe one).
  bool serve_if_present(std::string_view path, httplib::Response& res) const;

 private:
  std::filesystem::path root_;  // canonical
};

}  // namespace kiosk::firmware::screen
