#include "firmware/screen/web_frontend.hpp"

#include <httplib.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/card/secret.hpp"
#include "firmware/screen/screen_json.hpp"

#ifndef KIOSK_WEB_DIR
#error "KIOSK_WEB_DIR must name the directory of the kiosk page (see firmware/screen/web_frontend.cmake)"
#endif

namespace kiosk::firmware::screen {
namespace {

using nlohmann::json;
using core::reception::Step;

constexpr const char* kHost = "127.0.0.1";
constexpr std::size_t kMaxInputBytes = 512;             // the largest valid input is ~50 bytes
constexpr std::uintmax_t kMaxFileBytes = 8u * 1024u * 1024u;  // the page's files are small

// Every response: the page loads only its own files, nothing is cached (an update shows at
// the next load), no other site may frame or read it.
const httplib::Headers& default_headers() {
  static const httplib::Headers headers = {
      {"Cache-Control", "no-store"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
  };
  return headers;
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, std::string_view error, std::string_view detail = {}) {
  json body{{"error", error}};
  if (!detail.empty()) body["detail"] = detail;
  send_json(res, status, body);
}

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

// Overwrites every string of a parsed input before it is freed (the PIN is one of them).
void wipe_strings(json& j) noexcept {
  if (j.is_string()) {
    auto& s = j.get_ref<std::string&>();
    core::card::secure_wipe(s.data(), s.size());
  } else if (j.is_structured()) {
    for (auto& item : j) wipe_strings(item);
  }
}

class JsonWipeGuard {
 public:
  explicit JsonWipeGuard(json& j) noexcept : j_(j) {}
  ~JsonWipeGuard() { wipe_strings(j_); }
  JsonWipeGuard(const JsonWipeGuard&) = delete;
  JsonWipeGuard& operator=(const JsonWipeGuard&) = delete;

 private:
  json& j_;
};

// Reads a small JSON body into `input` through a wiped fixed buffer (a PIN or passcode may be
// in it). Answers 413, 415 or 400 and returns false when it cannot.
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

// A body of one boolean member, {"<name>": true|false}; answers 4xx and returns nullopt otherwise.
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

// The staff session token of a request: the "kiosk_staff" cookie, or "Authorization: Bearer".
std::string staff_token(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  constexpr std::string_view bearer = "Bearer ";
  if (auth.rfind(bearer, 0) == 0) return auth.substr(bearer.size());
  const std::string cookies = req.get_header_value("Cookie");
  std::string_view rest = cookies;
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find(';'), rest.size());
    std::string_view item = rest.substr(0, end);
    rest = end < rest.size() ? rest.substr(end + 1) : std::string_view();
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    constexpr std::string_view name = "kiosk_staff=";
    if (item.rfind(name, 0) == 0) return std::string(item.substr(name.size()));
  }
  return {};
}

// The journal events that end a reception (reception_machine.cpp finish_session()).
bool ends_reception(const std::string& event) {
  static constexpr std::string_view kEnds[] = {
      "reception-completed", "card-refused",           "card-removed",          "timed-out",
      "service-timeout",     "service-failed",         "cancelled",             "authentication-impossible",
      "visual-check-declined", "registration-declined"};
  return std::find(std::begin(kEnds), std::end(kEnds), event) != std::end(kEnds);
}

// `at` in the kiosk's time zone, as strftime `format` makes it.
std::string local_time(std::chrono::system_clock::time_point at, const char* format) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm local{};
  localtime_r(&t, &local);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), format, &local);
  return text.data();
}
constexpr const char* kTimeOfDay = "%H:%M:%S";
constexpr const char* kDateTime = "%Y-%m-%dT%H:%M:%S%z";

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

bool takes_input(const core::reception::Screen& screen, std::string_view type, const json& value) {
  const Step s = screen.step;
  if (type == "method") {
    return s == Step::MethodChoice &&
           std::any_of(screen.methods.begin(), screen.methods.end(),
                       [&](core::reception::Method m) { return value.get_ref<const std::string&>() == core::reception::to_string(m); });
  }
  if (type == "pin") return s == Step::PinEntry;
  if (type == "answer") return s == Step::Registration || s == Step::Consent;
  if (type == "prescription") return s == Step::Prescription;
  if (type == "ack") return s == Step::Result || s == Step::Notice;
  if (type == "cancel") {
    return s == Step::MethodChoice || s == Step::PinEntry || s == Step::FaceCapture || s == Step::VisualCheck ||
           s == Step::Registration || s == Step::Consent || s == Step::Prescription;
  }
  return false;
}

