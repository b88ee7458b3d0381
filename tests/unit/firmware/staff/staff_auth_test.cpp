// Staff authentication: the passcode hash, its verification, the lockout and staff sessions.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "core/card/secret.hpp"
#include "firmware/staff/staff_auth.hpp"

using namespace kiosk;
using namespace kiosk::firmware;
using namespace std::chrono_literals;

namespace {

constexpr int kFast = firmware::staff::kMinPasscodeIterations;  // tests only: production hashes use 600 000

struct Staff {
  std::vector<core::journal::Entry> journal;
  firmware::staff::StaffAuthenticator auth;
  firmware::staff::StaffAuthenticator::Clock::time_point now{};

  explicit Staff(firmware::staff::StaffPolicy p = {})
      : auth({{"staff-07", firmware::staff::hash_passcode(core::card::Secret("864213"), kFast)}, {"staff-08", firmware::staff::hash_passcode(core::card::Secret("135790"), kFast)}},
             p, [this](const core::journal::Entry& e) { journal.push_back(e); }) {}
  firmware::staff::StaffAuthenticator::Login login(const char* id, const char* passcode) { return auth.login(id, core::card::Secret(passcode), now); }
  std::string last_event() const { return journal.empty() ? "" : journal.back().event; }
};

}  // namespace

TEST_CASE("staff passcode hash: PBKDF2-SHA256 with its iterations and salt, verified, never the passcode") {
  const std::string stored = firmware::staff::hash_passcode(core::card::Secret("864213"), kFast);
  CHECK(stored.rfind("pbkdf2-sha256$1000$", 0) == 0);
  CHECK(stored.size() == std::string("pbkdf2-sha256$1000$").size() + 32 + 1 + 64);
  CHECK(stored.find("864213") == std::string::npos);
  CHECK_FALSE(firmware::staff::passcode_hash_problem(stored));
  CHECK(firmware::staff::verify_passcode(core::card::Secret("864213"), stored));
  CHECK_FALSE(firmware::staff::verify_passcode(core::card::Secret("864214"), stored));
  CHECK_FALSE(firmware::staff::verify_passcode(core::card::Secret("86421"), stored));
  CHECK_FALSE(firmware::staff::verify_passcode(core::card::Secret(), stored));
  // A fresh salt each time: the same passcode never hashes the same.
  CHECK(firmware::staff::hash_passcode(core::card::Secret("864213"), kFast) != stored);
  // The iteration count is read from the stored form.
  const std::string slower = firmware::staff::hash_passcode(core::card::Secret("864213"), 2000);
  CHECK(slower.rfind("pbkdf2-sha256$2000$", 0) == 0);
  CHECK(firmware::staff::verify_passcode(core::card::Secret("864213"), slower));
}

TEST_CASE("staff passcode hash: malformed stored forms are reported and never match") {
  const std::string good = firmware::staff::hash_passcode(core::card::Secret("864213"), kFast);
  const std::string tail = good.substr(good.find('$', std::string("pbkdf2-sha256$").size()));
  for (const std::string& bad : {std::string(""), std::string("8642"), "pbkdf2-sha1" + good.substr(13),
                                 "pbkdf2-sha256$10" + tail, "pbkdf2-sha256$x" + tail, "pbkdf2-sha256$99999999" + tail,
                                 good.substr(0, good.size() - 2), good + "$", good.substr(0, good.size() - 1) + "g"}) {
    INFO(bad);
    CHECK(firmware::staff::passcode_hash_problem(bad));
    CHECK_FALSE(firmware::staff::verify_passcode(core::card::Secret("864213"), bad));
  }
  CHECK_THROWS_AS(firmware::staff::hash_passcode(core::card::Secret(), kFast), std::invalid_argument);
  CHECK_THROWS_AS(firmware::staff::hash_passcode(core::card::Secret("864213"), 10), std::invalid_argument);
}

