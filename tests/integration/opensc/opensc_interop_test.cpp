// OpenSC 0.23 (Debian 12) as an independent client of the JPKI card emulator: pcscd + vpcd +
// the vpcd bridge, then opensc-tool, pkcs15-tool and pkcs11-tool, with openssl checking what
// they return. Every test prints how many APDUs OpenSC needed (the kiosk's time budget).
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>

#include "drivers/pcsc/pcsc_reader_service.hpp"
#include "sim/card/faulty_card.hpp"
#include "tests/integration/support/live_fixture.hpp"
#include "tests/integration/support/pcscd_harness.hpp"

using namespace std::chrono_literals;
using kiosk::Bytes;
using kiosk::test::CommandResult;
using kiosk::test::run_command;

namespace {

constexpr const char* kPkcs11Module = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";
constexpr auto kToolTimeout = 30s;

// Which ATR the reader reports for the card.
enum class Atr {
  Emulator,     // the emulator's own (a contactless reader's synthesised ATR)
  ContactJpki,  // the contact ATR of docs/card-protocol.md §9, which is in OpenSC's jpki ATR table
  Unlisted,     // a contactless ATR in no OpenSC table: every driver probes with APDUs
};

struct OpenSc {
  kiosk::test::PcscdHarness pcscd;
  kiosk::test::IssuedCard issued;
  std::shared_ptr<kiosk::sim::card::JpkiCard> card = issued.load();
  std::shared_ptr<kiosk::sim::card::FaultyCard> served = std::make_shared<kiosk::sim::card::FaultyCard>(card);
  std::unique_ptr<kiosk::test::BridgeThread> bridge;
  kiosk::test::TempDir work{"kiosk-opensc"};
  std::filesystem::path apdu_log = kiosk::test::log_dir() / (kiosk::test::current_test_file_stem() + ".apdu.log");
  long long last_ms = 0;

  explicit OpenSc(Atr atr) {
    if (atr == Atr::ContactJpki) served->set_atr(kiosk::from_hex("3B E0 00 FF 81 31 FE 45 14"));
    // Type B ATR (PC/SC part 3) with other ATQB application data; TCK recomputed.
    if (atr == Atr::Unlisted) served->set_atr(kiosk::from_hex("3B 88 80 01 12 34 56 78 77 81 81 00 76"));
    std::cout << "[opensc] card ATR " << kiosk::to_hex(served->atr()) << std::endl;
    std::filesystem::remove(apdu_log);
    for (const char* tool : {"opensc-tool", "pkcs15-tool", "pkcs11-tool", "openssl"}) {
      INFO(tool << " is needed (apt install opensc opensc-pkcs11 openssl)");
      REQUIRE_FALSE(kiosk::test::find_program(tool).empty());
    }
    pcscd.start();
    bridge = std::make_unique<kiosk::test::BridgeThread>(*served, pcscd.vpcd_port(0, 0));
    bridge->require_connected();
    kiosk::drivers::pcsc::PcscReaderService service;
    REQUIRE(kiosk::hal::wait_for_card(service, pcscd.reader_name(0, 0), 5s));
    (void)bridge->take_trace();
  }

  // Runs an OpenSC tool; returns its result and the APDUs the card saw meanwhile.
  CommandResult run(const std::vector<std::string>& argv, std::vector<std::pair<Bytes, Bytes>>& apdus,
                    const std::vector<std::string>& env = {}) {
    (void)bridge->take_trace();
    const auto start = std::chrono::steady_clock::now();
    CommandResult r = run_command(argv, kToolTimeout, env);
    last_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    apdus = bridge->take_trace();
    log_run(argv, env, r, apdus);
    return r;
  }