// The shape of an input, checked before anything else is looked at. Returns the error.
std::optional<std::string_view> check_shape(const json& input) {
  if (!input.is_object()) return "input must be a JSON object";
  for (const auto& [key, unused] : input.items()) {
    if (key != "type" && key != "value") return "unknown member (only \"type\" and \"value\")";
  }
  const auto type_it = input.find("type");
  if (type_it == input.end() || !type_it->is_string()) return "\"type\" must be a string";
  const std::string& type = type_it->get_ref<const std::string&>();
  const auto value_it = input.find("value");
  const bool has_value = value_it != input.end();
  if (type == "ack" || type == "cancel") {
    if (has_value) return "this input takes no \"value\"";
    return std::nullopt;
  }
  if (!has_value) return "\"value\" is missing";
  const json& value = *value_it;
  if (type == "method") {
    if (!value.is_string()) return "\"value\" must be \"face\", \"pin\" or \"visual\"";
    const std::string& v = value.get_ref<const std::string&>();
    if (v != "face" && v != "pin" && v != "visual") return "\"value\" must be \"face\", \"pin\" or \"visual\"";
    return std::nullopt;
  }
  if (type == "pin") {
    // Says what is wrong without repeating any of it.
    if (!value.is_string()) return "the PIN must be a string of 4 digits";
    const std::string& v = value.get_ref<const std::string&>();
    const bool digits = std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (v.size() != 4 || !digits) return "the PIN must be a string of 4 digits";
    return std::nullopt;
  }
  if (type == "answer") {
    if (!value.is_boolean()) return "\"value\" must be true or false";
    return std::nullopt;
  }
  if (type == "prescription") {
    if (!value.is_string()) return "\"value\" must be \"electronic\" or \"paper\"";
    const std::string& v = value.get_ref<const std::string&>();
    if (v != "electronic" && v != "paper") return "\"value\" must be \"electronic\" or \"paper\"";
    return std::nullopt;
  }
  return "unknown \"type\"";
}

core::reception::Method method_from(const std::string& v) {
  if (v == "face") return core::reception::Method::Face;
  if (v == "pin") return core::reception::Method::Pin;
  return core::reception::Method::Visual;
}

core::reception::Event event_from(json& input) {
  const std::string& type = input["type"].get_ref<const std::string&>();
  if (type == "method") return core::reception::MethodChosen{method_from(input["value"].get_ref<const std::string&>())};
  if (type == "pin") return core::reception::PinTyped{core::card::Secret(input["value"].get_ref<const std::string&>())};
  if (type == "answer") return core::reception::Answered{input["value"].get<bool>()};
  if (type == "prescription") {
    return core::reception::PrescriptionChosen{input["value"].get_ref<const std::string&>() == "electronic"
                                             ? core::eligibility::PrescriptionIssue::Electronic
                                             : core::eligibility::PrescriptionIssue::Paper};
  }
  if (type == "ack") return core::reception::Acknowledged{};
  return core::reception::Cancelled{};
}

std::string sse_frame(std::uint64_t seq, const core::reception::Screen& screen) {
  return "id: " + std::to_string(seq) + "\nevent: screen\ndata: " +
         screen_to_json(screen).dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

}  // namespace

std::filesystem::path default_web_dir() { return KIOSK_WEB_DIR; }

json desk_rows(const std::vector<core::journal::Record>& records) {
  json rows = json::array();
  for (const auto& r : records) {
    if (r.kind != "reception" || !ends_reception(r.event)) continue;
    rows.push_back(json{{"id", r.id},
                        {"time", local_time(r.at, kTimeOfDay)},
                        {"event", r.event},
                        {"method", r.method},
                        {"outcome", r.outcome},
                        {"message_code", r.message_code},
                        {"completed", r.event == "reception-completed"}});
  }
  return rows;
}

struct WebFrontend::Impl {
  explicit Impl(WebFrontendConfig c) : config(std::move(c)) {
    if (config.web_dir.empty()) config.web_dir = default_web_dir();
    if (config.max_event_clients == 0) config.max_event_clients = 1;
    if (config.keepalive.count() <= 0) config.keepalive = std::chrono::milliseconds(10000);
    frame = sse_frame(seq, screen);
  }