TEST_CASE("staff login: a session for the right passcode, journaled with the staff id only") {
  Staff s;
  const auto ok = s.login("staff-07", "864213");
  REQUIRE(ok.outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
  CHECK(ok.token.size() == 64);
  CHECK(s.auth.session(ok.token, s.now) == std::optional<std::string>("staff-07"));
  CHECK(s.last_event() == "staff-login");
  CHECK(s.journal.back().kind == "staff");
  CHECK(s.journal.back().outcome == "staff staff-07");
  CHECK_FALSE(s.auth.session("", s.now));
  CHECK_FALSE(s.auth.session(std::string(64, '0'), s.now));

  // Another staff member's passcode does not open this account; an unknown id does not say so.
  CHECK(s.login("staff-07", "135790").outcome == firmware::staff::StaffAuthenticator::Outcome::Wrong);
  CHECK(s.login("864213", "864213").outcome == firmware::staff::StaffAuthenticator::Outcome::Wrong);
  CHECK(s.last_event() == "staff-login-failed");
  CHECK(s.journal.back().outcome.find("(unknown id)") != std::string::npos);
  for (const auto& e : s.journal) {
    INFO(e.event << " " << e.outcome);
    CHECK(e.outcome.find("864213") == std::string::npos);
    CHECK(e.outcome.find("135790") == std::string::npos);
  }
}

TEST_CASE("staff sessions end 5 idle minutes after the last action, polling is no action, and at most session_max after login") {
  firmware::staff::StaffPolicy p;
  p.session = 5min;
  p.session_max = 30min;
  Staff s(p);
  using Use = firmware::staff::StaffAuthenticator::Use;
  const auto a = s.login("staff-07", "864213");
  REQUIRE(a.outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
  // An action every 4 minutes keeps the session past its first 5 minutes.
  for (int i = 0; i < 5; ++i) {
    s.now += 4min;
    REQUIRE(s.auth.session(a.token, s.now, Use::Action));
    CHECK(s.auth.session_expiry(a.token, s.now) == s.now + 5min);
  }
  // Polling (the page's status refresh) does not: 5 minutes after the last action it ends.
  const auto last_action = s.now;
  for (int i = 0; i < 4; ++i) {
    s.now += 1min;
    CHECK(s.auth.session(a.token, s.now, Use::Poll));
  }
  s.now = last_action + 5min;
  CHECK_FALSE(s.auth.session(a.token, s.now));
  CHECK_FALSE(s.auth.session_expiry(a.token, s.now));

  // However active, a session ends session_max after login.
  const auto b = s.login("staff-08", "135790");
  REQUIRE(b.outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
  const auto login_time = s.now;
  while (s.now + 3min < login_time + 30min) {
    s.now += 3min;
    REQUIRE(s.auth.session(b.token, s.now, Use::Action));
  }
  CHECK(s.auth.session_expiry(b.token, s.now) == login_time + 30min);
  s.now = login_time + 30min;
  CHECK_FALSE(s.auth.session(b.token, s.now, Use::Action));
}

TEST_CASE("staff sessions end after their lifetime, or at logout") {
  firmware::staff::StaffPolicy p;
  p.session = 5min;
  Staff s(p);
  const auto a = s.login("staff-07", "864213");
  REQUIRE(a.outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
  CHECK(s.auth.session_expiry(a.token, s.now) == s.now + 5min);
  s.now += 4min + 59s;
  CHECK(s.auth.session(a.token, s.now));
  s.now += 1s;
  CHECK_FALSE(s.auth.session(a.token, s.now));
  CHECK_FALSE(s.auth.session_expiry(a.token, s.now));

  const auto b = s.login("staff-08", "135790");
  REQUIRE(b.outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
  s.auth.logout(b.token, s.now);
  CHECK(s.last_event() == "staff-logout");
  CHECK_FALSE(s.auth.session(b.token, s.now));
}

TEST_CASE("staff lockout: N wrong passcodes lock that staff id for M minutes, journaled, and another id's login does not reset it") {
  firmware::staff::StaffPolicy p;
  p.max_failures = 3;
  p.lockout = 10min;
  Staff s(p);
  CHECK(s.login("staff-07", "000000").outcome == firmware::staff::StaffAuthenticator::Outcome::Wrong);
  CHECK(s.login("staff-07", "864213").outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);  // resets its count
  // An insider alternating guesses at a colleague's passcode with their own login gets N guesses.
  CHECK(s.login("staff-07", "000000").outcome == firmware::staff::StaffAuthenticator::Outcome::Wrong);
  CHECK(s.login("staff-08", "135790").outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
  CHECK(s.login("staff-07", "111111").outcome == firmware::staff::StaffAuthenticator::Outcome::Wrong);
  CHECK(s.login("staff-08", "135790").outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
  const auto third = s.login("staff-07", "222222");
  CHECK(third.outcome == firmware::staff::StaffAuthenticator::Outcome::LockedOut);
  CHECK(third.retry_after == 10min);
  CHECK(s.last_event() == "staff-locked-out");
  CHECK(s.journal.back().outcome.find("staff-07") != std::string::npos);

  s.now += 9min;
  const auto refused = s.login("staff-07", "864213");  // even the right passcode
  CHECK(refused.outcome == firmware::staff::StaffAuthenticator::Outcome::LockedOut);
  CHECK(refused.retry_after == 1min);
  CHECK(s.last_event() == "staff-login-refused");
  CHECK(s.login("staff-08", "135790").outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);  // other ids work
  s.now += 1min;
  CHECK(s.login("staff-07", "864213").outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
}

TEST_CASE("staff lockout: wrong passcodes spread over ids lock every login, and good logins do not reset that count") {
  firmware::staff::StaffPolicy p;
  p.max_failures = 3;
  p.lockout = 10min;
  Staff s(p);
  // 3 x 3 = 9 failures within 10 minutes, whatever the ids (every unknown id counts as one).
  using Outcome = firmware::staff::StaffAuthenticator::Outcome;
  for (const char* id : {"staff-07", "staff-07", "nobody-1", "nobody-2", "staff-08", "staff-08"}) {
    CHECK(s.login(id, "999999").outcome == Outcome::Wrong);
    s.now += 30s;
  }
  CHECK(s.login("staff-08", "135790").outcome == Outcome::LoggedIn);  // staff-08's own count goes, not the total
  for (int i = 0; i < 2; ++i) CHECK(s.login("staff-08", "999999").outcome == Outcome::Wrong);
  CHECK(s.login("staff-07", "999999").outcome == Outcome::LockedOut);  // the 9th
  bool all_locked = false;
  for (const auto& e : s.journal) all_locked |= e.outcome.find("every staff login refused") != std::string::npos;
  CHECK(all_locked);
  // staff-08 has 2 failures of its own, yet is refused: the lock over all ids.
  CHECK(s.login("staff-08", "135790").outcome == Outcome::LockedOut);
  CHECK(s.last_event() == "staff-login-refused");
  s.now += 10min;
  CHECK(s.login("staff-08", "135790").outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
}

TEST_CASE("staff lockout: 50 parallel wrong passcodes get at most N evaluations, then even the right one is refused") {
  using Outcome = firmware::staff::StaffAuthenticator::Outcome;
  firmware::staff::StaffPolicy p;
  p.max_failures = 5;
  p.lockout = 15min;
  std::mutex journal_mutex;
  std::vector<core::journal::Entry> journal;
  firmware::staff::StaffAuthenticator auth(
      {{"staff-07", firmware::staff::hash_passcode(core::card::Secret("864213"), kFast)}}, p,
      [&](const core::journal::Entry& e) {
        const std::lock_guard lock(journal_mutex);
        journal.push_back(e);
      });
  const firmware::staff::StaffAuthenticator::Clock::time_point now{};
  std::atomic<int> wrong{0};
  std::atomic<int> locked{0};
  std::atomic<int> other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      const auto r = auth.login("staff-07", core::card::Secret(std::to_string(100000 + i)), now);
      (r.outcome == Outcome::Wrong ? wrong : r.outcome == Outcome::LockedOut ? locked : other) += 1;
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  int evaluations = 0;  // wrong passcodes whose PBKDF2 ran
  for (const auto& e : journal) evaluations += e.event == "staff-login-failed";
  INFO("wrong " << wrong << ", locked out " << locked << ", other " << other);
  CHECK(evaluations == p.max_failures);  // not one more than the limit, however many arrive at once
  CHECK(wrong == p.max_failures - 1);    // the last of them is answered with the lockout
  CHECK(locked == 50 - wrong);
  CHECK(other == 0);
  // The right passcode, arriving now, is refused without being checked.
  CHECK(auth.login("staff-07", core::card::Secret("864213"), now).outcome == Outcome::LockedOut);
  CHECK(journal.back().event == "staff-login-refused");
}

TEST_CASE("staff passcodes are 6 to 32 digits") {
  using firmware::staff::passcode_problem;
  CHECK_FALSE(passcode_problem(core::card::Secret("123456")));
  CHECK_FALSE(passcode_problem(core::card::Secret(std::string(32, '9'))));
  for (const std::string& bad : {std::string("12345"), std::string("1234"), std::string("12345a"),
                                 std::string("abcdefgh"), std::string("12 3456"), std::string()}) {
    INFO(bad);
    CHECK(passcode_problem(core::card::Secret(bad)));
    CHECK_THROWS_AS(firmware::staff::hash_passcode(core::card::Secret(bad), kFast), std::invalid_argument);
  }
  // A short passcode at the login is a failure like any other (and counted).
  Staff s;
  CHECK(s.login("staff-07", "1234").outcome == firmware::staff::StaffAuthenticator::Outcome::Wrong);
  CHECK(s.last_event() == "staff-login-failed");
}

TEST_CASE("staff login without configured accounts is refused as such") {
  firmware::staff::StaffAuthenticator none({}, {});
  CHECK_FALSE(none.configured());
  CHECK(none.login("staff-07", core::card::Secret("864213"), {}).outcome == firmware::staff::StaffAuthenticator::Outcome::NoAccounts);
}

TEST_CASE("staff reconfirm: the session's own passcode again, counted as logins are, a lockout ends the session") {
  firmware::staff::StaffPolicy p;
  p.max_failures = 3;
  Staff s(p);
  using Outcome = firmware::staff::StaffAuthenticator::Outcome;
  const auto a = s.login("staff-07", "864213");
  REQUIRE(a.outcome == Outcome::LoggedIn);
  CHECK(s.auth.reconfirm(a.token, core::card::Secret("864213"), s.now).outcome == Outcome::LoggedIn);
  CHECK(s.auth.reconfirm(a.token, core::card::Secret("135790"), s.now).outcome == Outcome::Wrong);  // a colleague's
  CHECK(s.last_event() == "staff-reconfirm-failed");
  CHECK(s.auth.reconfirm("", core::card::Secret("864213"), s.now).outcome == Outcome::Wrong);
  CHECK(s.auth.reconfirm(std::string(64, 'a'), core::card::Secret("864213"), s.now).outcome == Outcome::Wrong);
  // A right one resets the count; then three wrong ones lock the id and end the session.
  CHECK(s.auth.reconfirm(a.token, core::card::Secret("864213"), s.now).outcome == Outcome::LoggedIn);
  CHECK(s.auth.reconfirm(a.token, core::card::Secret("000000"), s.now).outcome == Outcome::Wrong);
  CHECK(s.auth.reconfirm(a.token, core::card::Secret("000001"), s.now).outcome == Outcome::Wrong);
  const auto locked = s.auth.reconfirm(a.token, core::card::Secret("000002"), s.now);
  CHECK(locked.outcome == Outcome::LockedOut);
  CHECK(locked.retry_after == p.lockout);
  CHECK_FALSE(s.auth.session(a.token, s.now));
  CHECK(s.login("staff-07", "864213").outcome == Outcome::LockedOut);
  CHECK(s.auth.account_ids() == std::vector<std::string>{"staff-07", "staff-08"});
  for (const auto& e : s.journal) {
    INFO(e.event << " " << e.outcome);
    CHECK(e.outcome.find("864213") == std::string::npos);
    CHECK(e.outcome.find("00000") == std::string::npos);
  }
}