  void log_run(const std::vector<std::string>& argv, const std::vector<std::string>& env, const CommandResult& r,
               const std::vector<std::pair<Bytes, Bytes>>& apdus) {
    std::ofstream log(apdu_log, std::ios::app);
    log << "$";
    for (const auto& e : env) log << " " << e;
    for (const auto& a : argv) log << " " << a;
    log << "\nexit " << r.exit_code << (r.timed_out ? " (timed out)" : "") << ", " << apdus.size() << " APDUs, "
        << last_ms << " ms\n";
    for (const auto& [command, response] : apdus) {
      const bool secret = command.size() > 5 && (command[1] == 0x20 || command[1] == 0x24);
      log << "> " << (secret ? kiosk::to_hex(Bytes(command.begin(), command.begin() + 5)) + " <masked>" : kiosk::to_hex(command))
          << "\n< " << (response.size() > 40 ? kiosk::to_hex(Bytes(response.begin(), response.begin() + 8)) + " ... (" +
                                                   std::to_string(response.size()) + " bytes) " +
                                                   kiosk::to_hex(Bytes(response.end() - 2, response.end()))
                                             : kiosk::to_hex(response))
          << "\n";
    }
    log << "stdout:\n" << r.out << "stderr:\n" << r.err << "\n";
  }
};

// Reported by every test: the lead budgets card time with these.
void report(const std::string& what, const std::vector<std::pair<Bytes, Bytes>>& apdus, long long ms) {
  std::map<std::string, int> by_ins;
  for (const auto& [command, response] : apdus) {
    const char* name = "other";
    switch (command.at(1)) {
      case 0xA4: name = "SELECT"; break;
      case 0xB0: name = "READ BINARY"; break;
      case 0x20: name = "VERIFY"; break;
      case 0x2A: name = "PSO/sign"; break;
      case 0x84: name = "GET CHALLENGE"; break;
      case 0xCA:
      case 0xCB: name = "GET DATA"; break;
      default: break;
    }
    ++by_ins[name];
  }
  std::string detail;
  for (const auto& [name, count] : by_ins) detail += (detail.empty() ? "" : ", ") + name + " " + std::to_string(count);
  std::cout << "[opensc apdu count] " << what << ": " << apdus.size() << " APDUs (" << detail << "), " << ms << " ms"
            << std::endl;
}

int count_matching(const std::vector<std::pair<Bytes, Bytes>>& apdus, Bytes prefix) {
  int n = 0;
  for (const auto& a : apdus) {
    if (a.first.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), a.first.begin())) ++n;
  }
  return n;
}

// "3,5" from pkcs15-tool --list-pins ("Tries left     : 3" per PIN). (No std::regex: GCC 12
// warns about its internals at -O2.)
std::string tries_left(const std::string& list_pins_output) {
  std::string out;
  const std::string key = "Tries left";
  for (auto at = list_pins_output.find(key); at != std::string::npos; at = list_pins_output.find(key, at + 1)) {
    auto colon = list_pins_output.find(':', at);
    if (colon == std::string::npos) break;
    auto digit = list_pins_output.find_first_not_of(' ', colon + 1);
    std::string number;
    while (digit < list_pins_output.size() && list_pins_output[digit] >= '0' && list_pins_output[digit] <= '9') {
      number += list_pins_output[digit++];
    }
    out += (out.empty() ? "" : ",") + number;
  }
  return out;
}

}  // namespace

TEST_CASE("opensc-tool -n names the emulated card jpki with the emulator's own ATR") {
  OpenSc o(Atr::Emulator);
  std::vector<std::pair<Bytes, Bytes>> apdus;
  const auto r = o.run({"opensc-tool", "-n"}, apdus);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  if (r.out.find("MaskTech") != std::string::npos) {
    FAIL("OpenSC 0.23 takes the card for a MaskTech card: the emulator's ATR "
         << kiosk::to_hex(o.card->atr())
         << " is an entry of OpenSC's card-masktech.c ATR table, so OpenSC binds that driver without"
            " sending an APDU and PKCS#15 binding then fails (\"Unsupported card\"). The emulator needs an ATR"
            " in no OpenSC table (other ATQB application data bytes), like a real card behind a"
            " contactless reader.");
  }
  CHECK_THAT(r.out, Catch::Contains("jpki"));
  report("opensc-tool -n, emulator ATR", apdus, o.last_ms);
}

