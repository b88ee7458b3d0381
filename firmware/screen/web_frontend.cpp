#include "firmware/screen/web_frontend.hpp"

#include <httplib.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/card/secret.hpp"
#include "firmware/screen/http_hygiene.hpp"
#include "firmware/screen/patient_input.hpp"
#include "firmware/screen/screen_json.hpp"
#include "firmware/screen/screen_state.hpp"
#include "firmware/screen/staff_console.hpp"
#include "firmware/screen/voice.hpp"

#ifndef KIOSK_WEB_DIR
#error "KIOSK_WEB_DIR must name the directory of the kiosk page (see firmware/screen/CMakeLists.txt)"
#endif

namespace kiosk::firmware::screen {
namespace {

using nlohmann::json;

std::string sse_frame(std::uint64_t seq, const core::reception::Screen& screen) {
  return "id: " + std::to_string(seq) + "\nevent: screen\ndata: " +
         screen_to_json(screen).dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

}  // namespace

std::filesystem::path default_web_dir() { return KIOSK_WEB_DIR; }
std::filesystem::path default_voice_dir() { return KIOSK_VOICE_DIR; }

// The patient's side of the kiosk screen: the page, its event stream of screens, its input and
// the health check; the staff side is the StaffConsole.
struct WebFrontend::Impl {
  explicit Impl(WebFrontendConfig c) : config(std::move(c)) {
    if (config.web_dir.empty()) config.web_dir = default_web_dir();
    if (config.voice_dirs.empty()) config.voice_dirs.push_back(default_voice_dir());
    if (config.max_event_clients == 0) config.max_event_clients = 1;
    if (config.keepalive.count() <= 0) config.keepalive = std::chrono::milliseconds(10000);
    state.max_clients = config.max_event_clients;
    state.frame = sse_frame(state.seq, state.screen);
  }

  WebFrontendConfig config;
  ScreenState state;
  std::optional<StaticFiles> files;
  std::optional<VoiceFiles> voice;
  // The latest live-view picture of a face attempt (show_preview); its own lock, so that the
  // camera's thread never waits on the screen's.
  std::mutex preview_mutex;
  std::vector<std::uint8_t> preview;
  void serve_preview(httplib::Response& res);
  std::optional<StaffConsole> staff;
  drivers::https::GuardedServer server{screen_connection_limits(config.max_event_clients)};
  std::thread listener;
  int port = 0;
  // The staff pages on the LAN (config.staff_lan): their own console on the same state.
  std::optional<StaffConsole> lan_staff;
  std::unique_ptr<drivers::https::GuardedServer> lan;
  std::thread lan_listener;
  int lan_port = 0;

  void start_staff_lan();

