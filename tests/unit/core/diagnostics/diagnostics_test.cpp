// Every diagnostics check, PASS and FAIL, driven by the simulator's fault injection.
#include <catch2/catch.hpp>

#include <fstream>
#include <sqlite3.h>

#include "core/diagnostics/card_checks.hpp"
#include "core/diagnostics/host_checks.hpp"
#include "core/diagnostics/usb_checks.hpp"
#include "sim/card/faulty_card.hpp"
#include "sim/card/recording_card.hpp"
#include "sim/card/simulated_readers.hpp"
#include "sim/usb/simulated_usb.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/unit/core/diagnostics/check_lookup.hpp"

using namespace kiosk;
using namespace kiosk::core::diagnostics;
using kiosk::test::find;
using kiosk::test::has;

namespace {

struct CardWorld {
  sim::card::SimulatedReaders readers;
  core::crypto::TrustStore trust;
  CardWorld() {
    readers.attach_reader("Reader A");
    trust.add_directory(test::test_ca_directory());
  }
  std::vector<CheckResult> run(const std::string& reader = "Reader A") {
    return check_card_reader(readers, trust, std::chrono::system_clock::now(),
                             CardCheckSettings{hal::ReaderPolicy{reader, {}}, {3, 3, false}});
  }
  std::vector<CheckResult> run(const hal::ReaderPolicy& policy) {
    return check_card_reader(readers, trust, std::chrono::system_clock::now(), CardCheckSettings{policy, {3, 3, false}});
  }
};

}  // namespace

TEST_CASE("report: table, JSON and exit code follow the worst result") {
  Report r;
  r.add({"host", "disk space", Status::Pass, "10 GiB free", ""});
  CHECK(r.exit_code() == 0);
  r.add({"usb", "camera present", Status::Warn, "slow", "use a USB 2.0 port"});
  CHECK(r.exit_code() == 1);
  r.add({"pcsc", "readers", Status::Fail, "none", "connect the reader"});
  CHECK(r.exit_code() == 2);
  CHECK(r.worst() == Status::Fail);
  const std::string table = r.to_table();
  CHECK(table.find("FAIL") != std::string::npos);
  CHECK(table.find("-> connect the reader") != std::string::npos);
  CHECK(table.find("1 PASS, 1 WARN, 1 FAIL, 0 SKIP; overall FAIL") != std::string::npos);
  const auto j = r.to_json();
  CHECK(j["overall"] == "FAIL");
  CHECK(j["exit_code"] == 2);
  CHECK(j["checks"].size() == 3);
  CHECK(j["checks"][1]["action"] == "use a USB 2.0 port");
}

TEST_CASE("usb: a standard kiosk passes, a missing reader or camera fails, a slow camera warns") {
  sim::usb::SimulatedUsb usb;
  for (const auto& d : sim::usb::SimulatedUsb::standard_kiosk()) usb.plug(d);
  auto results = check_usb(usb);
  CHECK(find(results, "card reader 054c:0dc8").status == Status::Pass);
  CHECK(find(results, "camera 046d:0825").status == Status::Pass);
  CHECK(find(results, "camera 046d:0825").measured.find("bus 1 port 1-3, high speed") != std::string::npos);

  usb.unplug("1-2");
  results = check_usb(usb);
  CHECK(find(results, "card reader present").status == Status::Fail);

  usb.unplug("1-3");
  usb.plug({0x046d, 0x0825, 2, "2-1.4", "full", hal::UsbDeviceKind::Camera, "", ""});
  results = check_usb(usb);
  CHECK(find(results, "camera 046d:0825").status == Status::Warn);

  usb.unplug("2-1.4");
  CHECK(find(check_usb(usb), "camera present").status == Status::Fail);
  CHECK(find(check_usb(usb, UsbExpectations{false}), "camera present").status == Status::Skip);

  usb.fail_enumeration(true);
  CHECK(find(check_usb(usb), "USB enumeration").status == Status::Fail);
}

TEST_CASE("usb: hotplug events are reported while watching") {
  sim::usb::SimulatedUsb usb;
  usb.plug(sim::usb::SimulatedUsb::standard_kiosk()[0]);
  auto events = usb.wait_for_changes(std::chrono::milliseconds(10));
  REQUIRE(events.size() == 1);
  CHECK(describe(events[0]).rfind("arrived: smart-card reader (CCID) 054c:0dc8", 0) == 0);
  usb.unplug("1-2");
  events = usb.wait_for_changes(std::chrono::milliseconds(10));
  REQUIRE(events.size() == 1);
  CHECK_FALSE(events[0].arrived);
  CHECK(usb.wait_for_changes(std::chrono::milliseconds(10)).empty());
}

