// The staff pages on the clinic's LAN over HTTPS: only the staff side, only to allow-listed
// addresses naming the kiosk, with the same login; the patient screen stays on loopback.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/journal/journal.hpp"
#include "firmware/kiosk/config.hpp"
#include "firmware/screen/staff_lan.hpp"
#include "firmware/screen/web_frontend.hpp"
#include "firmware/staff/staff_auth.hpp"
#include "sim/eligibility/service.hpp"
#include "tests/support/raw_tcp_client.hpp"
#include "tests/support/test_paths.hpp"
#include "tests/unit/firmware/screen/web_test_support.hpp"

using namespace kiosk;
using kiosk::firmware::screen::AddressRange;
using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct TempDirectory {
  TempDirectory() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("kiosk-staff-lan-test-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDirectory() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

// A kiosk screen with its staff pages also on "the LAN" (loopback here), TLS with a certificate
// for 127.0.0.1 and localhost from the simulated service's PKI.
struct LanKiosk {
  TempDirectory temp;
  sim::eligibility::ServiceDirectory pki =
      sim::eligibility::init_service_directory(temp.path / "pki", "1234567890", std::chrono::system_clock::now());
  core::journal::Journal journal = core::journal::Journal::open(temp.path / "journal.sqlite", "TEST-KIOSK");
  std::shared_ptr<firmware::staff::StaffAuthenticator> staff = std::make_shared<firmware::staff::StaffAuthenticator>(
      std::vector<firmware::staff::StaffAccount>{
          {"staff-07", firmware::staff::hash_passcode(core::card::Secret("864213"), firmware::staff::kMinPasscodeIterations)}},
      firmware::staff::StaffPolicy{}, firmware::staff::journal_into(journal));
  test::EventRecorder recorder;
  std::unique_ptr<firmware::screen::WebFrontend> frontend;

  firmware::screen::StaffLanConfig lan(std::vector<std::string> allow = {"127.0.0.0/8"}) const {
    firmware::screen::StaffLanConfig l;
    l.address = "127.0.0.1";
    l.port = 0;
    l.certificate = pki.server_certificate;
    l.key = pki.server_key;
    l.allow = std::move(allow);
    l.host_names = {"localhost", "127.0.0.1"};
    return l;
  }

  void start(const firmware::screen::StaffLanConfig& l) {
    firmware::screen::WebFrontendConfig c;
    c.keepalive = 100ms;
    c.web_dir = test::source_dir() / "firmware" / "screen" / "web";
    c.journal = &journal;
    c.staff = staff;
    c.staff_lan = l;
    frontend = std::make_unique<firmware::screen::WebFrontend>(c);
    frontend->start(recorder.sink());
  }

  std::unique_ptr<httplib::SSLClient> client() const {
    auto cli = std::make_unique<httplib::SSLClient>("127.0.0.1", frontend->staff_lan_port());
    cli->set_ca_cert_path(pki.service_ca.c_str());
    cli->enable_server_certificate_verification(true);
    cli->set_connection_timeout(3s);
    cli->set_read_timeout(5s);
    return cli;
  }
};

}  // namespace

TEST_CASE("staff LAN: address ranges in CIDR notation, IPv4 and IPv6, mapped IPv4 peers") {
  const auto clinic = AddressRange::parse("192.168.10.0/24");
  CHECK(clinic.contains("192.168.10.5"));
  CHECK(clinic.contains("192.168.10.255"));
  CHECK(clinic.contains("::ffff:192.168.10.77"));
  CHECK_FALSE(clinic.contains("192.168.11.5"));
  CHECK_FALSE(clinic.contains("10.0.0.1"));
  CHECK_FALSE(clinic.contains("fd00::1"));
  CHECK_FALSE(clinic.contains("not an address"));
  CHECK_FALSE(clinic.contains(""));

  const auto one = AddressRange::parse("10.1.2.3");  // a bare address is one host
  CHECK(one.contains("10.1.2.3"));
  CHECK_FALSE(one.contains("10.1.2.4"));

  const auto odd = AddressRange::parse("172.16.0.0/12");  // a prefix inside a byte
  CHECK(odd.contains("172.31.255.1"));
  CHECK_FALSE(odd.contains("172.32.0.1"));

  const auto v6 = AddressRange::parse("fd12:3456::/32");
  CHECK(v6.contains("fd12:3456:1::9"));
  CHECK_FALSE(v6.contains("fd12:3457::9"));
  CHECK_FALSE(v6.contains("192.168.10.5"));

  CHECK(AddressRange::parse("0.0.0.0/0").contains("203.0.113.9"));  // everyone, only if written

  for (const char* bad : {"192.168.10.0/33", "192.168.10.0/", "192.168.10.0/-1", "192.168.10/24", "fd00::/129", "kiosk",
                          "", "10.0.0.1/8x"}) {
    INFO(bad);
    CHECK_THROWS_AS(AddressRange::parse(bad), std::invalid_argument);
  }
}

TEST_CASE("staff LAN: a configuration without an allow-list, host names or TLS files is refused with what to write") {
  firmware::screen::StaffLanConfig empty;
  const auto problems = firmware::screen::staff_lan_problems(empty);
  const auto mentions = [&](const std::string& key) {
    return std::any_of(problems.begin(), problems.end(), [&](const std::string& p) { return p.rfind(key, 0) == 0; });
  };
  CHECK(mentions("staff_lan.allow"));
  CHECK(mentions("staff_lan.host_names"));
  CHECK(mentions("staff_lan.certificate"));
  CHECK(mentions("staff_lan.key"));

  firmware::screen::StaffLanConfig bad;
  bad.address = "kiosk-01";
  bad.allow = {"192.168.10.0/24", "192.168.300.0/24"};
  bad.host_names = {"kiosk 01"};
  bad.certificate = "/etc/kiosk/staff.pem";
  bad.key = "/etc/kiosk/staff.key";
  const auto more = firmware::screen::staff_lan_problems(bad);
  CHECK(more.size() == 3);  // the bad range, the bad name, the address
}

TEST_CASE("staff LAN: the kiosk configuration's staff_lan section, off by default") {
  TempDirectory temp;
  const auto write = [&](const std::string& text) {
    const fs::path file = temp.path / "kiosk.json";
    std::ofstream(file) << text;
    return firmware::kiosk::load_config(file);
  };
  const auto off = write(R"({"screen": {"port": 0}})");
  CHECK(off.errors.empty());
  CHECK_FALSE(off.config.staff_lan.has_value());

  const std::string hash = firmware::staff::hash_passcode(core::card::Secret("864213"), firmware::staff::kMinPasscodeIterations);
  const auto on = write(R"({"screen": {"port": 0},
    "staff": {"accounts": [{"id": "staff-07", "passcode_hash": ")" + hash + R"("}]},
    "staff_lan": {"enabled": true, "port": 8443, "certificate": "/etc/kiosk/staff.pem", "key": "/etc/kiosk/staff.key",
                  "allow": ["192.168.10.0/24"], "host_names": ["kiosk-01.clinic.lan"]}})");
  INFO((on.errors.empty() ? std::string() : on.errors.front()));
  CHECK(on.errors.empty());
  REQUIRE(on.config.staff_lan.has_value());
  CHECK(on.config.staff_lan->port == 8443);
  CHECK(on.config.staff_lan->allow == std::vector<std::string>{"192.168.10.0/24"});
  CHECK(on.config.staff_lan->host_names == std::vector<std::string>{"kiosk-01.clinic.lan"});
  CHECK(on.config.staff_lan->address == "0.0.0.0");

  const auto no_screen = write(R"({"staff_lan": {"enabled": true, "certificate": "/c.pem", "key": "/k.pem",
                  "allow": ["10.0.0.0/8"], "host_names": ["kiosk"]}})");
  const auto said = [&](const firmware::kiosk::LoadedConfig& l, const std::string& text) {
    return std::any_of(l.errors.begin(), l.errors.end(), [&](const std::string& e) { return e.find(text) != std::string::npos; });
  };
  CHECK(said(no_screen, "screen.port"));
  CHECK(said(no_screen, "staff.accounts"));
  const auto open_to_all = write(R"({"screen": {"port": 0}, "staff_lan": {"enabled": true, "certificate": "/c.pem", "key": "/k.pem",
                  "host_names": ["kiosk"], "colour": "blue"}})");
  CHECK(said(open_to_all, "staff_lan.allow"));
  CHECK(said(open_to_all, "colour"));  // unknown keys are typos
}

