// WebFrontend over loopback: screens by Server-Sent Events, input by POST /input, the page's
// files, and what must never happen (a PIN in a response, a file outside the web directory,
// a request from another site, a stop() that hangs).
#include <catch2/catch.hpp>

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/card/secret.hpp"
#include "tests/support/raw_tcp_client.hpp"
#include "tests/support/test_paths.hpp"
#include "firmware/screen/web_frontend.hpp"
#include "tests/support/chunked_body.hpp"
#include "tests/unit/firmware/screen/web_test_support.hpp"

using namespace kiosk;
using namespace kiosk::core::reception;
using kiosk::firmware::screen::WebFrontend;
using kiosk::firmware::screen::WebFrontendConfig;
using kiosk::test::EventRecorder;
using kiosk::test::SseClient;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

firmware::screen::WebFrontendConfig fast_config() {
  firmware::screen::WebFrontendConfig c;
  c.keepalive = 100ms;  // the test clients notice a stop quickly
  // The page as in the source tree: a packaging build's default is the installed
  // /usr/share/kiosk/web (the aarch64 tests under qemu run from the build tree).
  c.web_dir = test::source_dir() / "firmware" / "screen" / "web";
  return c;
}

Screen screen_of(Step step) {
  Screen s;
  s.step = step;
  if (step == Step::MethodChoice) s.methods = {Method::Face, Method::Pin};
  if (step == Step::PinEntry) s.tries_left = 3;
  return s;
}

struct Running {
  explicit Running(firmware::screen::WebFrontendConfig c = fast_config()) : frontend(std::move(c)) {
    frontend.start(recorder.sink());
    client = std::make_unique<httplib::Client>("127.0.0.1", frontend.port());
    client->set_connection_timeout(2s);
    client->set_read_timeout(3s);
  }
  httplib::Result post(const std::string& body, const std::string& type = "application/json") {
    return client->Post("/input", body, type.c_str());
  }
  EventRecorder recorder;
  firmware::screen::WebFrontend frontend;
  std::unique_ptr<httplib::Client> client;
};

std::string secret_text(const core::card::Secret& s) {
  const auto b = s.bytes();
  return std::string(b.begin(), b.end());
}

// A web directory of its own, with a file beside it that must stay out of reach.
struct TempWebDir {
  TempWebDir() {
    std::random_device rd;
    root = std::filesystem::temp_directory_path() / ("kiosk-web-test-" + std::to_string(rd()));
    std::filesystem::create_directories(root / "web" / "i18n");
    write(root / "web" / "index.html", "<!doctype html><title>t</title>");
    write(root / "web" / "kiosk.css", "body{}");
    write(root / "web" / "kiosk.js", "'use strict';");
    write(root / "web" / "i18n" / "ja.json", "{}");
    write(root / "web" / ".hidden.json", "{\"secret\":1}");
    write(root / "web" / "notes.txt", "no type for this");
    write(root / "outside.json", "{\"outside\":true}");
    std::filesystem::create_symlink(root / "outside.json", root / "web" / "link.json");
  }
  ~TempWebDir() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  static void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }
  std::filesystem::path root;
};

}  // namespace

TEST_CASE("GET /events: the screen on show reaches a new client at once, then every new screen") {
  Running r;
  r.frontend.show(screen_of(Step::MethodChoice));
  SseClient sse(r.frontend.port());
  auto first = sse.next();
  REQUIRE(first);
  CHECK((*first)["step"] == "method-choice");
  CHECK((*first)["methods"] == json::array({"face", "pin"}));
  CHECK(sse.status() == 200);
  CHECK(sse.content_type().rfind("text/event-stream", 0) == 0);

  Screen pin = screen_of(Step::PinEntry);
  pin.message = Message::PinWrong;
  pin.tries_left = 2;
  r.frontend.show(pin);
  auto second = sse.next();
  REQUIRE(second);
  CHECK((*second)["step"] == "pin-entry");
  CHECK((*second)["tries_left"] == 2);
  CHECK((*second)["message"]["code"] == "K110");
  CHECK(sse.raw().find("retry: ") != std::string::npos);
}

TEST_CASE("GET /events: a screen shown before start() is the first one served") {
  EventRecorder recorder;
  firmware::screen::WebFrontend frontend(fast_config());
  frontend.show(screen_of(Step::RemoveCard));
  frontend.start(recorder.sink());
  SseClient sse(frontend.port());
  auto first = sse.next();
  REQUIRE(first);
  CHECK((*first)["step"] == "remove-card");
}