TEST_CASE("pcsc: service down, no reader, wrong reader name") {
  CardWorld w;
  w.readers.set_service_running(false);
  auto results = w.run();
  CHECK(find(results, "card service (pcscd)").status == Status::Fail);
  CHECK(find(results, "card service (pcscd)").action.find("pcscd") != std::string::npos);
  w.readers.set_service_running(true);
  w.readers.detach_reader("Reader A");
  CHECK(find(w.run(), "readers").status == Status::Fail);
  w.readers.attach_reader("Reader B");
  CHECK(find(w.run("Reader A"), "configured reader").status == Status::Fail);
}

TEST_CASE("pcsc: only the configured reader or models are accepted, an emulated reader is named") {
  CardWorld w;
  w.readers.attach_reader("Virtual PCD 00 00");
  w.readers.attach_reader("SONY FeliCa RC-S300/S (0123456) 00 00");
  w.readers.place_card("Virtual PCD 00 00", test::make_card(test::test_card_profile()));

  auto results = w.run(hal::ReaderPolicy{});  // nothing configured: nothing accepted
  CHECK(find(results, "configured reader").status == Status::Fail);
  CHECK_THAT(find(results, "configured reader").measured, Catch::Contains("none configured"));
  CHECK(find(results, "emulated reader").status == Status::Warn);
  CHECK_THAT(find(results, "emulated reader").action, Catch::Contains("vsmartcard-vpcd"));

  results = w.run(hal::ReaderPolicy{"", {"SONY FeliCa RC-S300/S"}});
  CHECK(find(results, "readers").status == Status::Pass);
  CHECK_THAT(find(results, "readers").measured, Catch::Contains("using 'SONY FeliCa RC-S300/S (0123456) 00 00'"));
  CHECK_THAT(find(results, "readers").measured, Catch::Contains("refused (not configured): 'Reader A', 'Virtual PCD 00 00'"));
  // The card in the emulated reader is never looked at.
  CHECK(find(results, "test card present").status == Status::Warn);

  results = w.run(hal::ReaderPolicy{"", {"ACS ACR1252"}});
  CHECK(find(results, "configured reader").status == Status::Fail);
  CHECK_THAT(find(results, "configured reader").measured, Catch::Contains("readers of the model 'ACS ACR1252'"));
}

TEST_CASE("reader policy: exact name or model prefix, nothing configured accepts nothing") {
  CHECK_FALSE(hal::ReaderPolicy{}.accepts("Virtual PCD 00 00"));
  CHECK_FALSE(hal::ReaderPolicy{}.configured());
  const hal::ReaderPolicy exact{"Reader A", {}};
  CHECK(exact.accepts("Reader A"));
  CHECK_FALSE(exact.accepts("Reader A 01"));
  const hal::ReaderPolicy models{"", {"SONY FeliCa RC-S300/S", "ACS ACR1252"}};
  CHECK(models.accepts("SONY FeliCa RC-S300/S (0123456) 00 00"));
  CHECK(models.accepts("ACS ACR1252 Dual Reader PICC 00 00"));
  CHECK_FALSE(models.accepts("Virtual PCD 00 00"));
  CHECK_FALSE(models.accepts("SONY FeliCa RC-S300/P 00 00"));
  CHECK(models.describe() == "readers of the models 'SONY FeliCa RC-S300/S', 'ACS ACR1252'");
}

TEST_CASE("card: no card is a warning, a good test card passes every check and keeps its tries") {
  CardWorld w;
  auto results = w.run();
  CHECK(find(results, "readers").status == Status::Pass);
  CHECK(find(results, "test card present").status == Status::Warn);
  CHECK_FALSE(has(results, "ATR"));

  auto card = test::make_card(test::test_card_profile());
  w.readers.place_card("Reader A", card);
  results = w.run("Reader A");
  for (const auto& r : results) {
    INFO(r.name << ": " << r.measured);
    CHECK(r.status == Status::Pass);
  }
  CHECK(find(results, "ATR").measured.rfind("3B 88 80 01", 0) == 0);
  CHECK(find(results, "PIN tries left").measured.find("3 of 3") != std::string::npos);
  CHECK(card->profile().auth.pin.tries_left == 3);
}

TEST_CASE("card: from the running kiosk's staff page the patient's card on the reader gets no APDU") {
  CardWorld w;
  auto card = std::make_shared<sim::card::RecordingCard>(test::make_card(test::test_card_profile()));
  w.readers.place_card("Reader A", card);
  CardCheckSettings settings{hal::ReaderPolicy{"Reader A", {}}, {3, 3, false}};
  settings.reader_in_use = true;
  const auto results = check_card_reader(w.readers, w.trust, std::chrono::system_clock::now(), settings);
  CHECK(find(results, "card service (pcscd)").status == Status::Pass);
  CHECK(find(results, "readers").status == Status::Pass);
  CHECK(find(results, "test card").status == Status::Skip);
  CHECK(find(results, "test card").measured.find("patient") != std::string::npos);
  CHECK_FALSE(has(results, "ATR"));
  CHECK(card->trace().empty());
}

