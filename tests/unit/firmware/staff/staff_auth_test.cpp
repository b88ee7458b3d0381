// Staff authentication: the passcode hash, its verification, the lockout and staff sessions.
#include <catch2/catch.hpp>

#include <chrono>
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
      : auth({{"staff-07", firmware::staff::hash_passcode(core::card::Secret("8642"), kFast)}, {"staff-08", firmware::staff::hash_passcode(core::card::Secret("1357"), kFast)}},
             p, [this](const core::journal::Entry& e) { journal.push_back(e); }) {}
  firmware::staff::StaffAuthenticator::Login login(const char* id, const char* passcode) { return auth.login(id, core::card::Secret(passcode), now); }
  std::string last_event() const { return journal.empty() ? "" : journal.back().event; }
};

}  // namespace

TEST_CASE("staff passcode hash: PBKDF2-SHA256 with its iterations and salt, verified, never the passcode") {
  const std::string stored = firmware::staff::hash_passcode(core::card::Secret("8642"), kFast);
  CHECK(stored.rfind("pbkdf2-sha256$1000$", 0) == 0);
  CHECK(stored.size() == std::string("pbkdf2-sha256$1000$").size() + 32 + 1 + 64);
  CHECK(stored.find("8642") == std::string::npos);
  CHECK_FALSE(firmware::staff::passcode_hash_problem(stored));
  CHECK(firmware::staff::verify_passcode(core::card::Secret("8642"), stored));
  CHECK_FALSE(firmware::staff::verify_passcode(core::card::Secret("8643"), stored));
  CHECK_FALSE(firmware::staff::verify_passcode(core::card::Secret("864"), stored));
  CHECK_FALSE(firmware::staff::verify_passcode(core::card::Secret(), stored));
  // A fresh salt each time: the same passcode never hashes the same.
  CHECK(firmware::staff::hash_passcode(core::card::Secret("8642"), kFast) != stored);
  // The iteration count is read from the stored form.
  const std::string slower = firmware::staff::hash_passcode(core::card::Secret("8642"), 2000);
  CHECK(slower.rfind("pbkdf2-sha256$2000$", 0) == 0);
  CHECK(firmware::staff::verify_passcode(core::card::Secret("8642"), slower));
}

TEST_CASE("staff passcode hash: malformed stored forms are reported and never match") {
  const std::string good = firmware::staff::hash_passcode(core::card::Secret("8642"), kFast);
  const std::string tail = good.substr(good.find('$', std::string("pbkdf2-sha256$").size()));
  for (const std::string& bad : {std::string(""), std::string("8642"), "pbkdf2-sha1" + good.substr(13),
                                 "pbkdf2-sha256$10" + tail, "pbkdf2-sha256$x" + tail, "pbkdf2-sha256$99999999" + tail,
                                 good.substr(0, good.size() - 2), good + "$", good.substr(0, good.size() - 1) + "g"}) {
    INFO(bad);
    CHECK(firmware::staff::passcode_hash_problem(bad));
    CHECK_FALSE(firmware::staff::verify_passcode(core::card::Secret("8642"), bad));
  }
  CHECK_THROWS_AS(firmware::staff::hash_passcode(core::card::Secret(), kFast), std::invalid_argument);
  CHECK_THROWS_AS(firmware::staff::hash_passcode(core::card::Secret("8642"), 10), std::invalid_argument);
}

TEST_CASE("staff login: a session for the right passcode, journaled with the staff id only") {
  Staff s;
  const auto ok = s.login("staff-07", "8642");
  REQUIRE(ok.outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
  CHECK(ok.token.size() == 64);
  CHECK(s.auth.session(ok.token, s.now) == std::optional<std::string>("staff-07"));
  CHECK(s.last_event() == "staff-login");
  CHECK(s.journal.back().kind == "staff");
  CHECK(s.journal.back().outcome == "staff staff-07");
  CHECK_FALSE(s.auth.session("", s.now));
  CHECK_FALSE(s.auth.session(std::string(64, '0'), s.now));

  // Another staff member's passcode does not open this account; an unknown id does not say so.
  CHECK(s.login("staff-07", "1357").outcome == firmware::staff::StaffAuthenticator::Outcome::Wrong);
  CHECK(s.login("8642", "8642").outcome == firmware::staff::StaffAuthenticator::Outcome::Wrong);
  CHECK(s.last_event() == "staff-login-failed");
  CHECK(s.journal.back().outcome.find("(unknown id)") != std::string::npos);
  for (const auto& e : s.journal) {
    INFO(e.event << " " << e.outcome);
    CHECK(e.outcome.find("8642") == std::string::npos);
    CHECK(e.outcome.find("1357") == std::string::npos);
  }
}

TEST_CASE("staff sessions end after their lifetime, or at logout") {
  firmware::staff::StaffPolicy p;
  p.session = 5min;
  Staff s(p);
  const auto a = s.login("staff-07", "8642");
  REQUIRE(a.outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
  CHECK(s.auth.session_expiry(a.token, s.now) == s.now + 5min);
  s.now += 4min + 59s;
  CHECK(s.auth.session(a.token, s.now));
  s.now += 1s;
  CHECK_FALSE(s.auth.session(a.token, s.now));
  CHECK_FALSE(s.auth.session_expiry(a.token, s.now));

  const auto b = s.login("staff-08", "1357");
  REQUIRE(b.outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
  s.auth.logout(b.token, s.now);
  CHECK(s.last_event() == "staff-logout");
  CHECK_FALSE(s.auth.session(b.token, s.now));
}

TEST_CASE("staff lockout: N wrong passcodes lock every login for M minutes, journaled") {
  firmware::staff::StaffPolicy p;
  p.max_failures = 3;
  p.lockout = 10min;
  Staff s(p);
  CHECK(s.login("staff-07", "0000").outcome == firmware::staff::StaffAuthenticator::Outcome::Wrong);
  CHECK(s.login("staff-07", "8642").outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);  // resets the count
  CHECK(s.login("staff-07", "0000").outcome == firmware::staff::StaffAuthenticator::Outcome::Wrong);
  CHECK(s.login("unknown", "0000").outcome == firmware::staff::StaffAuthenticator::Outcome::Wrong);
  const auto third = s.login("staff-08", "0000");
  CHECK(third.outcome == firmware::staff::StaffAuthenticator::Outcome::LockedOut);
  CHECK(third.retry_after == 10min);
  CHECK(s.last_event() == "staff-locked-out");

  s.now += 9min;
  const auto refused = s.login("staff-07", "8642");  // even the right passcode
  CHECK(refused.outcome == firmware::staff::StaffAuthenticator::Outcome::LockedOut);
  CHECK(refused.retry_after == 1min);
  CHECK(s.last_event() == "staff-login-refused");
  s.now += 1min;
  CHECK(s.login("staff-07", "8642").outcome == firmware::staff::StaffAuthenticator::Outcome::LoggedIn);
}

TEST_CASE("staff login without configured accounts is refused as such") {
  firmware::staff::StaffAuthenticator none({}, {});
  CHECK_FALSE(none.configured());
  CHECK(none.login("staff-07", core::card::Secret("8642"), {}).outcome == firmware::staff::StaffAuthenticator::Outcome::NoAccounts);
}