TEST_CASE("GET /events: several clients (the kiosk and staff views) get the same screens") {
  Running r;
  std::vector<std::unique_ptr<SseClient>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(std::make_unique<SseClient>(r.frontend.port()));
  for (auto& c : clients) REQUIRE(c->next_of("idle"));
  REQUIRE(r.frontend.event_clients() == 3);
  r.frontend.show(screen_of(Step::ReadingCard));
  r.frontend.show(screen_of(Step::MethodChoice));
  for (auto& c : clients) {
    // The newest screen wins: a client may skip reading-card, never the screen on show.
    auto j = c->next_of("method-choice");
    REQUIRE(j);
  }
}

TEST_CASE("GET /events: clients beyond the limit get 503, a freed place can be taken again") {
  firmware::screen::WebFrontendConfig config = fast_config();
  config.max_event_clients = 2;
  Running r(config);
  auto a = std::make_unique<SseClient>(r.frontend.port());
  SseClient b(r.frontend.port());
  REQUIRE(a->next());
  REQUIRE(b.next());
  {
    SseClient c(r.frontend.port());
    REQUIRE(c.wait_ended(3s));
    CHECK(c.status() == 503);
  }
  a->close();
  // The server learns of the closed stream at its next write (keep-alive every 100 ms).
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (r.frontend.event_clients() > 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  REQUIRE(r.frontend.event_clients() == 1);
  SseClient d(r.frontend.port());
  CHECK(d.next());
}

TEST_CASE("POST /input: each input becomes its reception event") {
  Running r;

  r.frontend.show(screen_of(Step::MethodChoice));
  auto res = r.post(R"({"type":"method","value":"pin"})");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(json::parse(res->body) == json{{"ok", true}});
  REQUIRE(r.recorder.wait_for(1));
  auto e = r.recorder.take();
  REQUIRE(std::holds_alternative<MethodChosen>(*e));
  CHECK(std::get<MethodChosen>(*e).method == Method::Pin);

  r.frontend.show(screen_of(Step::PinEntry));
  res = r.post(R"({"type":"pin","value":"1234"})");
  REQUIRE(res);
  CHECK(res->status == 200);
  REQUIRE(r.recorder.wait_for(1));
  e = r.recorder.take();
  REQUIRE(std::holds_alternative<PinTyped>(*e));
  CHECK(secret_text(std::get<PinTyped>(*e).pin) == "1234");

  for (const bool yes : {true, false}) {
    r.frontend.show(screen_of(yes ? Step::Consent : Step::Registration));
    res = r.post(json{{"type", "answer"}, {"value", yes}}.dump());
    REQUIRE(res);
    CHECK(res->status == 200);
    REQUIRE(r.recorder.wait_for(1));
    e = r.recorder.take();
    REQUIRE(std::holds_alternative<Answered>(*e));
    CHECK(std::get<Answered>(*e).yes == yes);
  }

  r.frontend.show(screen_of(Step::Prescription));
  for (const auto& [value, issue] : {std::pair{"electronic", core::eligibility::PrescriptionIssue::Electronic},
                                     std::pair{"paper", core::eligibility::PrescriptionIssue::Paper}}) {
    res = r.post(json{{"type", "prescription"}, {"value", value}}.dump());
    REQUIRE(res);
    CHECK(res->status == 200);
    REQUIRE(r.recorder.wait_for(1));
    e = r.recorder.take();
    REQUIRE(std::holds_alternative<PrescriptionChosen>(*e));
    CHECK(std::get<PrescriptionChosen>(*e).choice == issue);
  }

  r.frontend.show(screen_of(Step::Notice));
  res = r.post(R"({"type":"ack"})", "application/json; charset=utf-8");
  REQUIRE(res);
  CHECK(res->status == 200);
  REQUIRE(r.recorder.wait_for(1));
  CHECK(std::holds_alternative<Acknowledged>(*r.recorder.take()));

  r.frontend.show(screen_of(Step::FaceCapture));
  res = r.post(R"({"type":"cancel"})");
  REQUIRE(res);
  CHECK(res->status == 200);
  REQUIRE(r.recorder.wait_for(1));
  CHECK(std::holds_alternative<Cancelled>(*r.recorder.take()));
}

TEST_CASE("POST /input: malformed input is refused with 400 and a JSON error, and posts nothing") {
  Running r;
  r.frontend.show(screen_of(Step::PinEntry));
  const char* bad[] = {
      "",
      "not json",
      "[]",
      "\"pin\"",
      "{}",
      R"({"value":"1234"})",
      R"({"type":5})",
      R"({"type":"fingerprint"})",
      R"({"type":"pin"})",
      R"({"type":"pin","value":1234})",
      R"({"type":"pin","value":"123"})",
      R"({"type":"pin","value":"12345"})",
      R"({"type":"pin","value":"12a4"})",
      R"({"type":"pin","value":"１２３４"})",
      R"({"type":"pin","value":"1234","extra":1})",
      R"({"type":"method","value":"fingerprint"})",
      R"({"type":"method","value":["pin"]})",
      R"({"type":"answer","value":"yes"})",
      R"({"type":"answer","value":1})",
      R"({"type":"prescription","value":"fax"})",
      R"({"type":"ack","value":true})",
      R"({"type":"cancel","value":null})",
      R"({"type":"pin","value":"1234"} trailing)",
  };
  for (const char* body : bad) {
    INFO(body);
    auto res = r.post(body);
    REQUIRE(res);
    CHECK(res->status == 400);
    const json error = json::parse(res->body, nullptr, false);
    REQUIRE(error.is_object());
    CHECK(error.contains("error"));
    CHECK(res->get_header_value("Content-Type").rfind("application/json", 0) == 0);
  }

  auto res = r.post(R"({"type":"pin","value":"1234"})", "text/plain");
  REQUIRE(res);
  CHECK(res->status == 415);

  res = r.post(R"({"type":"ack","pad":")" + std::string(2000, 'x') + "\"}");
  REQUIRE(res);
  CHECK(res->status == 413);

  std::this_thread::sleep_for(50ms);
  CHECK(r.recorder.size() == 0);
}

