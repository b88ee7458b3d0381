// The staff side of the kiosk screen over loopback: login, sessions, visual-check mode, the
// reception desk (today's receptions, live) and the diagnostics page's report.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "core/journal/journal.hpp"
#include "firmware/staff/staff_auth.hpp"
#include "tests/support/test_paths.hpp"
#include "firmware/screen/web_frontend.hpp"
#include "tests/unit/firmware/screen/web_test_support.hpp"

using namespace kiosk;
using namespace kiosk::core::reception;
using namespace kiosk::firmware;
using kiosk::test::EventRecorder;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct TempJournal {
  TempJournal() {
    std::random_device rd;
    dir = std::filesystem::temp_directory_path() / ("kiosk-staff-test-" + std::to_string(rd()));
    std::filesystem::create_directories(dir);
  }
  ~TempJournal() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
};

firmware::staff::StaffPolicy policy() {
  firmware::staff::StaffPolicy p;
  p.max_failures = 3;
  p.visual_check = 30min;
  return p;
}

struct StaffSide {
  TempJournal temp;
  core::journal::Journal journal = core::journal::Journal::open(temp.dir / "journal.sqlite", "TEST-KIOSK");
  std::shared_ptr<firmware::staff::StaffAuthenticator> staff = std::make_shared<firmware::staff::StaffAuthenticator>(
      std::vector<firmware::staff::StaffAccount>{{"staff-07", firmware::staff::hash_passcode(core::card::Secret("864213"), firmware::staff::kMinPasscodeIterations)}}, policy(),
      firmware::staff::journal_into(journal));
  EventRecorder recorder;
  std::unique_ptr<firmware::screen::WebFrontend> frontend;
  std::unique_ptr<httplib::Client> client;

  explicit StaffSide(bool with_staff = true, std::function<json()> diagnostics = {}) {
    firmware::screen::WebFrontendConfig c;
    c.keepalive = 100ms;
    c.desk_poll = 50ms;
    c.web_dir = test::source_dir() / "firmware" / "screen" / "web";  // not the installed one
    c.journal = &journal;
    if (with_staff) c.staff = staff;
    c.diagnostics = std::move(diagnostics);
    frontend = std::make_unique<firmware::screen::WebFrontend>(c);
    frontend->start(recorder.sink());
    client = std::make_unique<httplib::Client>("127.0.0.1", frontend->port());
    client->set_connection_timeout(2s);
    client->set_read_timeout(3s);
  }
  httplib::Result login(const std::string& id, const std::string& passcode) {
    return client->Post("/staff/login", json{{"staff_id", id}, {"passcode", passcode}}.dump(), "application/json");
  }
  // Logs in and returns the session cookie as the page sends it back.
  httplib::Headers session() {
    auto r = login("staff-07", "864213");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    const std::string cookie = r->get_header_value("Set-Cookie");
    return {{"Cookie", cookie.substr(0, cookie.find(';'))}};
  }
};

json body(const httplib::Result& r) { return json::parse(r->body); }

}  // namespace

TEST_CASE("staff API: the login page lists the staff ids, and nothing else of the accounts") {
  StaffSide s;
  auto ids = s.client->Get("/staff/accounts");
  REQUIRE(ids);
  REQUIRE(ids->status == 200);
  CHECK(body(ids) == json{{"ids", {"staff-07"}}});
  CHECK(ids->body.find("pbkdf2") == std::string::npos);
  StaffSide none(false);
  auto r = none.client->Get("/staff/accounts");
  REQUIRE(r);
  CHECK(r->status == 503);
}