  WebFrontendConfig config;
  std::filesystem::path web_root;  // canonical
  httplib::Server server;
  std::thread listener;
  core::reception::EventSink sink;
  int port = 0;

  mutable std::mutex mutex;
  std::condition_variable changed;
  core::reception::Screen screen;  // on show now
  std::uint64_t seq = 1;     // of `screen`
  std::string frame;         // `screen` as an SSE event
  bool started = false;
  bool stopping = false;
  std::size_t clients = 0;
  // Visual-check mode as switched from the staff page (the machine ends it at the same time).
  std::optional<std::chrono::steady_clock::time_point> visual_until;
  std::string visual_staff;

  // The staff id of the request's session; answers 401/503 and returns nullopt without one.
  std::optional<std::string> staff_session(const httplib::Request& req, httplib::Response& res);
  json staff_status(const std::string& staff_id, const std::string& token);
  void staff_routes();
  void serve_login(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void serve_visual_check(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void serve_visual_confirm(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void serve_desk_events(const std::string& token, httplib::Response& res);

  void routes();
  bool host_allowed(const httplib::Request& req) const;
  // An event stream for one more client (503 when too many or stopping); `provider` as httplib's.
  template <typename Provider>
  void stream_events(httplib::Response& res, Provider provider);
  void serve_events(httplib::Response& res);
  void serve_input(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void serve_file(const httplib::Request& req, httplib::Response& res) const;
};

bool WebFrontend::Impl::host_allowed(const httplib::Request& req) const {
  const std::string host = req.get_header_value("Host");
  const std::string p = ":" + std::to_string(port);
  if (host != kHost + p && host != "localhost" + p) return false;
  if (req.has_header("Origin")) {
    const std::string origin = req.get_header_value("Origin");
    if (origin != "http://" + host) return false;
  }
  return true;
}

template <typename Provider>
void WebFrontend::Impl::stream_events(httplib::Response& res, Provider provider) {
  {
    const std::lock_guard lock(mutex);
    if (stopping) return send_error(res, 503, "stopping");
    if (clients >= config.max_event_clients) return send_error(res, 503, "too many event clients");
    ++clients;
  }
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      std::move(provider),
      [this](bool) {
        const std::lock_guard lock(mutex);
        --clients;
      });
}

void WebFrontend::Impl::serve_events(httplib::Response& res) {
  stream_events(
      res,
      [this, last = std::uint64_t{0}](std::size_t, httplib::DataSink& stream) mutable {
        std::string out;
        {
          std::unique_lock lock(mutex);
          if (last == 0) out = "retry: 1000\n\n";  // reconnect quickly after a restart
          changed.wait_for(lock, config.keepalive, [&] { return stopping || seq != last; });
          if (stopping) return false;
          if (seq != last) {
            out += frame;
            last = seq;
          } else {
            out += ": keep-alive\n\n";
          }
        }
        return stream.write(out.data(), out.size());
      });
}

void WebFrontend::Impl::serve_input(const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
  json input;
  const JsonWipeGuard wipe_input(input);
  if (!read_json_body(req, res, reader, input)) return;
  if (const auto error = check_shape(input)) return send_error(res, 400, "bad input", *error);

  core::reception::EventSink to_machine;
  {
    const std::lock_guard lock(mutex);
    const json none;
    const auto value = input.find("value");
    if (!takes_input(screen, input["type"].get_ref<const std::string&>(), value == input.end() ? none : *value)) {
      json body{{"error", "not expected on this screen"}, {"step", core::reception::to_string(screen.step)}};
      return send_json(res, 409, body);
    }
    to_machine = sink;
  }
  to_machine(event_from(input));
  send_json(res, 200, json{{"ok", true}});
}

void WebFrontend::Impl::serve_file(const httplib::Request& req, httplib::Response& res) const {
  std::string_view path = req.path;
  if (path == "/") path = "/index.html";
  path.remove_prefix(1);
  if (!safe_relative_path(path)) return send_error(res, 404, "not found");
  const std::filesystem::path relative{std::string(path)};
  const auto content_type = content_type_for(relative);
  if (!content_type) return send_error(res, 404, "not found");
  std::error_code ec;
  const std::filesystem::path file = std::filesystem::weakly_canonical(web_root / relative, ec);
  if (ec || !is_within(web_root, file) || !std::filesystem::is_regular_file(file, ec)) {
    return send_error(res, 404, "not found");
  }
  auto content = read_file(file);
  if (!content) return send_error(res, 404, "not found");
  res.set_content(std::move(*content), std::string(*content_type));
}


std::optional<std::string> WebFrontend::Impl::staff_session(const httplib::Request& req, httplib::Response& res) {
  if (config.staff == nullptr || !config.staff->configured()) {
    send_error(res, 503, "no staff accounts configured", "add staff.accounts to the kiosk configuration");
    return std::nullopt;
  }
  auto id = config.staff->session(staff_token(req), std::chrono::steady_clock::now());
  if (!id) send_error(res, 401, "staff login needed", "log in again on the staff page");
  return id;
}

json WebFrontend::Impl::staff_status(const std::string& staff_id, const std::string& token) {
  const auto now = std::chrono::steady_clock::now();
  const auto expiry = config.staff->session_expiry(token, now);
  const std::lock_guard lock(mutex);
  json visual{{"on", false}, {"seconds_left", 0}, {"staff_id", nullptr}};
  if (visual_until && *visual_until > now) {
    visual = json{{"on", true},
                  {"seconds_left", std::chrono::ceil<std::chrono::seconds>(*visual_until - now).count()},
                  {"staff_id", visual_staff}};
  }
  return json{{"staff_id", staff_id},
              {"session_seconds", expiry ? std::chrono::ceil<std::chrono::seconds>(*expiry - now).count() : 0},
              {"step", core::reception::to_string(screen.step)},
              {"visual_check", visual}};
}

void WebFrontend::Impl::serve_login(const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
  json input;
  const JsonWipeGuard wipe_input(input);
  if (!read_json_body(req, res, reader, input)) return;
  if (config.staff == nullptr || !config.staff->configured()) {
    return send_error(res, 503, "no staff accounts configured", "add staff.accounts to the kiosk configuration");
  }
  const auto id = input.find("staff_id");
  const auto passcode = input.find("passcode");
  if (!input.is_object() || input.size() != 2 || id == input.end() || !id->is_string() || passcode == input.end() ||
      !passcode->is_string()) {
    return send_error(res, 400, "bad input", "expected {\"staff_id\": \"...\", \"passcode\": \"...\"}");
  }
  const std::string& typed = passcode->get_ref<const std::string&>();
  if (typed.empty() || typed.size() > core::card::Secret::kCapacity) {
    return send_error(res, 400, "bad input", "the passcode must be 1 to 32 characters");
  }
  const core::card::Secret secret(typed);
  const auto login = config.staff->login(id->get_ref<const std::string&>(), secret, std::chrono::steady_clock::now());
  switch (login.outcome) {
    case firmware::staff::StaffAuthenticator::Outcome::NoAccounts:
      return send_error(res, 503, "no staff accounts configured");
    case firmware::staff::StaffAuthenticator::Outcome::Wrong:
      return send_error(res, 401, "wrong staff id or passcode");
    case firmware::staff::StaffAuthenticator::Outcome::LockedOut:
      res.set_header("Retry-After", std::to_string(login.retry_after.count()));
      return send_json(res, 429,
                       json{{"error", "too many wrong passcodes: staff login is locked"},
                            {"retry_after_seconds", login.retry_after.count()}});
    case firmware::staff::StaffAuthenticator::Outcome::LoggedIn:
      break;
  }
  const auto seconds = config.staff->policy().session.count();
  res.set_header("Set-Cookie", "kiosk_staff=" + login.token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                   std::to_string(seconds));
  send_json(res, 200, json{{"staff_id", id->get<std::string>()}, {"session_seconds", seconds}});
}

void WebFrontend::Impl::serve_visual_check(const httplib::Request& req, httplib::Response& res,
                                           const httplib::ContentReader& reader) {
  const auto staff_id = staff_session(req, res);
  if (!staff_id) return;
  const auto on = read_flag(req, res, reader, "on");
  if (!on) return;
  const auto duration = config.staff->policy().visual_check;
  core::reception::EventSink to_machine;
  {
    const std::lock_guard lock(mutex);
    if (*on) {
      visual_until = std::chrono::steady_clock::now() + duration;
      visual_staff = *staff_id;
    } else {
      visual_until.reset();
      visual_staff.clear();
    }
    to_machine = sink;
  }
  if (to_machine) to_machine(core::reception::StaffVisualCheckMode{*on, *staff_id, duration});
  send_json(res, 200, staff_status(*staff_id, staff_token(req)));
}

void WebFrontend::Impl::serve_visual_confirm(const httplib::Request& req, httplib::Response& res,
                                             const httplib::ContentReader& reader) {
  const auto staff_id = staff_session(req, res);
  if (!staff_id) return;
  const auto confirmed = read_flag(req, res, reader, "confirmed");
  if (!confirmed) return;
  core::reception::EventSink to_machine;
  {
    const std::lock_guard lock(mutex);
    if (screen.step != Step::VisualCheck) {
      return send_json(res, 409, json{{"error", "no visual check is waiting"}, {"step", core::reception::to_string(screen.step)}});
    }
    to_machine = sink;
  }
  to_machine(core::reception::VisualChecked{*confirmed, *staff_id});
  send_json(res, 200, json{{"ok", true}});
}

void WebFrontend::Impl::serve_desk_events(const std::string& token, httplib::Response& res) {
  stream_events(
      res,
      [this, token, last_id = std::int64_t{0}, day = std::chrono::system_clock::time_point{}, first = true](
          std::size_t, httplib::DataSink& stream) mutable {
        if (!first) {
          std::unique_lock lock(mutex);
          changed.wait_for(lock, config.desk_poll, [&] { return stopping; });
          if (stopping) return false;
        }
        if (!config.staff->session(token, std::chrono::steady_clock::now())) return false;  // the session ended
        const auto today = core::journal::local_midnight(std::chrono::system_clock::now());
        const bool reset = first || today != day;
        if (reset) last_id = 0;
        day = today;
        const auto records = config.journal != nullptr ? config.journal->of_kind_since("reception", today, last_id)
                                                       : std::vector<core::journal::Record>{};
        if (!records.empty()) last_id = records.back().id;
        std::string out = first ? "retry: 2000\n\n" : "";
        const json rows = desk_rows(records);
        if (reset || !rows.empty()) {
          out += "event: desk\ndata: " +
                 json{{"reset", reset}, {"since", local_time(today, kDateTime)}, {"rows", rows}}.dump(
                     -1, ' ', false, json::error_handler_t::replace) +
                 "\n\n";
        } else {
          out += ": keep-alive\n\n";
        }
        first = false;
        return stream.write(out.data(), out.size());
      });
}

void WebFrontend::Impl::staff_routes() {
  server.Post("/staff/login", [this](const httplib::Request& req, httplib::Response& res,
                                     const httplib::ContentReader& reader) { serve_login(req, res, reader); });
  server.Post("/staff/logout", [this](const httplib::Request& req, httplib::Response& res) {
    if (!staff_session(req, res)) return;
    config.staff->logout(staff_token(req), std::chrono::steady_clock::now());
    res.set_header("Set-Cookie", "kiosk_staff=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    send_json(res, 200, json{{"ok", true}});
  });
  server.Get("/staff/status", [this](const httplib::Request& req, httplib::Response& res) {
    const auto staff_id = staff_session(req, res);
    if (staff_id) send_json(res, 200, staff_status(*staff_id, staff_token(req)));
  });
  server.Post("/staff/visual-check", [this](const httplib::Request& req, httplib::Response& res,
                                            const httplib::ContentReader& reader) { serve_visual_check(req, res, reader); });
  server.Post("/staff/visual-confirm", [this](const httplib::Request& req, httplib::Response& res,
                                              const httplib::ContentReader& reader) {
    serve_visual_confirm(req, res, reader);
  });
  server.Get("/staff/desk", [this](const httplib::Request& req, httplib::Response& res) {
    if (!staff_session(req, res)) return;
    const auto today = core::journal::local_midnight(std::chrono::system_clock::now());
    const auto records =
        config.journal != nullptr ? config.journal->of_kind_since("reception", today) : std::vector<core::journal::Record>{};
    send_json(res, 200, json{{"since", local_time(today, kDateTime)}, {"rows", desk_rows(records)}});
  });
  server.Get("/staff/desk/events", [this](const httplib::Request& req, httplib::Response& res) {
    if (staff_session(req, res)) serve_desk_events(staff_token(req), res);
  });
  server.Get("/staff/diagnostics", [this](const httplib::Request& req, httplib::Response& res) {
    if (!staff_session(req, res)) return;
    if (!config.diagnostics) return send_error(res, 503, "diagnostics are not available on this kiosk");
    send_json(res, 200, config.diagnostics());
  });
  // The staff pages by their short names.
  server.Get("/staff", [this](const httplib::Request& req, httplib::Response& res) {
    httplib::Request page = req;
    page.path = "/staff.html";
    serve_file(page, res);
  });
  server.Get("/desk", [this](const httplib::Request& req, httplib::Response& res) {
    httplib::Request page = req;
    page.path = "/staff.html";
    serve_file(page, res);
  });
}

void WebFrontend::Impl::routes() {
  server.set_default_headers(default_headers());
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (host_allowed(req)) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, 403, "requests must come from this kiosk's own page");
    return httplib::Server::HandlerResponse::Handled;
  });
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, res.status, "request refused", "HTTP status " + std::to_string(res.status));
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_error(res, 500, "internal error");
  });
  server.Get("/events", [this](const httplib::Request&, httplib::Response& res) { serve_events(res); });
  server.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    const std::lock_guard lock(mutex);
    send_json(res, 200,
              json{{"status", "ok"}, {"step", core::reception::to_string(screen.step)}, {"event_clients", clients}});
  });
  server.Post("/input", [this](const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) { serve_input(req, res, reader); });
  staff_routes();
  server.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) { serve_file(req, res); });
}

