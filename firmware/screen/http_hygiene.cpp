#include "firmware/screen/http_hygiene.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>

#include "core/card/secret.hpp"

namespace kiosk::firmware::screen {
namespace {

using nlohmann::json;

constexpr std::uintmax_t kMaxFileBytes = 8u * 1024u * 1024u;  // the page's files are small

// Wipes a buffer when leaving scope, whatever the way out.
class WipeGuard {
 public:
  WipeGuard(void* data, std::size_t size) noexcept : data_(data), size_(size) {}
  ~WipeGuard() { core::card::secure_wipe(data_, size_); }
  WipeGuard(const WipeGuard&) = delete;
  WipeGuard& operator=(const WipeGuard&) = delete;

 private:
  void* data_;
  std::size_t size_;
};

void wipe_strings(json& j) noexcept {
  if (j.is_string()) {
    auto& s = j.get_ref<std::string&>();
    core::card::secure_wipe(s.data(), s.size());
  } else if (j.is_structured()) {
    for (auto& item : j) wipe_strings(item);
  }
}

std::optional<std::string_view> content_type_for(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".json") return "application/json; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".wav") return "audio/wav";
  if (ext == ".ogg") return "audio/ogg";
  return std::nullopt;
}

// A request path names a file below the web directory only when every segment is made of
// [A-Za-z0-9_-] and inner dots, and none starts with a dot (no "..", no hidden files).
bool safe_relative_path(std::string_view path) {
  if (path.empty() || path.size() > 200) return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment.front() == '.') return false;
    for (const char c : segment) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

bool is_within(const std::filesystem::path& root, const std::filesystem::path& file) {
  const auto [root_end, file_it] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  return root_end == root.end() && file_it != file.end();
}

std::optional<std::string> read_file(const std::filesystem::path& file) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxFileBytes) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return std::nullopt;
  return content;
}

}  // namespace

const httplib::Headers& default_headers() {
  static const httplib::Headers headers = {
      {"Cache-Control", "no-store"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
  };
  return headers;
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, std::string_view error, std::string_view detail) {
  json body{{"error", error}};
  if (!detail.empty()) body["detail"] = detail;
  send_json(res, status, body);
}

JsonWipeGuard::~JsonWipeGuard() { wipe_strings(j_); }

bool read_json_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                    json& input) {
  std::array<char, kMaxInputBytes> buffer{};
  const WipeGuard wipe_buffer(buffer.data(), buffer.size());
  std::size_t size = 0;
  bool too_long = false;
  reader([&](const char* data, std::size_t length) {
    if (length > buffer.size() - size) {
      too_long = true;
      return false;
    }
    std::memcpy(buffer.data() + size, data, length);
    size += length;
    return true;
  });
  if (too_long) {
    send_error(res, 413, "input too long");
    return false;
  }
  const std::string content_type = req.get_header_value("Content-Type");
  if (content_type.rfind("application/json", 0) != 0) {
    send_error(res, 415, "input must be sent as application/json");
    return false;
  }
  input = json::parse(buffer.data(), buffer.data() + size, nullptr, false);
  if (input.is_discarded()) {
    input = json();
    send_error(res, 400, "input is not JSON");
    return false;
  }
  return true;
}

std::optional<bool> read_flag(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                              const std::string& name) {
  json input;
  if (!read_json_body(req, res, reader, input)) return std::nullopt;
  const auto value = input.find(name);
  if (!input.is_object() || input.size() != 1 || value == input.end() || !value->is_boolean()) {
    send_error(res, 400, "bad input", "expected {\"" + name + "\": true|false}");
    return std::nullopt;
  }
  return value->get<bool>();
}

bool loopback_host_allowed(const httplib::Request& req, int port) {
  const std::string host = req.get_header_value("Host");
  const std::string p = ":" + std::to_string(port);
  if (host != kLoopbackHost + p && host != "localhost" + p) return false;
  if (req.has_header("Origin")) {
    const std::string origin = req.get_header_value("Origin");
    if (origin != "http://" + host) return false;
  }
  return true;
}

void install_request_rules(httplib::Server& server, const int& port) {
  server.set_default_headers(default_headers());
  server.set_pre_routing_handler([&port](const httplib::Request& req, httplib::Response& res) {
    if (!loopback_host_allowed(req, port)) {
      send_error(res, 403, "requests must come from this kiosk's own page");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (refuse_unsized_body(req, res)) return httplib::Server::HandlerResponse::Handled;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  install_error_answers(server);
}

bool refuse_unsized_body(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_header("Transfer-Encoding")) return false;
  send_error(res, 411, "send the body with a Content-Length", "chunked request bodies are not accepted");
  res.set_header("Connection", "close");
  return true;
}

void install_error_answers(httplib::Server& server) {
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, res.status, "request refused", "HTTP status " + std::to_string(res.status));
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_error(res, 500, "internal error");
  });
}

drivers::https::ConnectionLimits screen_connection_limits(std::size_t event_clients) {
  drivers::https::ConnectionLimits limits;
  limits.workers = std::max<std::size_t>(1, event_clients) + 4;
  limits.request_read = std::chrono::seconds(5);
  return limits;
}

void configure_server(httplib::Server& server) {
  // Short socket waits: stop() ends idle keep-alive connections within a second.
  server.set_keep_alive_timeout(1);
  server.set_read_timeout(2, 0);
  server.set_write_timeout(2, 0);
  server.set_payload_max_length(64 * 1024);  // /input enforces its own, smaller limit (413)
  server.set_tcp_nodelay(true);
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second kiosk
  // process bind the same port and take half of the page's requests.
  server.set_socket_options([](socket_t sock) {  // httplib's global socket_t
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

std::string local_time(std::chrono::system_clock::time_point at, const char* format) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm local{};
  localtime_r(&t, &local);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), format, &local);
  return text.data();
}

StaticFiles::StaticFiles(const std::filesystem::path& dir, bool page) {
  std::error_code ec;
  root_ = std::filesystem::weakly_canonical(dir, ec);
  if (!page) return;
  if (ec || !std::filesystem::is_regular_file(root_ / "index.html", ec)) {
    throw std::runtime_error("kiosk page not found: " + dir.string() + " has no index.html");
  }
}

bool StaticFiles::serve_if_present(std::string_view path, httplib::Response& res) const {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (root_.empty() || !safe_relative_path(path)) return false;
  const std::filesystem::path relative{std::string(path)};
  const auto content_type = content_type_for(relative);
  if (!content_type) return false;
  std::error_code ec;
  const std::filesystem::path file = std::filesystem::weakly_canonical(root_ / relative, ec);
  if (ec || !is_within(root_, file) || !std::filesystem::is_regular_file(file, ec)) return false;
  auto content = read_file(file);
  if (!content) return false;
  res.set_content(std::move(*content), std::string(*content_type));
  return true;
}

void StaticFiles::serve(std::string_view path, httplib::Response& res) const {
  if (path == "/") path = "/index.html";
  if (!serve_if_present(path, res)) send_error(res, 404, "not found");
}

}  // namespace kiosk::firmware::screen
