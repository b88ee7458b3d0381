// An event stream whose provider throws ends that stream, not the kiosk (issue 18, security 6:
// httplib runs chunked content providers outside its try/catch, so an exception there was
// std::terminate).
#include <catch2/catch.hpp>

#include <httplib.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "firmware/screen/screen_state.hpp"

using namespace kiosk;

TEST_CASE("event stream: a provider that throws ends its stream, the server goes on and the client count comes back") {
  firmware::screen::ScreenState state;
  httplib::Server server;
  server.Get("/events", [&](const httplib::Request&, httplib::Response& res) {
    state.stream(res, [](std::size_t, httplib::DataSink& sink) -> bool {
      const std::string first = "retry: 2000\n\n";
      sink.write(first.data(), first.size());
      throw std::runtime_error("journal unreadable");
    });
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  const int port = server.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread serving([&] { server.listen_after_bind(); });

  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(5));
  std::string received;
  const auto streamed = client.Get("/events", [&](const char* data, std::size_t n) {
    received.append(data, n);
    return true;
  });
  // The stream ended early (the connection closed), after what was written before the throw.
  CHECK_THAT(received, Catch::Contains("retry: 2000"));
  const auto health = client.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  // The stream's slot was given back.
  for (int i = 0; i < 100; ++i) {
    {
      const std::lock_guard lock(state.mutex);
      if (state.clients == 0) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  {
    const std::lock_guard lock(state.mutex);
    CHECK(state.clients == 0);
  }
  server.stop();
  serving.join();
  (void)streamed;
}