TEST_CASE("staff LAN: over HTTPS the staff page and calls answer, the patient screen does not, the cookie is Secure") {
  LanKiosk kiosk;
  kiosk.start(kiosk.lan());
  REQUIRE(kiosk.frontend->staff_lan_port() > 0);
  CHECK(kiosk.frontend->staff_lan_port() != kiosk.frontend->port());
  auto cli = kiosk.client();

  const auto page = cli->Get("/staff");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("staff.js") != std::string::npos);
  for (const char* file : {"/staff.js", "/kiosk.css", "/i18n/ja.json", "/desk"}) {
    INFO(file);
    const auto r = cli->Get(file);
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  // Nothing of the patient's screen on the LAN.
  for (const char* path : {"/", "/index.html", "/kiosk.js", "/kiosk-screens.js", "/events", "/healthz"}) {
    INFO(path);
    const auto r = cli->Get(path);
    REQUIRE(r);
    CHECK(r->status == 404);
  }
  const auto input = cli->Post("/input", R"({"type":"pin","value":"1234"})", "application/json");
  REQUIRE(input);
  CHECK(input->status == 404);
  CHECK(kiosk.recorder.size() == 0);

  // The same login: a wrong passcode is refused, the right one gives a Secure session cookie.
  const auto wrong = cli->Post("/staff/login", json{{"staff_id", "staff-07"}, {"passcode", "000000"}}.dump(), "application/json");
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
  const auto login = cli->Post("/staff/login", json{{"staff_id", "staff-07"}, {"passcode", "864213"}}.dump(), "application/json");
  REQUIRE(login);
  REQUIRE(login->status == 200);
  const std::string cookie = login->get_header_value("Set-Cookie");
  CHECK(cookie.find("; Secure") != std::string::npos);
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  const auto status = cli->Get("/staff/status", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
  REQUIRE(status);
  CHECK(status->status == 200);
  CHECK(json::parse(status->body)["staff_id"] == "staff-07");

  // The loopback screen still serves the patient, and its cookie has no Secure flag (plain HTTP).
  httplib::Client local("127.0.0.1", kiosk.frontend->port());
  const auto index = local.Get("/");
  REQUIRE(index);
  CHECK(index->status == 200);
  const auto local_login = local.Post("/staff/login", json{{"staff_id", "staff-07"}, {"passcode", "864213"}}.dump(), "application/json");
  REQUIRE(local_login);
  CHECK(local_login->get_header_value("Set-Cookie").find("Secure") == std::string::npos);
}

TEST_CASE("staff LAN: an address outside the allow-list, another host name, another origin or plain HTTP get nothing") {
  LanKiosk kiosk;
  SECTION("not on the allow-list: closed before the TLS handshake") {
    kiosk.start(kiosk.lan({"192.168.10.0/24"}));
    auto cli = kiosk.client();
    const auto r = cli->Get("/staff");
    CHECK_FALSE(r);
    const auto login = cli->Post("/staff/login", json{{"staff_id", "staff-07"}, {"passcode", "864213"}}.dump(), "application/json");
    CHECK_FALSE(login);
  }
  SECTION("a host name the kiosk does not have, or a page of another site") {
    kiosk.start(kiosk.lan());
    auto cli = kiosk.client();
    const std::string port = std::to_string(kiosk.frontend->staff_lan_port());
    const auto rebound = cli->Get("/staff/accounts", {{"Host", "attacker.example:" + port}});
    REQUIRE(rebound);
    CHECK(rebound->status == 403);
    const auto other_site = cli->Post("/staff/login", {{"Origin", "https://attacker.example"}},
                                      json{{"staff_id", "staff-07"}, {"passcode", "864213"}}.dump(), "application/json");
    REQUIRE(other_site);
    CHECK(other_site->status == 403);
    const auto own = cli->Get("/staff/accounts", {{"Origin", "https://127.0.0.1:" + port}});
    REQUIRE(own);
    CHECK(own->status == 200);
  }
  SECTION("plain HTTP on the TLS port") {
    kiosk.start(kiosk.lan());
    httplib::Client plain("127.0.0.1", kiosk.frontend->staff_lan_port());
    plain.set_read_timeout(3s);
    const auto r = plain.Get("/staff");
    CHECK((!r || r->status >= 400));
    CHECK((!r || r->body.find("staff.js") == std::string::npos));
  }
}

TEST_CASE("staff LAN: stalled handshakes and trickled requests from one PC do not keep the staff page from the others") {
  LanKiosk kiosk;
  kiosk.start(kiosk.lan());
  const int port = kiosk.frontend->staff_lan_port();
  // A broken or hostile machine at 127.0.0.2: twenty connections that send their TLS
  // ClientHello one byte a second (each read within httplib's per-read time-out). On httplib's
  // own SSLServer they held every worker for as long as they kept trickling; now that address
  // holds at most 8 connections, each cut after 5 s of handshake.
  std::vector<std::unique_ptr<test::RawClient>> stalled;
  for (int n = 0; n < 20; ++n) {
    stalled.push_back(std::make_unique<test::RawClient>(port, "127.0.0.2"));
    REQUIRE(stalled.back()->connected());
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    const std::string hello = std::string("\x16\x03\x01\x02\x00", 5) + std::string(512, 'A');
    for (std::size_t at = 0; at < 40 && !stop; ++at) {
      for (const auto& c : stalled) c->send(hello.substr(at, 1));
      std::this_thread::sleep_for(1s);
    }
  });
  std::this_thread::sleep_for(300ms);
  auto cli = kiosk.client();
  cli->set_read_timeout(20s);
  const auto page = cli->Get("/staff");
  stop = true;
  trickle.join();
  REQUIRE(page);
  CHECK(page->status == 200);
}

TEST_CASE("staff LAN: a key readable by others or not the certificate's stops the start with what to fix") {
  LanKiosk kiosk;
  SECTION("key readable by others") {
    fs::permissions(kiosk.pki.server_key, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
    try {
      kiosk.start(kiosk.lan());
      FAIL("started with a key other users can read");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Catch::Contains("staff_lan.key") && Catch::Contains("chmod 600"));
    }
  }
  SECTION("the terminal's key with the server's certificate") {
    auto l = kiosk.lan();
    l.key = kiosk.pki.terminal_key;
    ::chmod(l.key.c_str(), 0600);
    try {
      kiosk.start(l);
      FAIL("started with a key that is not the certificate's");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Catch::Contains("is not the key of"));
    }
  }
  // The patient screen is not left running half-started.
  CHECK((kiosk.frontend == nullptr || kiosk.frontend->event_clients() == 0));
}