TEST_CASE("POST /input: input the screen on show does not take is refused with 409") {
  Running r;
  r.frontend.show(screen_of(Step::MethodChoice));  // face and PIN offered, no staff check
  for (const char* body : {R"({"type":"pin","value":"1234"})", R"({"type":"method","value":"visual"})",
                           R"({"type":"ack"})", R"({"type":"answer","value":true})",
                           R"({"type":"prescription","value":"paper"})"}) {
    INFO(body);
    auto res = r.post(body);
    REQUIRE(res);
    CHECK(res->status == 409);
    CHECK(json::parse(res->body)["step"] == "method-choice");
  }
  r.frontend.show(screen_of(Step::Confirming));
  auto res = r.post(R"({"type":"cancel"})");
  REQUIRE(res);
  CHECK(res->status == 409);
  std::this_thread::sleep_for(50ms);
  CHECK(r.recorder.size() == 0);
}

TEST_CASE("POST /activity: a touch restarts the time-out of a screen that waits for the patient, and carries nothing") {
  Running r;
  for (const Step step : {Step::PinEntry, Step::MethodChoice, Step::Consent, Step::Notice}) {
    INFO(to_string(step));
    r.frontend.show(screen_of(step));
    const std::size_t before = r.recorder.size();
    auto res = r.client->Post("/activity", "", "text/plain");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(json::parse(res->body)["restarted"] == true);
    REQUIRE(r.recorder.wait_for(before + 1));
  }
  for (std::size_t i = 0; i < 4; ++i) {
    auto e = r.recorder.take();
    REQUIRE(e);
    CHECK(std::holds_alternative<PatientActive>(*e));
  }

  // No body: not a digit, not a count of digits.
  r.frontend.show(screen_of(Step::PinEntry));
  auto with_body = r.client->Post("/activity", R"({"digits":2})", "application/json");
  REQUIRE(with_body);
  CHECK(with_body->status == 400);
  CHECK(with_body->body.find("digits") == std::string::npos);

  // Screens that wait for a device, the service or staff: nothing to restart, nothing posted (not
  // an error: the touch that answered a screen may arrive after its answer).
  for (const Step step : {Step::Idle, Step::Confirming, Step::FaceCapture, Step::VisualCheck, Step::RemoveCard}) {
    INFO(to_string(step));
    r.frontend.show(screen_of(step));
    auto res = r.client->Post("/activity", "", "text/plain");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(json::parse(res->body)["restarted"] == false);
    CHECK(json::parse(res->body)["step"] == to_string(step));
  }
  std::this_thread::sleep_for(50ms);
  CHECK(r.recorder.size() == 0);

  // Another site cannot keep a screen alive.
  r.frontend.show(screen_of(Step::PinEntry));
  auto foreign = r.client->Post("/activity", httplib::Headers{{"Origin", "http://evil.example"}}, "", "text/plain");
  REQUIRE(foreign);
  CHECK(foreign->status == 403);
  std::this_thread::sleep_for(50ms);
  CHECK(r.recorder.size() == 0);
}

