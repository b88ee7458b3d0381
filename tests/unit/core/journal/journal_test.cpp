#include <catch2/catch.hpp>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include "core/journal/journal.hpp"
#include "tests/support/test_cards.hpp"

using namespace kiosk;
using namespace std::chrono_literals;

TEST_CASE("journal: entries are kept in order with their time and terminal") {
  test::TempDir dir;
  auto j = core::journal::Journal::open(dir.path() / "j.sqlite", "KIOSK-01");
  const auto t0 = std::chrono::system_clock::now();
  j.append({"reception", "pin-wrong", "pin", "2 tries left", "K110"}, t0);
  j.append({"staff", "visual-check-on", "visual", "staff staff-07", ""}, t0 + 1s);
  const auto all = j.since(t0 - 1s);
  REQUIRE(all.size() == 2);
  CHECK(all[0].event == "pin-wrong");
  CHECK(all[0].message_code == "K110");
  CHECK(all[0].terminal == "KIOSK-01");
  CHECK(all[1].kind == "staff");
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(all[1].at - all[0].at) == 1000ms);
  CHECK(j.since(t0 + 500ms).size() == 1);
  CHECK(j.intact());
}

TEST_CASE("journal: refuses anything that looks like a My Number") {
  test::TempDir dir;
  auto j = core::journal::Journal::open(dir.path() / "j.sqlite", "K");
  CHECK_THROWS_AS(j.append({"reception", "x", "", "number 123456789012", ""}, std::chrono::system_clock::now()),
                  std::invalid_argument);
  CHECK(j.since({}).empty());
}

TEST_CASE("journal: retention purges old entries only") {
  test::TempDir dir;
  auto j = core::journal::Journal::open(dir.path() / "j.sqlite", "K");
  const auto now = std::chrono::system_clock::now();
  j.append({"reception", "old", "", "", ""}, now - std::chrono::days(100));
  j.append({"reception", "new", "", "", ""}, now);
  CHECK(j.purge_before(now - std::chrono::days(90)) == 1);
  const auto rest = j.since({});
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].event == "new");
}

TEST_CASE("journal: kill -9 while writing loses no committed entry") {
  test::TempDir dir;
  const auto path = dir.path() / "j.sqlite";
  core::journal::Journal::open(path, "K");  // create the schema
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    auto j = core::journal::Journal::open(path, "K");
    for (std::int64_t i = 1;; ++i) {
      const std::int64_t id = j.append({"reception", "reception-completed", "pin", "entry " + std::to_string(i), ""},
                                       std::chrono::system_clock::now());
      if (write(fds[1], &id, sizeof id) != sizeof id) _exit(1);  // reported only once committed
    }
  }
  close(fds[1]);
  std::int64_t last_reported = 0;
  std::int64_t id = 0;
  const auto until = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < until && read(fds[0], &id, sizeof id) == sizeof id) last_reported = id;
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  while (read(fds[0], &id, sizeof id) == sizeof id) last_reported = id;  // drain what was sent before the kill
  close(fds[0]);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(last_reported > 10);

  auto j = core::journal::Journal::open(path, "K");
  CHECK(j.intact());
  const auto entries = j.since({});
  REQUIRE(entries.size() >= static_cast<std::size_t>(last_reported));
  for (std::size_t i = 0; i < entries.size(); ++i) CHECK(entries[i].id == static_cast<std::int64_t>(i + 1));
  INFO("committed and reported: " << last_reported << ", in the journal: " << entries.size());
}

TEST_CASE("journal: the desk's query, one kind since local midnight, and only entries after the last seen") {
  test::TempDir dir;
  auto j = core::journal::Journal::open(dir.path() / "j.sqlite", "K");
  const auto now = std::chrono::system_clock::now();
  const auto midnight = core::journal::local_midnight(now);
  CHECK(midnight <= now);
  CHECK(now - midnight < 25h);
  CHECK(core::journal::local_midnight(midnight) == midnight);
  CHECK(core::journal::local_midnight(midnight - 1s) < midnight);

  j.append({"reception", "reception-completed", "pin", "yesterday", ""}, midnight - 1s);
  const auto first = j.append({"reception", "reception-completed", "pin", "qualification valid; consent given", ""}, midnight);
  j.append({"staff", "staff-login", "", "staff staff-07", ""}, midnight + 1s);
  const auto third = j.append({"reception", "pin-wrong", "pin", "2 tries left", "K110"}, midnight + 2s);

  const auto today = j.of_kind_since("reception", midnight);
  REQUIRE(today.size() == 2);
  CHECK(today[0].id == first);
  CHECK(today[0].outcome == "qualification valid; consent given");
  CHECK(today[1].message_code == "K110");
  const auto newer = j.of_kind_since("reception", midnight, first);
  REQUIRE(newer.size() == 1);
  CHECK(newer[0].id == third);
  CHECK(j.of_kind_since("reception", midnight, third).empty());
  CHECK(j.of_kind_since("staff", midnight).size() == 1);
}