TEST_CASE("opensc-tool -n finds jpki by SELECT AID for a contactless ATR in no OpenSC table") {
  OpenSc o(Atr::Unlisted);
  std::vector<std::pair<Bytes, Bytes>> apdus;
  const auto r = o.run({"opensc-tool", "-n"}, apdus);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("jpki"));
  report("opensc-tool -n, all drivers probe", apdus, o.last_ms);
  // Detection by SELECT JPKI AP, after the drivers that probe first; unknown AIDs got 6A 82.
  CHECK(count_matching(apdus, kiosk::from_hex("00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01")) == 1);
  for (const auto& [command, response] : apdus) {
    if (command[1] == 0xA4 && command != kiosk::from_hex("00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01")) {
      CHECK(response == Bytes{0x6A, 0x82});
    }
  }

  const auto only_jpki = o.run({"opensc-tool", "-n"}, apdus, {"OPENSC_DRIVER=jpki"});
  CHECK(only_jpki.exit_code == 0);
  CHECK_THAT(only_jpki.out, Catch::Contains("jpki"));
  CHECK(apdus.size() == 1);
  report("opensc-tool -n, OPENSC_DRIVER=jpki", apdus, o.last_ms);
}

TEST_CASE("opensc-tool -n matches the contact ATR in OpenSC's jpki table without probing the AID") {
  OpenSc o(Atr::ContactJpki);
  std::vector<std::pair<Bytes, Bytes>> apdus;
  const auto r = o.run({"opensc-tool", "-n"}, apdus);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("jpki"));
  // The drivers ahead of jpki still probe with their own APDUs; jpki itself needs none.
  CHECK(count_matching(apdus, kiosk::from_hex("00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01")) == 0);
  report("opensc-tool -n, contact ATR (jpki table)", apdus, o.last_ms);

  const auto only_jpki = o.run({"opensc-tool", "-n"}, apdus, {"OPENSC_DRIVER=jpki"});
  CHECK(only_jpki.exit_code == 0);
  CHECK_THAT(only_jpki.out, Catch::Contains("jpki"));
  CHECK(apdus.empty());
  report("opensc-tool -n, contact ATR, OPENSC_DRIVER=jpki", apdus, o.last_ms);
}

// The functional tests below use a contactless ATR that is in no OpenSC table (see the first
// test for the emulator's own ATR).
TEST_CASE("pkcs15-tool --list-pins shows the tries left of both PINs") {
  OpenSc o(Atr::Unlisted);
  std::vector<std::pair<Bytes, Bytes>> apdus;
  const auto r = o.run({"pkcs15-tool", "--list-pins"}, apdus);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("User Authentication PIN"));
  CHECK_THAT(r.out, Catch::Contains("Digital Signature PIN"));
  CHECK(tries_left(r.out) == "3,5");
  report("pkcs15-tool --list-pins", apdus, o.last_ms);
}

TEST_CASE("pkcs15-tool --read-certificate 01 gives the auth certificate as PEM that openssl parses") {
  OpenSc o(Atr::Unlisted);
  std::vector<std::pair<Bytes, Bytes>> apdus;
  const auto r = o.run({"pkcs15-tool", "--read-certificate", "01"}, apdus);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE_THAT(r.out, Catch::Contains("-----BEGIN CERTIFICATE-----"));
  report("pkcs15-tool --read-certificate 01 (auth certificate)", apdus, o.last_ms);
  std::cout << "[opensc apdu count]   of which READ BINARY of EF 000A after its SELECT: "
            << count_matching(apdus, {0x00, 0xB0}) << std::endl;
  {
    std::vector<std::pair<Bytes, Bytes>> forced;
    const auto again = o.run({"pkcs15-tool", "--read-certificate", "01"}, forced, {"OPENSC_DRIVER=jpki"});
    CHECK(again.out == r.out);
    CHECK(forced.size() + 29 == apdus.size());  // the other drivers' probes are gone
    report("pkcs15-tool --read-certificate 01, OPENSC_DRIVER=jpki", forced, o.last_ms);
  }

  const auto pem = o.work.path() / "auth.pem";
  kiosk::test::write_file(pem, r.out);
  const auto parsed = run_command({"openssl", "x509", "-in", pem.string(), "-noout", "-subject", "-issuer"}, 10s);
  INFO("openssl: " << parsed.out << parsed.err);
  REQUIRE(parsed.exit_code == 0);
  CHECK_THAT(parsed.out, Catch::Contains("JPKI"));

  const auto der = o.work.path() / "auth.der";
  REQUIRE(run_command({"openssl", "x509", "-in", pem.string(), "-outform", "DER", "-out", der.string()}, 10s).exit_code == 0);
  const std::string bytes = kiosk::test::read_file(der);
  CHECK(Bytes(bytes.begin(), bytes.end()) == o.card->profile().auth.certificate);
}