TEST_CASE("the PIN never appears in any response") {
  Running r;
  SseClient sse(r.frontend.port());
  REQUIRE(sse.next_of("idle"));
  r.frontend.show(screen_of(Step::PinEntry));
  REQUIRE(sse.next_of("pin-entry"));

  std::vector<std::string> bodies;
  auto res = r.post(R"({"type":"pin","value":"8642"})");  // accepted
  REQUIRE(res);
  CHECK(res->status == 200);
  bodies.push_back(res->body);
  res = r.post(R"({"type":"pin","value":"86420"})");  // refused: too long
  REQUIRE(res);
  CHECK(res->status == 400);
  bodies.push_back(res->body);
  res = r.post(R"({"type":"pin","value":"8642","x":0})");  // refused: unknown member
  REQUIRE(res);
  CHECK(res->status == 400);
  bodies.push_back(res->body);
  r.frontend.show(screen_of(Step::Confirming));
  REQUIRE(sse.next_of("confirming"));
  res = r.post(R"({"type":"pin","value":"8642"})");  // refused: not the PIN screen
  REQUIRE(res);
  CHECK(res->status == 409);
  bodies.push_back(res->body);
  res = r.client->Get("/healthz");
  REQUIRE(res);
  bodies.push_back(res->body);
  bodies.push_back(sse.raw());

  for (const std::string& body : bodies) {
    INFO(body);
    CHECK(body.find("8642") == std::string::npos);
  }
  REQUIRE(r.recorder.wait_for(1));
  auto e = r.recorder.take();
  REQUIRE(std::holds_alternative<PinTyped>(*e));
  CHECK(secret_text(std::get<PinTyped>(*e).pin) == "8642");
}

TEST_CASE("GET /healthz tells the step and the number of event clients") {
  Running r;
  r.frontend.show(screen_of(Step::Consent));
  SseClient sse(r.frontend.port());
  REQUIRE(sse.next());
  auto res = r.client->Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);
  const json j = json::parse(res->body);
  CHECK(j["status"] == "ok");
  CHECK(j["step"] == "consent");
  CHECK(j["event_clients"] == 1);
}

TEST_CASE("the page's files are served with their content types and nothing outside the web directory") {
  TempWebDir dir;
  firmware::screen::WebFrontendConfig config = fast_config();
  config.web_dir = dir.root / "web";
  Running r(config);
  const std::pair<const char*, const char*> files[] = {
      {"/", "text/html; charset=utf-8"},
      {"/index.html", "text/html; charset=utf-8"},
      {"/kiosk.css", "text/css; charset=utf-8"},
      {"/kiosk.js", "text/javascript; charset=utf-8"},
      {"/i18n/ja.json", "application/json; charset=utf-8"},
  };
  for (const auto& [path, type] : files) {
    INFO(path);
    auto res = r.client->Get(path);
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == type);
    CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(res->get_header_value("Cache-Control") == "no-store");
    CHECK(res->get_header_value("Content-Security-Policy").find("default-src 'self'") != std::string::npos);
  }
  const char* refused[] = {
      "/../outside.json",       "/%2e%2e/outside.json", "/i18n/../../outside.json", "/i18n/%2E%2E/%2E%2E/outside.json",
      "/.hidden.json",          "/link.json",           "/notes.txt",               "/missing.html",
      "/i18n/",                 "/i18n",                "//etc/passwd",             "/..%2foutside.json",
      "/%2fetc%2fpasswd.json",  "/i18n/./ja.json",      "/kiosk.js%00.json",
  };
  for (const char* path : refused) {
    INFO(path);
    auto res = r.client->Get(path);
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(res->body.find("outside") == std::string::npos);
    CHECK(res->body.find("secret") == std::string::npos);
  }
}

TEST_CASE("the web directory of the source tree holds the kiosk page") {
  Running r;
  auto res = r.client->Get("/");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.find("kiosk.js") != std::string::npos);
  res = r.client->Get("/i18n/ja.json");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(json::parse(res->body).contains("idle.title"));
}

