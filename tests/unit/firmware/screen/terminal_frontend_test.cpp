// The terminal screen: every numbered message with its next step (issue 16 item 6: the ".next"
// lines were dropped, the municipal office for a locked PIN among them), the share as 3割, the
// certificate notice on the result, the 資格確認書 form typed as one line, and a line typed on the
// PIN screen that is never printed nor taken as another screen's answer (issue 18, security 3).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "firmware/screen/message_texts.hpp"
#include "firmware/screen/terminal_frontend.hpp"
#include "tests/support/test_paths.hpp"

using namespace kiosk;
using namespace kiosk::core::reception;

namespace {

nlohmann::json japanese() {
  return firmware::screen::load_texts(test::source_dir() / "firmware" / "screen" / "web" / "i18n" / "ja.json");
}

std::string shown(const Screen& s) {
  std::ostringstream out;
  firmware::screen::TerminalFrontend frontend(-1, out, japanese());
  frontend.show(s);
  return out.str();
}

}  // namespace

TEST_CASE("terminal: a numbered message comes with its next step, the municipal office for a locked PIN") {
  const auto texts = japanese();
  REQUIRE(texts.is_object());
  Screen locked;
  locked.step = Step::Notice;
  locked.message = Message::PinLocked;
  const std::string out = shown(locked);
  CHECK_THAT(out, Catch::Contains("【K112】 " + texts["pin.locked"].get<std::string>()));
  CHECK_THAT(out, Catch::Contains(texts["pin.locked.next"].get<std::string>()));
  CHECK_THAT(out, Catch::Contains("市区町村窓口"));

  Screen wrong;
  wrong.step = Step::PinEntry;
  wrong.tries_left = 1;
  wrong.message = Message::PinWrongLastTry;
  CHECK_THAT(shown(wrong), Catch::Contains("暗証番号が違います") && Catch::Contains(texts["pin.wrong_last_try.next"].get<std::string>()));

  Screen reader;
  reader.step = Step::Notice;
  reader.message = Message::ReaderFailed;
  CHECK_THAT(shown(reader), Catch::Contains("【K160】") && Catch::Contains("資格情報のお知らせ"));
}

TEST_CASE("terminal: the result shows the share as 3割 and repeats the certificate notice with its dates") {
  Screen r;
  r.step = Step::Result;
  r.validity = core::eligibility::QualificationValidity::Valid;
  r.insurer_name = "全国健康保険協会東京支部";
  r.contribution_ratio = "020";
  r.message = Message::CertificateInGrace;
  r.certificate_expires = "2026-11-30";
  r.certificate_usable_until = "2027-02-28";
  const std::string out = shown(r);
  CHECK_THAT(out, Catch::Contains("2割"));
  CHECK(out.find("020") == std::string::npos);
  CHECK_THAT(out, Catch::Contains("【K103】") && Catch::Contains("2027-02-28"));
}

TEST_CASE("terminal: the 資格確認書 form is one typed line") {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  std::ostringstream out;
  std::mutex mutex;
  std::vector<Event> events;
  {
    firmware::screen::TerminalFrontend frontend(pipe_fds[0], out, japanese());
    frontend.start([&](Event e) {
      if (std::holds_alternative<PatientActive>(e)) return;  // typing is activity; the answer is what counts here
      std::lock_guard lock(mutex);
      events.push_back(std::move(e));
    });
    Screen form;
    form.step = Step::NumberEntry;
    frontend.show(form);
    const std::string line = "k,06139992,10,2001,00,19900505\n";
    REQUIRE(::write(pipe_fds[1], line.data(), line.size()) == static_cast<ssize_t>(line.size()));
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mutex);
        if (!events.empty()) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    frontend.stop();
  }
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  REQUIRE(events.size() == 1);
  const auto* entered = std::get_if<NumbersEntered>(&events[0]);
  REQUIRE(entered);
  CHECK(entered->entry.document == core::eligibility::PresentedDocument::EligibilityCertificate);
  CHECK(entered->entry.insurer_number == "06139992");
  CHECK(entered->entry.symbol == "10");
  CHECK(entered->entry.number == "2001");
  CHECK(entered->entry.branch == "00");
  CHECK(entered->entry.birthdate == "19900505");
  CHECK_THAT(out.str(), Catch::Contains("資格確認書"));
}