TEST_CASE("pkcs11-tool signs with the auth key after the PIN and the signature verifies against the certificate") {
  OpenSc o(Atr::Unlisted);
  std::vector<std::pair<Bytes, Bytes>> apdus;
  const auto message = o.work.path() / "challenge.bin";
  kiosk::test::write_file(message, "eligibility-service challenge 2025-01-01T09:00:00+09:00 nonce 8f3a61");
  const auto signature = o.work.path() / "challenge.sig";

  const auto slots = o.run({"pkcs11-tool", "--module", kPkcs11Module, "--list-slots"}, apdus);
  INFO("slots: " << slots.out << slots.err);
  CHECK_THAT(slots.out, Catch::Contains("User Authentication PIN"));

  const auto sign = o.run({"pkcs11-tool", "--module", kPkcs11Module, "--slot-index", "0", "--login", "--pin", o.issued.pin,
                           "--sign", "--id", "01", "-m", "SHA256-RSA-PKCS", "-i", message.string(), "-o",
                           signature.string()},
                          apdus);
  INFO("sign: " << sign.out << sign.err);
  REQUIRE(sign.exit_code == 0);
  report("pkcs11-tool --login --sign --id 01 (PIN + SHA256-RSA-PKCS)", apdus, o.last_ms);
  CHECK(count_matching(apdus, {0x00, 0x20, 0x00, 0x80, 0x04}) == 1);  // one VERIFY with the PIN
  CHECK(count_matching(apdus, {0x80, 0x2A}) == 1);                   // one signature
  {
    std::vector<std::pair<Bytes, Bytes>> forced;
    const auto again = o.run({"pkcs11-tool", "--module", kPkcs11Module, "--slot-index", "0", "--login", "--pin",
                              o.issued.pin, "--sign", "--id", "01", "-m", "SHA256-RSA-PKCS", "-i", message.string(), "-o",
                              (o.work.path() / "again.sig").string()},
                             forced, {"OPENSC_DRIVER=jpki"});
    CHECK(again.exit_code == 0);
    // PKCS#1 v1.5 is deterministic: the same signature.
    CHECK(kiosk::test::read_file(o.work.path() / "again.sig") == kiosk::test::read_file(signature));
    report("pkcs11-tool --login --sign --id 01, OPENSC_DRIVER=jpki", forced, o.last_ms);
  }

  const auto cert = o.run({"pkcs15-tool", "--read-certificate", "01"}, apdus);
  REQUIRE(cert.exit_code == 0);
  const auto pem = o.work.path() / "auth.pem";
  kiosk::test::write_file(pem, cert.out);
  const auto pubkey = run_command({"openssl", "x509", "-in", pem.string(), "-noout", "-pubkey"}, 10s);
  REQUIRE(pubkey.exit_code == 0);
  const auto pub = o.work.path() / "auth.pub.pem";
  kiosk::test::write_file(pub, pubkey.out);
  const auto verified = run_command(
      {"openssl", "dgst", "-sha256", "-verify", pub.string(), "-signature", signature.string(), message.string()}, 10s);
  INFO("openssl dgst: " << verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.out, Catch::Contains("Verified OK"));

  // The PIN try was not spent.
  const auto pins = o.run({"pkcs15-tool", "--list-pins"}, apdus);
  CHECK(tries_left(pins.out) == "3,5");
}

TEST_CASE("pkcs11-tool with a wrong PIN: login fails and the card counts the try") {
  OpenSc o(Atr::Unlisted);
  std::vector<std::pair<Bytes, Bytes>> apdus;
  const auto message = o.work.path() / "m.bin";
  kiosk::test::write_file(message, "x");
  const auto sign = o.run({"pkcs11-tool", "--module", kPkcs11Module, "--slot-index", "0", "--login", "--pin", "9999",
                           "--sign", "--id", "01", "-m", "SHA256-RSA-PKCS", "-i", message.string(), "-o",
                           (o.work.path() / "m.sig").string()},
                          apdus);
  CHECK(sign.exit_code != 0);
  CHECK_THAT(sign.out + sign.err, Catch::Contains("CKR_PIN_INCORRECT"));
  const auto pins = o.run({"pkcs15-tool", "--list-pins"}, apdus);
  CHECK(tries_left(pins.out) == "2,5");
}