TEST_CASE("staff API: every staff call is refused without a session, and without configured accounts") {
  StaffSide s;
  const httplib::Headers forged{{"Cookie", "kiosk_staff=" + std::string(64, 'a')}};
  for (const char* path : {"/staff/status", "/staff/desk", "/staff/desk/events", "/staff/diagnostics"}) {
    INFO(path);
    auto r = s.client->Get(path);
    REQUIRE(r);
    CHECK(r->status == 401);
    auto f = s.client->Get(path, forged);
    REQUIRE(f);
    CHECK(f->status == 401);
  }
  for (const char* path : {"/staff/visual-check", "/staff/visual-confirm", "/staff/logout"}) {
    INFO(path);
    auto r = s.client->Post(path, R"({"on":true})", "application/json");
    REQUIRE(r);
    CHECK(r->status == 401);
  }
  CHECK(s.recorder.size() == 0);

  StaffSide none(false);
  auto r = none.login("staff-07", "864213");
  REQUIRE(r);
  CHECK(r->status == 503);
  auto status = none.client->Get("/staff/status");
  REQUIRE(status);
  CHECK(status->status == 503);
}

TEST_CASE("staff API: login gives an HttpOnly session cookie or a bearer token, wrong passcodes lock") {
  StaffSide s;
  auto wrong = s.login("staff-07", "000000");
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
  CHECK(wrong->get_header_value("Set-Cookie").empty());
  CHECK(wrong->body.find("000000") == std::string::npos);
  auto bad = s.client->Post("/staff/login", R"({"staff_id":"staff-07"})", "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);

  auto ok = s.login("staff-07", "864213");
  REQUIRE(ok);
  REQUIRE(ok->status == 200);
  const std::string cookie = ok->get_header_value("Set-Cookie");
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(ok->body.find("864213") == std::string::npos);
  const std::string token = cookie.substr(std::string("kiosk_staff=").size(), 64);
  auto bearer = s.client->Get("/staff/status", httplib::Headers{{"Authorization", "Bearer " + token}});
  REQUIRE(bearer);
  CHECK(bearer->status == 200);
  CHECK(body(bearer)["staff_id"] == "staff-07");
  CHECK(body(bearer)["session_seconds"].get<int>() > 200);

  auto out = s.client->Post("/staff/logout", httplib::Headers{{"Authorization", "Bearer " + token}}, "", "text/plain");
  REQUIRE(out);
  CHECK(out->status == 200);
  auto after = s.client->Get("/staff/status", httplib::Headers{{"Authorization", "Bearer " + token}});
  REQUIRE(after);
  CHECK(after->status == 401);

  REQUIRE(s.login("staff-07", "111111")->status == 401);
  REQUIRE(s.login("staff-07", "222222")->status == 401);
  auto locked = s.login("staff-07", "333333");
  REQUIRE(locked);
  CHECK(locked->status == 429);
  CHECK(body(locked)["retry_after_seconds"].get<int>() > 0);
  CHECK(s.login("staff-07", "864213")->status == 429);

  std::vector<std::string> events;
  for (const auto& e : s.journal.since({})) {
    CHECK(e.kind == "staff");
    for (const char* typed : {"864213", "000000", "111111", "222222", "333333"}) CHECK(e.outcome.find(typed) == std::string::npos);
    events.push_back(e.event);
  }
  CHECK(events == std::vector<std::string>{"staff-login-failed", "staff-login", "staff-logout", "staff-login-failed",
                                           "staff-login-failed", "staff-login-failed", "staff-locked-out",
                                           "staff-login-refused"});
}

TEST_CASE("staff API: visual-check mode on and off with the staff id, the staff confirm a waiting check") {
  StaffSide s;
  const auto session = s.session();
  auto on = s.client->Post("/staff/visual-check", session, R"({"on":true})", "application/json");
  REQUIRE(on);
  REQUIRE(on->status == 200);
  CHECK(body(on)["visual_check"]["on"] == true);
  CHECK(body(on)["visual_check"]["staff_id"] == "staff-07");
  CHECK(body(on)["visual_check"]["seconds_left"].get<int>() > 29 * 60);
  REQUIRE(s.recorder.wait_for(1));
  auto event = s.recorder.take();
  const auto* mode = std::get_if<StaffVisualCheckMode>(&*event);
  REQUIRE(mode);
  CHECK(mode->enabled);
  CHECK(mode->staff_id == "staff-07");
  CHECK(mode->duration == 30min);

  auto bad = s.client->Post("/staff/visual-check", session, R"({"on":"yes"})", "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);

  // No visual check is waiting: refused.
  auto early = s.client->Post("/staff/visual-confirm", session, R"({"confirmed":true})", "application/json");
  REQUIRE(early);
  CHECK(early->status == 409);
  Screen waiting;
  waiting.step = Step::VisualCheck;
  s.frontend->show(waiting);
  // Confirming needs the staff member's passcode again; a wrong one confirms nothing.
  auto bare = s.client->Post("/staff/visual-confirm", session, R"({"confirmed":true})", "application/json");
  REQUIRE(bare);
  CHECK(bare->status == 400);
  auto wrong = s.client->Post("/staff/visual-confirm", session, R"({"confirmed":true,"passcode":"111111"})", "application/json");
  REQUIRE(wrong);
  CHECK(wrong->status == 403);
  CHECK(wrong->body.find("111111") == std::string::npos);
  CHECK_FALSE(s.recorder.wait_for(1, 300ms));
  auto confirm = s.client->Post("/staff/visual-confirm", session, R"({"confirmed":true,"passcode":"864213"})", "application/json");
  REQUIRE(confirm);
  CHECK(confirm->status == 200);
  REQUIRE(s.recorder.wait_for(1));
  event = s.recorder.take();
  const auto* checked = std::get_if<VisualChecked>(&*event);
  REQUIRE(checked);
  CHECK(checked->confirmed);
  CHECK(checked->staff_id == "staff-07");

  auto off = s.client->Post("/staff/visual-check", session, R"({"on":false})", "application/json");
  REQUIRE(off);
  CHECK(body(off)["visual_check"]["on"] == false);
  REQUIRE(s.recorder.wait_for(1));
  event = s.recorder.take();
  REQUIRE(std::get_if<StaffVisualCheckMode>(&*event));
  CHECK_FALSE(std::get<StaffVisualCheckMode>(*event).enabled);
}

TEST_CASE("staff API: the desk lists today's receptions with their result and nothing personal") {
  StaffSide s;
  const auto now = std::chrono::system_clock::now();
  const auto midnight = core::journal::local_midnight(now);
  s.journal.append({"reception", "reception-completed", "pin", "yesterday's", ""}, midnight - 1s);
  s.journal.append({"reception", "pin-wrong", "pin", "2 tries left", "K110"}, now);
  s.journal.append({"reception", "reception-completed", "pin", "qualification valid; consent given", ""}, now);
  s.journal.append({"staff", "visual-check-on", "visual", "staff staff-07 for 30 min", ""}, now);
  s.journal.append({"reception", "card-refused", "", "certificate expired", "006"}, now);
  s.journal.append({"reception", "reception-completed", "face", "qualification 無効; card certificate expires 2027-01-31: renew at the municipal office", ""}, now);
  s.journal.append({"reception", "reception-completed", "numbers", "qualification 有効 (資格確認書)", ""}, now);
  s.journal.append({"reception", "reception-completed", "pin", "qualification 有効（未登録）", "K142"}, now);
  s.journal.append({"reception", "reception-completed", "pin", "no result", ""}, now);
  s.journal.append({"reception", "reader-failed", "pin", "the reader failed on consent", "K160"}, now);
  s.journal.append({"reception", "cancelled", "pin", "cancelled on method-choice", ""}, now);
  const auto session = s.session();

  auto desk = s.client->Get("/staff/desk", session);
  REQUIRE(desk);
  REQUIRE(desk->status == 200);
  const json rows = body(desk)["rows"];
  REQUIRE(rows.size() == 8);
  CHECK(rows[0]["event"] == "reception-completed");
  CHECK(rows[0]["completed"] == true);
  CHECK(rows[0]["method"] == "pin");
  CHECK(rows[0]["outcome"] == "qualification valid; consent given");
  CHECK(rows[1]["event"] == "card-refused");
  CHECK(rows[1]["message_code"] == "006");
  CHECK(rows[1]["completed"] == false);
  // Only a valid qualification is done; a result that is not valid, or none, sends the patient to
  // the counter; the journal's English words become an i18n key for the 結果 column.
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"done", "staff.outcome.valid"},          {"not-completed", "staff.outcome.card_refused"},
      {"counter", "staff.outcome.invalid"},     {"done", "staff.outcome.valid"},
      {"counter", "staff.outcome.unregistered"}, {"counter", "staff.outcome.no_result"},
      {"not-completed", "staff.outcome.reader_failed"}, {"not-completed", "staff.outcome.cancelled"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(rows[i].dump());
    CHECK(rows[i]["state"] == expected[i].first);
    CHECK(rows[i]["outcome_key"] == expected[i].second);
  }
  // Every key the desk can send has its text in every language of the staff page (the page's
  // own keys are checked by i18n_test).
  for (const char* lang : {"ja", "en", "zh-Hans", "zh-Hant", "ko", "vi", "pt-BR"}) {
    std::ifstream in(test::source_dir() / "firmware/screen/web/i18n" / (std::string(lang) + ".json"));
    const json texts = json::parse(in);
    const auto keys = firmware::screen::desk_outcome_keys();
    CHECK(keys.size() == 16);
    for (const std::string_view key : keys) {
      INFO(lang << " " << key);
      CHECK(texts.contains(std::string(key)));
    }
  }
  for (const auto& row : rows) {
    std::set<std::string> keys;
    for (const auto& [k, v] : row.items()) keys.insert(k);
    CHECK(keys == std::set<std::string>{"id", "time", "event", "method", "outcome", "message_code", "completed", "state",
                                        "outcome_key"});
    CHECK(row["time"].get<std::string>().size() == 8);  // HH:MM:SS
  }
  CHECK(desk->body.find("staff-07") == std::string::npos);
  CHECK(desk->body.find("TEST-KIOSK") == std::string::npos);
}

TEST_CASE("staff API: the desk stream sends today's rows, then each new reception as it is journaled") {
  StaffSide s;
  s.journal.append({"reception", "timed-out", "pin", "no answer on pin-entry", "K150"}, std::chrono::system_clock::now());
  const auto session = s.session();
  std::mutex mutex;
  std::condition_variable changed;
  std::string raw;
  httplib::Client stream("127.0.0.1", s.frontend->port());
  stream.set_read_timeout(5s);
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    stream.Get("/staff/desk/events", session, [&](const char* data, std::size_t size) {
      {
        const std::lock_guard lock(mutex);
        raw.append(data, size);
      }
      changed.notify_all();
      return !stop.load();
    });
  });
  auto wait_for = [&](const std::string& text) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 3s, [&] { return raw.find(text) != std::string::npos; });
  };
  CHECK(wait_for("\"reset\":true"));
  CHECK(wait_for("timed-out"));
  s.journal.append({"reception", "reception-completed", "face", "qualification valid; consent given", ""},
                   std::chrono::system_clock::now());
  CHECK(wait_for("\"reset\":false"));
  CHECK(wait_for("reception-completed"));
  stop = true;
  s.frontend->stop();
  reader.join();
}

TEST_CASE("staff API: the diagnostics page gets the report from the configured callback") {
  StaffSide without;
  auto none = without.client->Get("/staff/diagnostics", without.session());
  REQUIRE(none);
  CHECK(none->status == 503);

  StaffSide s(true, [] { return json{{"overall", "PASS"}, {"checks", json::array()}}; });
  auto report = s.client->Get("/staff/diagnostics", s.session());
  REQUIRE(report);
  CHECK(report->status == 200);
  CHECK(body(report)["overall"] == "PASS");
}
