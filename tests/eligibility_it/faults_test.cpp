// A slow, broken or absent service: bounded waiting, clear errors, and the patient sent to the
// counter with the card and 資格情報のお知らせ.
#include <catch2/catch.hpp>

#include <thread>

#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;
using Faults = kiosk::sim::eligibility::Faults;
using namespace std::chrono_literals;

namespace {
class CountingTransport final : public hal::HttpsTransport {
 public:
  explicit CountingTransport(hal::HttpsTransport& inner) : inner_(inner) {}
  hal::HttpResponse send(const hal::HttpRequest& request) override {
    ++sends;
    return inner_.send(request);
  }
  std::string endpoint() const override { return inner_.endpoint(); }
  int sends = 0;

 private:
  hal::HttpsTransport& inner_;
};
}  // namespace

TEST_CASE("faults: slow server, malformed answers, unavailable and stopped service") {
  World world({});
  auto transport = world.transport();
  RealClock clock;
  ClientOptions options = quick_options();
  options.call_timeout = 300ms;
  options.operation_deadline = 1000ms;
  options.max_attempts = 2;
  EligibilityClient client(*transport, clock, options);

  SECTION("a slow server: time-out within the operation's budget") {
    world.service().set_faults({1500ms, Faults::Reply::Normal, "/v1/health"});
    const auto started = std::chrono::steady_clock::now();
    const EligibilityError e = error_of([&] { client.health(); });
    const auto waited = std::chrono::steady_clock::now() - started;
    CHECK(e.kind() == ErrorKind::Timeout);
    CHECK(e.counter_fallback());
    CHECK(e.display_message() == kCounterFallbackMessage);
    CHECK(waited >= 550ms);   // two attempts of 300 ms
    CHECK(waited < 1200ms);   // never the server's 1.5 s
    // The service answers normally again once it is fast.
    world.service().set_faults({});
    CHECK(client.health().status == "ok");
  }

  SECTION("malformed JSON") {
    world.service().set_faults({0ms, Faults::Reply::MalformedJson, "/v1/challenges"});
    const EligibilityError e = error_of([&] { client.issue_challenge(); });
    CHECK(e.kind() == ErrorKind::MalformedReply);
    CHECK_THAT(e.detail(), Catch::Contains("not JSON"));
    CHECK(e.counter_fallback());
    CHECK(world.service().counters().requests == 1);  // not retried
  }

  SECTION("an HTML page instead of JSON") {
    world.service().set_faults({0ms, Faults::Reply::WrongContentType, ""});
    const EligibilityError e = error_of([&] { client.health(); });
    CHECK(e.kind() == ErrorKind::MalformedReply);
    CHECK_THAT(e.detail(), Catch::Contains("text/html"));
  }

  SECTION("another protocol version") {
    world.service().set_faults({0ms, Faults::Reply::WrongVersion, ""});
    const EligibilityError e = error_of([&] { client.health(); });
    CHECK(e.kind() == ErrorKind::MalformedReply);
    CHECK_THAT(e.detail(), Catch::Contains("unsupported api_version 99"));
  }

  SECTION("service unavailable: retried, then the counter") {
    world.service().set_faults({0ms, Faults::Reply::Unavailable, ""});
    const EligibilityError e = error_of([&] { client.health(); });
    CHECK(e.kind() == ErrorKind::ServerError);
    CHECK(e.code() == "UNAVAILABLE");
    CHECK(e.http_status() == 503);
    CHECK(e.counter_fallback());
    CHECK(world.service().counters().requests == 2);  // max_attempts
  }

  SECTION("an idle connection the service closed is replaced without an error") {
    CountingTransport counting(*transport);
    EligibilityClient counted(counting, clock, options);
    CHECK(counted.health().status == "ok");
    std::this_thread::sleep_for(1300ms);  // the test service closes idle connections after 1 s
    CHECK(counted.health().status == "ok");
    CHECK(counting.sends == 2);  // no failed attempt, no retry
  }

  SECTION("the service is down: connection refused, quickly") {
    CHECK(client.health().status == "ok");  // a kept-alive connection exists
    world.service().stop();
    const auto started = std::chrono::steady_clock::now();
    const EligibilityError e = error_of([&] { client.health(); });
    CHECK(std::chrono::steady_clock::now() - started < 900ms);
    CHECK(e.kind() == ErrorKind::ServiceUnreachable);
    CHECK_THAT(e.detail(), Catch::Contains("refused"));
    CHECK(e.retryable());
    CHECK(e.counter_fallback());
    CHECK_THAT(e.display_message(), Catch::Contains("資格情報のお知らせ"));
  }
}