namespace {

// A terminal frontend reading from a pipe, collecting what it sends to the machine.
struct PipedTerminal {
  int fds[2] = {-1, -1};
  std::ostringstream out;
  std::mutex mutex;
  std::vector<Event> events;
  std::unique_ptr<firmware::screen::TerminalFrontend> frontend;

  PipedTerminal() {
    REQUIRE(::pipe(fds) == 0);
    frontend = std::make_unique<firmware::screen::TerminalFrontend>(fds[0], out, japanese());
    frontend->start([this](Event e) {
      std::lock_guard lock(mutex);
      events.push_back(std::move(e));
    });
  }
  ~PipedTerminal() {
    frontend->stop();
    ::close(fds[0]);
    ::close(fds[1]);
  }
  void type(const std::string& text) { REQUIRE(::write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size())); }
  // Answers sent to the machine (typing itself is activity: PatientActive, counted apart).
  std::size_t count() {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& e : events) n += std::holds_alternative<PatientActive>(e) ? 0U : 1U;
    return n;
  }
  std::size_t activity() {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& e : events) n += std::holds_alternative<PatientActive>(e) ? 1U : 0U;
    return n;
  }
  const Event* first_answer() {
    for (const auto& e : events) {
      if (!std::holds_alternative<PatientActive>(e)) return &e;
    }
    return nullptr;
  }
  bool wait_for_events(std::size_t n) {
    for (int i = 0; i < 300 && count() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return count() >= n;
  }
  bool wait_for_activity(std::size_t n) {
    for (int i = 0; i < 300 && activity() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return activity() >= n;
  }
};

}  // namespace

TEST_CASE("terminal: a line begun on the PIN screen and ended on another is dropped, never printed") {
  PipedTerminal t;
  Screen pin;
  pin.step = Step::PinEntry;
  pin.tries_left = 3;
  t.frontend->show(pin);
  t.type("12");  // the patient starts typing the PIN...
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Screen consent;
  consent.step = Step::Consent;
  t.frontend->show(consent);  // ...the screen moves on (a timeout, the card taken away)...
  t.type("34\n");            // ...and the line ends there
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(t.count() == 0);
  CHECK(t.out.str().find("1234") == std::string::npos);
  CHECK(t.out.str().find("not an answer") == std::string::npos);
  // The consent screen still takes its own answer afterwards.
  t.type("y\n");
  REQUIRE(t.wait_for_events(1));
  std::lock_guard lock(t.mutex);
  REQUIRE(t.first_answer());
  CHECK(std::holds_alternative<Answered>(*t.first_answer()));
}

TEST_CASE("terminal: a line typed with echo on another screen never becomes the PIN") {
  PipedTerminal t;
  Screen method;
  method.step = Step::MethodChoice;
  t.frontend->show(method);
  t.type("56");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Screen pin;
  pin.step = Step::PinEntry;
  pin.tries_left = 3;
  t.frontend->show(pin);
  t.type("78\n");  // typed where everyone could see it: dropped, not a PIN try
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(t.count() == 0);
  t.type("1234\n");  // typed on the PIN screen: the PIN
  REQUIRE(t.wait_for_events(1));
  std::lock_guard lock(t.mutex);
  REQUIRE(t.first_answer());
  REQUIRE(std::holds_alternative<PinTyped>(*t.first_answer()));
  CHECK(std::get<PinTyped>(*t.first_answer()).pin.size() == 4);
}

