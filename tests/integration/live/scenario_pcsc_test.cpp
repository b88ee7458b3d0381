// `kiosk-sim run --pcsc`: QA scenarios played with the cards in a reader of a real pcscd (a
// private one, vpcd on loopback) and the firmware reading them through the real PC/SC driver.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/integration/support/pcscd_harness.hpp"
#include "tests/integration/support/process.hpp"

using namespace std::chrono_literals;
using kiosk::test::PcscdHarness;
using kiosk::test::TempDir;

#ifdef KIOSK_SIM_EXE
namespace {

std::vector<std::string> run_argv(const PcscdHarness& pcscd, const std::string& reader, const TempDir& work) {
  return {KIOSK_SIM_EXE, "run", "--pcsc", "--pcsc-reader", reader, "--vpcd-port", std::to_string(pcscd.vpcd_port()),
          "--work", (work.path() / "runs").string(), "--junit", (work.path() / "junit.xml").string()};
}

std::string scenario(const std::string& name) { return std::string(KIOSK_SCENARIO_DIR) + "/" + name + ".json"; }

}  // namespace
#endif

TEST_CASE("kiosk-sim run --pcsc plays scenarios through pcscd, vpcd and the PC/SC driver") {
#ifndef KIOSK_SIM_EXE
  WARN("kiosk-sim is not built in this tree yet; skipped");
#else
  PcscdHarness pcscd;
  pcscd.start();
  TempDir work("kiosk-pcsc-scenarios");
  auto argv = run_argv(pcscd, pcscd.reader_name(), work);
  for (const char* name : {"pin-success", "pin-three-wrong-locks", "card-pulled-during-verify", "card-pulled-while-reading",
                           "card-garbage-select", "second-patient-sees-nothing-of-first", "reader-unplugged"}) {
    argv.push_back(scenario(name));
  }
  const auto r = kiosk::test::run_command(argv, 100s);
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err << "\npcscd:\n" << pcscd.log_tail());
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("7 scenario(s): 6 passed, 0 failed, 1 skipped"));
  // Reader faults cannot be made in a real pcscd from here: skipped with the reason.
  CHECK_THAT(r.out, Catch::Contains("a reader fault (unplug) needs the in-process readers; run it without --pcsc"));
  // The card went through vpcd: the bridge connected to this pcscd's slot, and pcscd relayed the
  // firmware's APDUs (its --apdu log shows the SELECT of the JPKI AP).
  const std::string firmware_log = kiosk::test::read_file(work.path() / "runs" / "1-pin-success" / "firmware.log");
  CHECK_THAT(firmware_log, Catch::Contains("[vpcd bridge] connected to vpcd at 127.0.0.1:" + std::to_string(pcscd.vpcd_port())));
  CHECK_THAT(kiosk::test::read_file(pcscd.log_path()), Catch::Contains("D3 92 F0 00 26 01 00 00 00 01"));
  CHECK_THAT(kiosk::test::read_file(work.path() / "junit.xml"), Catch::Contains("<testsuite"));
#endif
}

TEST_CASE("kiosk-sim run --pcsc refuses clearly without pcscd or without the reader") {
#ifndef KIOSK_SIM_EXE
  WARN("kiosk-sim is not built in this tree yet; skipped");
#else
  PcscdHarness pcscd;
  TempDir work("kiosk-pcsc-scenarios");
  pcscd.reserve();  // nobody else's pcscd, and none running
  {
    const auto r = kiosk::test::run_command(
        [&] {
          auto argv = run_argv(pcscd, pcscd.reader_name(), work);
          argv.push_back(scenario("pin-success"));
          return argv;
        }(),
        30s);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--pcsc: cannot reach pcscd"));
  }
  pcscd.start();
  {
    auto argv = run_argv(pcscd, "No Such Reader 00 00", work);
    argv.push_back(scenario("pin-success"));
    const auto r = kiosk::test::run_command(argv, 30s);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("pcscd has no reader \"No Such Reader 00 00\" (it lists: \"" + pcscd.reader_name()));
  }
#endif
}