  void routes();
  void serve_events(httplib::Response& res);
  void serve_input(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void serve_activity(httplib::Response& res, const httplib::ContentReader& reader);
};

void WebFrontend::Impl::serve_events(httplib::Response& res) {
  state.stream(res, [this, last = std::uint64_t{0}](std::size_t, httplib::DataSink& stream) mutable {
    std::string out;
    {
      std::unique_lock lock(state.mutex);
      if (last == 0) out = "retry: 1000\n\n";  // reconnect quickly after a restart
      state.changed.wait_for(lock, config.keepalive, [&] { return state.stopping || state.seq != last; });
      if (state.stopping) return end_stream(stream);
      if (state.seq != last) {
        out += state.frame;
        last = state.seq;
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
  if (const auto error = input_shape_error(input)) return send_error(res, 400, "bad input", *error);

  const std::string& type = input["type"].get_ref<const std::string&>();
  const json none;
  const auto value = input.find("value");
  std::string step;
  const auto to_machine = state.sink_if([&] {
    step = core::reception::to_string(state.screen.step);
    return screen_takes_input(state.screen, type, value == input.end() ? none : *value);
  });
  if (!to_machine) return send_json(res, 409, json{{"error", "not expected on this screen"}, {"step", step}});
  to_machine(input_event(input));
  send_json(res, 200, json{{"ok", true}});
}

// A touch on the page that answers nothing yet: the time-out of the screen on show starts again.
// The request has no body (so it cannot carry a PIN digit, or how many were typed).
void WebFrontend::Impl::serve_activity(httplib::Response& res, const httplib::ContentReader& reader) {
  std::size_t bytes = 0;
  reader([&bytes](const char*, std::size_t n) {
    bytes += n;
    return bytes <= kMaxInputBytes;
  });
  if (bytes > 0) return send_error(res, 400, "bad activity", "an activity carries no body");
  std::string step;
  const auto to_machine = state.sink_if([&] {
    step = core::reception::to_string(state.screen.step);
    return core::reception::patient_paced(state.screen.step);
  });
  // Not an error where nothing waits for the patient (the touch that answered a screen may arrive
  // after its answer): nothing is restarted, and the page's console stays clean.
  if (!to_machine) return send_json(res, 200, json{{"ok", true}, {"restarted", false}, {"step", step}});
  to_machine(core::reception::PatientActive{});
  send_json(res, 200, json{{"ok", true}, {"restarted", true}, {"step", step}});
}

void WebFrontend::Impl::serve_preview(httplib::Response& res) {
  {
    const std::lock_guard lock(state.mutex);
    if (state.screen.step != core::reception::Step::FaceCapture) {
      res.status = 204;  // no face capture on show: no picture
      return;
    }
  }
  // The picture is sent from a copy of its own, wiped once sent (or abandoned): httplib's
  // Response::body would have kept it in freed memory.
  auto copy = std::make_shared<std::vector<std::uint8_t>>();
  {
    const std::lock_guard lock(preview_mutex);
    if (preview.empty()) {
      res.status = 204;  // none yet, or the attempt ended
      return;
    }
    copy->assign(preview.begin(), preview.end());
  }
  const std::size_t size = copy->size();
  res.set_content_provider(
      size, "image/jpeg",
      [copy](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        return sink.write(reinterpret_cast<const char*>(copy->data()) + offset, length);
      },
      [copy](bool) { core::card::secure_wipe(copy->data(), copy->size()); });
}

void WebFrontend::Impl::routes() {
  install_request_rules(server, port);
  server.Get("/events", [this](const httplib::Request&, httplib::Response& res) { serve_events(res); });
  server.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    const std::lock_guard lock(state.mutex);
    send_json(res, 200,
              json{{"status", "ok"}, {"step", core::reception::to_string(state.screen.step)}, {"event_clients", state.clients}});
  });
  server.Post("/input", [this](const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) { serve_input(req, res, reader); });
  server.Post("/activity", [this](const httplib::Request&, httplib::Response& res,
                                  const httplib::ContentReader& reader) { serve_activity(res, reader); });
  staff->install(server);
  server.Get(R"(/voice/.*)", [this](const httplib::Request& req, httplib::Response& res) { voice->serve(req.path, res); });
  server.Get("/camera/frame.jpg", [this](const httplib::Request&, httplib::Response& res) { serve_preview(res); });
  server.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) { files->serve(req.path, res); });
}

// Serves the staff side only, to the allow-listed reception PCs, over TLS.
void WebFrontend::Impl::start_staff_lan() {
  const StaffLanConfig& lan_config = *config.staff_lan;
  if (!config.staff) throw std::runtime_error("staff pages on the LAN: no staff accounts are configured");
  if (const auto problems = staff_lan_problems(lan_config); !problems.empty()) {
    throw std::runtime_error("staff pages on the LAN: " + problems.front());
  }
  const auto allow = std::make_shared<const AllowList>(lan_config.allow);
  lan = make_staff_lan_server(lan_config, config.max_event_clients + 4, allow);
  install_staff_lan_rules(*lan, lan_config, lan_port, allow);
  lan_staff.emplace(config, state, *files);
  lan_staff->install(*lan);
  lan->Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    if (!staff_page_file(req.path)) return send_error(res, 404, "not found");
    files->serve(req.path, res);
  });
  configure_server(*lan);
  if (lan_config.port == 0) {
    lan_port = lan->bind_to_any_port(lan_config.address);
  } else if (lan->bind_to_port(lan_config.address, lan_config.port)) {
    lan_port = lan_config.port;
  }
  if (lan_port <= 0) {
    lan_port = 0;
    throw std::runtime_error("staff pages on the LAN: cannot listen on " + lan_config.address + ":" +
                             std::to_string(lan_config.port));
  }
  lan_listener = std::thread([this] { lan->listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!lan->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!lan->is_running()) throw std::runtime_error("staff pages on the LAN: the HTTPS server did not start");
}

WebFrontend::WebFrontend(WebFrontendConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

WebFrontend::~WebFrontend() {
  stop();
  show_preview({});  // wipes the last live-view picture
}

void WebFrontend::start(core::reception::EventSink sink) {
  Impl& d = *impl_;
  {
    const std::lock_guard lock(d.state.mutex);
    if (d.state.started) throw std::logic_error("WebFrontend::start: already started");
    d.state.started = true;
    d.state.sink = std::move(sink);
  }
  d.files.emplace(d.config.web_dir);
  d.voice.emplace(d.config.voice_dirs);
  d.staff.emplace(d.config, d.state, *d.files);
  d.routes();
  configure_server(d.server);

  if (d.config.port == 0) {
    d.port = d.server.bind_to_any_port(kLoopbackHost);
  } else if (d.server.bind_to_port(kLoopbackHost, d.config.port)) {
    d.port = d.config.port;
  }
  if (d.port <= 0) {
    d.port = 0;
    throw std::runtime_error("kiosk screen: cannot listen on " + std::string(kLoopbackHost) + ":" +
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
  if (d.config.staff_lan) {
    try {
      d.start_staff_lan();
    } catch (...) {
      stop();
      throw;
    }
  }
}

void WebFrontend::show(const core::reception::Screen& screen) {
  Impl& d = *impl_;
  {
    const std::lock_guard lock(d.state.mutex);
    d.state.screen = screen;
    ++d.state.seq;
    d.state.frame = sse_frame(d.state.seq, d.state.screen);
  }
  d.state.changed.notify_all();
}

void WebFrontend::show_preview(std::vector<std::uint8_t> jpeg) {
  Impl& d = *impl_;
  const std::lock_guard lock(d.preview_mutex);
  core::card::secure_wipe(d.preview.data(), d.preview.size());
  d.preview = std::move(jpeg);
}

void WebFrontend::stop() {
  Impl& d = *impl_;
  {
    const std::lock_guard lock(d.state.mutex);
    d.state.stopping = true;
  }
  d.state.changed.notify_all();
  if (d.listener.joinable()) {
    // is_running() is set before the listen loop; stop() until the loop has seen it.
    d.server.stop();
    d.listener.join();
  }
  if (d.lan) d.lan->stop();
  if (d.lan_listener.joinable()) d.lan_listener.join();
}

int WebFrontend::port() const { return impl_->port; }

std::string WebFrontend::url() const {
  return "http://" + std::string(kLoopbackHost) + ":" + std::to_string(impl_->port) + "/";
}

int WebFrontend::staff_lan_port() const { return impl_->lan_port; }

std::size_t WebFrontend::event_clients() const {
  const std::lock_guard lock(impl_->state.mutex);
  return impl_->state.clients;
}

}  // namespace kiosk::firmware::screen