TEST_CASE("card: locked PIN, expired certificate, foreign card, card pulled out") {
  CardWorld w;
  auto locked = test::test_card_profile();
  locked.auth.pin.tries_left = 0;
  w.readers.place_card("Reader A", test::make_card(locked));
  CHECK(find(w.run(), "PIN tries left").status == Status::Fail);

  auto used = test::test_card_profile();
  used.auth.pin.tries_left = 1;
  w.readers.place_card("Reader A", test::make_card(used));
  CHECK(find(w.run(), "PIN tries left").status == Status::Warn);

  w.readers.place_card("Reader A", test::make_card(test::test_card_profile(sim::card::CertificateCondition::Expired)));
  CHECK(find(w.run(), "certificate validity").status == Status::Fail);
  w.readers.place_card("Reader A", test::make_card(test::test_card_profile(sim::card::CertificateCondition::ExpiringSoon)));
  CHECK(find(w.run(), "certificate validity").status == Status::Warn);

  w.readers.place_card("Reader A", std::make_shared<sim::card::ForeignCard>());
  CHECK(find(w.run(), "JPKI application").status == Status::Fail);

  auto faulty = std::make_shared<sim::card::FaultyCard>(test::make_card(test::test_card_profile()));
  faulty->add_fault({from_hex("00 B0 8A"), {}, {}, [&] { w.readers.remove_card("Reader A"); }, 1});
  w.readers.place_card("Reader A", faulty);
  const auto results = w.run();
  CHECK(find(results, "card stays on the reader").status == Status::Fail);
  CHECK(find(results, "card stays on the reader").measured.rfind("card-removed", 0) == 0);
}

TEST_CASE("host: disk space, configuration, model files") {
  test::TempDir dir;
  HostCheckSettings s;
  s.data_dir = dir.path();
  s.configuration_source = "kiosk.json";
  auto results = check_host(s);
  CHECK(find(results, "disk space").status == Status::Pass);
  CHECK(find(results, "configuration").status == Status::Pass);
  CHECK(find(results, "journal integrity").status == Status::Skip);

  s.fail_free_bytes = UINTMAX_MAX;
  CHECK(find(check_host(s), "disk space").status == Status::Fail);
  s.fail_free_bytes = 0;
  s.warn_free_bytes = UINTMAX_MAX;
  CHECK(find(check_host(s), "disk space").status == Status::Warn);

  s.configuration_errors = {"eligibility.url: not an https:// URL"};
  CHECK(find(check_host(s), "configuration").status == Status::Fail);

  std::ofstream(dir.path() / "model.onnx") << "weights";
  // sha256("weights")
  const std::string good = sha256_file(dir.path() / "model.onnx");
  CHECK(good.size() == 64);
  s.model_files = {{"detector", dir.path() / "model.onnx", good}};
  CHECK(find(check_host(s), "model: detector").status == Status::Pass);
  s.model_files = {{"detector", dir.path() / "model.onnx", std::string(64, '0')}};
  CHECK(find(check_host(s), "model: detector").status == Status::Fail);
  s.model_files = {{"embedder", dir.path() / "missing.onnx", ""}};
  CHECK(find(check_host(s), "model: embedder").status == Status::Fail);
}

TEST_CASE("host: a sound journal passes, a corrupted one fails") {
  test::TempDir dir;
  const auto path = dir.path() / "journal.sqlite";
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "CREATE TABLE receptions(id INTEGER PRIMARY KEY, at TEXT, outcome TEXT);"
                       "CREATE INDEX by_time ON receptions(at);"
                       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 2000) "
                       "INSERT INTO receptions(at, outcome) SELECT printf('2026-11-22T%05d', i), 'authenticated' FROM n;",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  HostCheckSettings s;
  s.data_dir = dir.path();
  s.journal = path;
  CHECK(find(check_host(s), "journal integrity").status == Status::Pass);

  {  // overwrite a page in the middle of the file
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 3);
    const std::string garbage(4096, '\x5A');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  const auto results = check_host(s);
  const auto& r = find(results, "journal integrity");
  CHECK(r.status == Status::Fail);
  CHECK(r.action.find("copy") != std::string::npos);

  s.journal = dir.path() / "none.sqlite";
  CHECK(find(check_host(s), "journal integrity").status == Status::Warn);
}