WebFrontend::WebFrontend(WebFrontendConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

WebFrontend::~WebFrontend() { stop(); }

void WebFrontend::start(core::reception::EventSink sink) {
  Impl& d = *impl_;
  {
    const std::lock_guard lock(d.mutex);
    if (d.started) throw std::logic_error("WebFrontend::start: already started");
    d.started = true;
    d.sink = std::move(sink);
  }
  std::error_code ec;
  d.web_root = std::filesystem::canonical(d.config.web_dir, ec);
  if (ec || !std::filesystem::is_regular_file(d.web_root / "index.html", ec)) {
    throw std::runtime_error("kiosk page not found: " + d.config.web_dir.string() + " has no index.html");
  }
  d.routes();
  // One worker per event stream and a few for the page, the input and health checks.
  const std::size_t workers = d.config.max_event_clients + 4;
  // httplib owns the queue it gets from this factory (it holds it in a unique_ptr).
  d.server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  // Short socket waits: stop() ends idle keep-alive connections within a second.
  d.server.set_keep_alive_timeout(1);
  d.server.set_read_timeout(2, 0);
  d.server.set_write_timeout(2, 0);
  d.server.set_payload_max_length(64 * 1024);  // /input enforces its own, smaller limit (413)
  d.server.set_tcp_nodelay(true);
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second kiosk
  // process bind the same port and take half of the page's requests.
  d.server.set_socket_options([](socket_t sock) {  // httplib's global socket_t
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  if (d.config.port == 0) {
    d.port = d.server.bind_to_any_port(kHost);
  } else if (d.server.bind_to_port(kHost, d.config.port)) {
    d.port = d.config.port;
  }
  if (d.port <= 0) {
    d.port = 0;
    throw std::runtime_error("kiosk screen: cannot listen on " + std::string(kHost) + ":" +
                             std::to_string(d.config.port));
  }
  d.listener = std::thread([&d] { d.server.listen_after_bind(); });
  // Server::stop() does nothing until the server runs: wait for it (bounded).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!d.server.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!d.server.is_running()) {
    stop();
    throw std::runtime_error("kiosk screen: the HTTP server did not start");
  }
}

void WebFrontend::show(const core::reception::Screen& screen) {
  Impl& d = *impl_;
  {
    const std::lock_guard lock(d.mutex);
    d.screen = screen;
    ++d.seq;
    d.frame = sse_frame(d.seq, d.screen);
  }
  d.changed.notify_all();
}

void WebFrontend::stop() {
  Impl& d = *impl_;
  {
    const std::lock_guard lock(d.mutex);
    d.stopping = true;
  }
  d.changed.notify_all();
  if (d.listener.joinable()) {
    // is_running() is set before the listen loop; stop() until the loop has seen it.
    d.server.stop();
    d.listener.join();
  }
}

int WebFrontend::port() const { return impl_->port; }

std::string WebFrontend::url() const { return "http://" + std::string(kHost) + ":" + std::to_string(impl_->port) + "/"; }

std::size_t WebFrontend::event_clients() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->clients;
}

}  // namespace kiosk::firmware::screen