TEST_CASE("requests that name another host or come from another origin are refused") {
  Running r;
  r.frontend.show(screen_of(Step::Notice));
  auto res = r.client->Get("/", httplib::Headers{{"Host", "evil.example:" + std::to_string(r.frontend.port())}});
  REQUIRE(res);
  CHECK(res->status == 403);
  res = r.client->Post("/input", httplib::Headers{{"Origin", "http://evil.example"}}, R"({"type":"ack"})",
                       "application/json");
  REQUIRE(res);
  CHECK(res->status == 403);
  res = r.client->Post("/input", httplib::Headers{{"Origin", "http://127.0.0.1:" + std::to_string(r.frontend.port())}},
                       R"({"type":"ack"})", "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  res = r.client->Get("/", httplib::Headers{{"Host", "localhost:" + std::to_string(r.frontend.port())}});
  REQUIRE(res);
  CHECK(res->status == 200);
  REQUIRE(r.recorder.wait_for(1));
  CHECK(r.recorder.size() == 1);
}

TEST_CASE("stop() returns promptly with event clients and an idle connection open") {
  auto r = std::make_unique<Running>();
  std::vector<std::unique_ptr<SseClient>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(std::make_unique<SseClient>(r->frontend.port()));
  for (auto& c : clients) REQUIRE(c->next());
  auto res = r->client->Get("/healthz");  // leaves a keep-alive connection open
  REQUIRE(res);
  const auto start = std::chrono::steady_clock::now();
  r->frontend.stop();
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took < 1500ms);
  for (auto& c : clients) CHECK(c->wait_ended(2s));
  r->frontend.stop();  // idempotent
}

TEST_CASE("start() refuses a web directory without index.html and a port in use") {
  TempWebDir dir;
  {
    EventRecorder recorder;
    firmware::screen::WebFrontendConfig config = fast_config();
    config.web_dir = dir.root;  // no index.html there
    firmware::screen::WebFrontend frontend(config);
    CHECK_THROWS_AS(frontend.start(recorder.sink()), std::runtime_error);
  }
  Running first;
  EventRecorder recorder;
  firmware::screen::WebFrontendConfig config = fast_config();
  config.port = first.frontend.port();
  firmware::screen::WebFrontend second(config);
  CHECK_THROWS_AS(second.start(recorder.sink()), std::runtime_error);
  CHECK(first.frontend.url() == "http://127.0.0.1:" + std::to_string(first.frontend.port()) + "/");
}

TEST_CASE("a chunked request body is refused with 411 before it is read, on every path") {
  Running r;
  // A body with no length (chunked): 32 MiB offered a chunk at a time, counted as it leaves.
  for (const char* path : {"/staff/logout", "/staff/activity", "/input", "/activity", "/no-such-path"}) {
    INFO(path);
    std::size_t offered = 0;
    const auto res = r.client->Post(path, test::chunked_body(32u * 1024u * 1024u, offered), "application/json");
    // Refused before the body: 411, or the connection closed while the client still sent.
    if (res) CHECK(res->status == 411);
    CHECK(offered < 8u * 1024u * 1024u);
  }
  CHECK(r.recorder.size() == 0);
  // The server is still there for the page.
  const auto health = r.client->Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
}

TEST_CASE("clients trickling their requests are cut off after 5 s and the page is still answered") {
  Running r;
  // Twenty local clients each sending a request a byte every 200 ms: on cpp-httplib's own
  // connection loop they held all 12 workers for the 90 s their requests take.
  const test::Tricklers slow(r.frontend.port(), 20);
  std::this_thread::sleep_for(300ms);
  r.client->set_read_timeout(30s);
  r.client->set_connection_timeout(30s);
  const auto health = r.client->Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  // And the slow ones were cut off by the server (each request needs 90 s to arrive).
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (slow.cut_off() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
  CHECK(slow.cut_off() > 0);
}

TEST_CASE("GET /camera/frame.jpg: the live view only while the face capture is on show, gone when the attempt ends") {
  Running r;
  const std::vector<std::uint8_t> jpeg{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0xFF, 0xD9};
  // No face capture on show: nothing, even with a picture.
  r.frontend.show_preview(jpeg);
  auto res = r.client->Get("/camera/frame.jpg");
  REQUIRE(res);
  CHECK(res->status == 204);

  r.frontend.show(screen_of(Step::FaceCapture));
  res = r.client->Get("/camera/frame.jpg");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "image/jpeg");
  CHECK(res->get_header_value("Cache-Control").find("no-store") != std::string::npos);
  CHECK(res->body == std::string(jpeg.begin(), jpeg.end()));

  // The attempt ends: the picture is gone at once, on the same screen.
  r.frontend.show_preview({});
  res = r.client->Get("/camera/frame.jpg");
  REQUIRE(res);
  CHECK(res->status == 204);
  CHECK(res->body.empty());
  // Another page (not loopback) never gets it.
  r.frontend.show_preview(jpeg);
  res = r.client->Get("/camera/frame.jpg", {{"Host", "kiosk.example:80"}});
  REQUIRE(res);
  CHECK(res->status == 403);
}