// Issue 17: typing on the terminal is the patient's activity (the screen's time-out starts again),
// as a touch on the web page is; a PIN digit is neither echoed nor sent, and the activity carries
// nothing and comes at most once per interval, so it does not count the digits either.
TEST_CASE("terminal: a key typed on the PIN screen is activity, without the digit and never echoed") {
  PipedTerminal t;
  Screen pin;
  pin.step = Step::PinEntry;
  pin.tries_left = 3;
  t.frontend->show(pin);
  const std::string before = t.out.str();
  t.type("1");  // one digit, no Enter
  REQUIRE(t.wait_for_activity(1));
  t.type("2");  // a second digit within the interval: no second event
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(t.activity() == 1);
  CHECK(t.count() == 0);  // no PIN sent before Enter
  CHECK(t.out.str() == before);  // nothing echoed
  t.type("34\n");
  REQUIRE(t.wait_for_events(1));
  std::lock_guard lock(t.mutex);
  REQUIRE(t.first_answer());
  CHECK(std::get<PinTyped>(*t.first_answer()).pin.size() == 4);
  CHECK(t.out.str() == before);
}

TEST_CASE("terminal: typing on a screen that waits for the patient is activity, on the others it is not") {
  PipedTerminal t;
  Screen consent;
  consent.step = Step::Consent;
  t.frontend->show(consent);
  t.type("x");
  REQUIRE(t.wait_for_activity(1));
  CHECK(t.count() == 0);
}

TEST_CASE("terminal: a result that is not valid says why in the screen's language") {
  std::ostringstream out;
  firmware::screen::TerminalFrontend frontend(
      -1, out, firmware::screen::load_texts(test::source_dir() / "firmware" / "screen" / "web" / "i18n" / "en.json"));
  Screen s;
  s.step = Step::Result;
  s.validity = core::eligibility::QualificationValidity::Invalid;
  s.loss_reason = "03";
  s.lost_from = "2026-04-01";
  s.service_message = "資格が喪失しています";
  frontend.show(s);
  CHECK_THAT(out.str(), Catch::Contains("You joined another health insurance"));
  CHECK_THAT(out.str(), Catch::Contains("2026-04-01"));
  CHECK_THAT(out.str(), Catch::Contains("資格が喪失しています"));  // the service's own text stays, for the staff
}

// On a real terminal (a pseudo-terminal here) a key reaches the kiosk when pressed, not at Enter:
// without that, typing a PIN slowly would not count as activity. The PIN screen echoes nothing.
TEST_CASE("terminal: on a terminal each key is activity when pressed, and the PIN screen echoes nothing") {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  REQUIRE(master >= 0);
  REQUIRE(::grantpt(master) == 0);
  REQUIRE(::unlockpt(master) == 0);
  const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  REQUIRE(slave >= 0);
  std::ostringstream out;
  std::mutex mutex;
  std::vector<Event> events;
  {
    firmware::screen::TerminalFrontend frontend(slave, out, japanese());
    frontend.start([&](Event e) {
      std::lock_guard lock(mutex);
      events.push_back(std::move(e));
    });
    Screen pin;
    pin.step = Step::PinEntry;
    pin.tries_left = 3;
    frontend.show(pin);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the reader sets the terminal up
    REQUIRE(::write(master, "7", 1) == 1);                          // one key, no Enter
    bool active = false;
    for (int i = 0; i < 300 && !active; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::lock_guard lock(mutex);
      active = !events.empty() && std::holds_alternative<PatientActive>(events.front());
    }
    CHECK(active);
    pollfd p{master, POLLIN, 0};
    CHECK(::poll(&p, 1, 200) == 0);  // nothing echoed back to the terminal
    frontend.stop();
  }
  ::close(slave);
  ::close(master);
  std::lock_guard lock(mutex);
  CHECK(events.size() == 1);  // the activity only: no PIN before Enter
  CHECK(out.str().find('7') == std::string::npos);
}
