// The card emulator's raw answers, byte for byte (docs/card-protocol.md §4, §11).
#include <catch2/catch.hpp>

#include <fstream>

#include "sim/card/iso7816_command.hpp"
#include "sim/card/jpki_card.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/unit/sim/card/emulator_probe.hpp"

using namespace kiosk;

using test::ask;
using test::kSelectJpki;
using test::sw;

TEST_CASE("emulator: unknown applications, files and instructions") {
  auto card = test::make_card(test::test_card_profile());
  CHECK(sw(*card, "00 A4 04 00 07 62 76 01 FF 00 00 00") == "6A 82");   // coolkey probe
  CHECK(sw(*card, "00 A4 04 00 06 A0 00 00 00 01 01") == "6A 82");      // muscle probe: never 90 00
  CHECK(sw(*card, "00 CA DF 30 05") == "6D 00");                         // no application selected
  CHECK(sw(*card, "00 A4 00 00") == "6A 86");                            // MF right after reset
  CHECK(sw(*card, kSelectJpki) == "90 00");
  CHECK(sw(*card, "00 A4 00 00") == "90 00");                            // MF inside an application: no-op
  CHECK(sw(*card, "00 A4 02 0C 02 00 0C") == "6A 82");
  CHECK(sw(*card, "00 FF 00 00") == "6D 00");
  CHECK(sw(*card, "80 B0 00 00 01") == "6D 00");
  CHECK(sw(*card, "A0 A4 04 0C 02 3F 00") == "6E 00");
  CHECK(sw(*card, "01 A4 04 0C 02 3F 00") == "68 81");                   // logical channel 1
  CHECK(sw(*card, "0C A4 02 0C 02 00 0A") == "68 82");                   // secure messaging
  CHECK(sw(*card, "0C B0 8A 00 00") == "69 FC");
  CHECK(sw(*card, "00 B0 8A") == "67 00");                               // too short
  CHECK(sw(*card, "00 A4 02 0C 05 00 0A") == "67 00");                   // Lc says 5, 2 present
}

TEST_CASE("emulator: READ BINARY returns the remainder at the end and 6B 00 past it") {
  const auto profile = test::test_card_profile();
  auto card = test::make_card(profile);
  const std::size_t size = profile.auth.certificate.size();
  CHECK(sw(*card, "00 B0 00 00 10") == "69 86");  // no current EF
  ask(*card, kSelectJpki);
  CHECK(to_hex(card->process_apdu(from_hex("00 B0 8A 00 04"))) ==
        to_hex(Bytes(profile.auth.certificate.begin(), profile.auth.certificate.begin() + 4)) + " 90 00");
  const std::size_t last = size - 10;
  const Bytes near_end{0x00, 0xB0, static_cast<Byte>(last >> 8), static_cast<Byte>(last & 0xFF), 0x00};
  CHECK(card->process_apdu(near_end).size() == 10 + 2);  // asked 256, got the 10 left with 90 00
  const Bytes past{0x00, 0xB0, static_cast<Byte>(size >> 8), static_cast<Byte>(size & 0xFF), 0x01};
  CHECK(to_hex(card->process_apdu(past)) == "6B 00");
  CHECK(sw(*card, "00 B0 97 00 00") == "69 81");  // the auth key EF cannot be read
  CHECK(sw(*card, "00 B0 81 00 00") == "69 82");  // the signing certificate needs its password
}

TEST_CASE("emulator: 63 Cx on every empty VERIFY, 69 84 once locked, counters kept over power cycles") {
  auto card = test::make_card(test::test_card_profile());
  ask(*card, kSelectJpki);
  CHECK(sw(*card, "00 20 00 98") == "63 C3");
  CHECK(sw(*card, "00 20 00 98 04 31 32 33 34") == "90 00");
  CHECK(sw(*card, "00 20 00 98") == "63 C3");  // still 63 Cx after a successful VERIFY
  CHECK(sw(*card, "00 20 00 9B") == "63 C5");  // signing password
  CHECK(sw(*card, "00 20 00 98 04 30 30 30 30") == "63 C2");
  card->power_off();
  card->power_on();
  ask(*card, kSelectJpki);
  CHECK(sw(*card, "00 20 00 98") == "63 C2");
  CHECK(sw(*card, "00 20 00 98 04 30 30 30 30") == "63 C1");
  CHECK(sw(*card, "00 20 00 98 04 30 30 30 30") == "63 C0");
  CHECK(sw(*card, "00 20 00 98 04 31 32 33 34") == "69 84");
  CHECK(sw(*card, "00 20 00 98") == "63 C0");
}

TEST_CASE("emulator: the key needs its PIN, power-off, reset and re-selection forget it") {
  auto card = test::make_card(test::test_card_profile());
  const std::string sign = "80 2A 00 97 05 01 02 03 04 05 00";
  ask(*card, kSelectJpki);
  CHECK(sw(*card, sign) == "69 82");
  ask(*card, "00 20 00 98 04 31 32 33 34");
  CHECK(card->process_apdu(from_hex(sign)).size() == 258);
  CHECK(sw(*card, "80 2A 06 97 05 01 02 03 04 05 00") == "6A 86");  // no such scheme
  CHECK(sw(*card, "80 2A 02 97 05 01 02 03 04 05 00") == "67 00");  // scheme 02 wants a 32-byte hash
  ask(*card, kSelectJpki);  // OpenSC logs out this way
  CHECK(sw(*card, sign) == "69 82");
  ask(*card, "00 20 00 98 04 31 32 33 34");
  card->reset();
  ask(*card, kSelectJpki);
  CHECK(sw(*card, sign) == "69 82");
  // By SELECT of the key EF and P2 = 80, as OpenSC does.
  ask(*card, "00 A4 02 0C 02 00 18");
  CHECK(sw(*card, "00 20 00 80 04 31 32 33 34") == "90 00");
  CHECK(sw(*card, "00 A4 02 0C 02 00 17") == "90 00");
  CHECK(card->process_apdu(from_hex("80 2A 00 80 05 01 02 03 04 05 00")).size() == 258);
}

TEST_CASE("emulator: extended length and short EF ids can be switched off, GET CHALLENGE") {
  auto profile = test::test_card_profile();
  profile.extended_length = false;
  profile.short_ef_identifiers = false;
  auto card = test::make_card(profile);
  ask(*card, kSelectJpki);
  CHECK(sw(*card, "00 B0 8A 00 00 00 00") == "67 00");
  CHECK(sw(*card, "00 B0 8A 00 00") == "6A 86");
  CHECK(sw(*card, "00 20 00 98") == "6A 86");
  CHECK(card->process_apdu(from_hex("00 84 00 00 10")).size() == 18);
}

TEST_CASE("emulator: the 入力補助AP is there (so the kiosk's guard means something) and its number is protected") {
  const auto profile = test::test_card_profile();
  auto card = test::make_card(profile);
  CHECK(sw(*card, "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08") == "90 00");
  CHECK(sw(*card, "00 B0 81 00 11") == "69 82");
  ask(*card, "00 20 00 91 04 31 32 33 34");
  const std::string number = ask(*card, "00 B0 81 00 11");
  CHECK(number.rfind("FF 10 0C", 0) == 0);
  CHECK(card->select_attempts(hal::mynumber::kTextAid) == 1);
}

TEST_CASE("emulator: a smartphone token has only the JPKI AP, a face-only card has no PIN") {
  auto phone = test::make_card(test::smartphone_profile());
  CHECK(sw(*phone, "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02") == "6A 82");
  ask(*phone, kSelectJpki);
  CHECK(ask(*phone, "00 B0 86 00 10").rfind("4A 50 4B 49 41 50 47 50 53 45 54 4F 4B 45 4E 20", 0) == 0);
  auto face_only = test::make_card(test::face_only_card_profile());
  ask(*face_only, kSelectJpki);
  CHECK(sw(*face_only, "00 20 00 98") == "69 84");
  CHECK(sw(*face_only, "00 20 00 98 04 31 32 33 34") == "69 84");
  CHECK(sw(*face_only, "00 A4 02 0C 02 00 1B") == "6A 82");
  CHECK(ask(*face_only, "00 B0 88 00 03") == "00 8F 00 90 00");
}

TEST_CASE("retry counters persist in the card file across runs") {
  test::TempDir dir;
  const auto file = dir.path() / "card.json";
  test::test_card_profile().save(file);
  {
    auto card = sim::card::JpkiCard::load(file);
    card->power_on();
    ask(*card, kSelectJpki);
    CHECK(sw(*card, "00 20 00 98 04 39 39 39 39") == "63 C2");
  }
  auto again = sim::card::JpkiCard::load(file);
  again->power_on();
  ask(*again, kSelectJpki);
  CHECK(sw(*again, "00 20 00 98") == "63 C2");
  CHECK(sim::card::CardProfile::load(file).auth.certificate == test::test_card_profile().auth.certificate);
}

TEST_CASE("broken card files are refused with the reason") {
  test::TempDir dir;
  const auto file = dir.path() / "card.json";
  CHECK_THROWS_WITH(sim::card::CardProfile::load(file), Catch::Contains("cannot open"));
  std::ofstream(file) << "{\"format\": \"kiosk-sim-card/1\"}";
  CHECK_THROWS_WITH(sim::card::CardProfile::load(file), Catch::Contains("malformed"));
  std::ofstream(file) << "not json";
  CHECK_THROWS_WITH(sim::card::CardProfile::load(file), Catch::Contains("malformed"));
}

TEST_CASE("照合番号B uses the Japanese era of the birth date") {
  CHECK(sim::card::compute_code_b("19800217", "20350217", "2285") == "55021720352285");  // 昭和55
  CHECK(sim::card::japanese_era_date("19890107") == "640107");  // last day of 昭和
  CHECK(sim::card::japanese_era_date("19890108") == "010108");  // 平成元年
  CHECK(sim::card::japanese_era_date("20190501") == "010501");  // 令和元年
  CHECK(sim::card::japanese_era_date("20240229") == "060229");
  CHECK_THROWS_AS(sim::card::japanese_era_date("18000101"), std::invalid_argument);
  CHECK_THROWS_AS(sim::card::compute_code_b("1980021", "20350217", "2285"), std::invalid_argument);
}

TEST_CASE("card-side command parsing: the four cases, short and extended") {
  auto p = sim::card::parse_received_command(from_hex("00 B0 8A 00 00 00 00"));
  REQUIRE(p);
  CHECK(p->extended);
  CHECK(p->ne == 65536);
  p = sim::card::parse_received_command(from_hex("80 2A 00 97 02 01 02 00"));
  REQUIRE(p);
  CHECK(p->data.size() == 2);
  CHECK(p->ne == 256);
  p = sim::card::parse_received_command(from_hex("80 2A 00 97 00 00 02 01 02 01 00"));
  REQUIRE(p);
  CHECK(p->data.size() == 2);
  CHECK(p->ne == 256);
  CHECK_FALSE(sim::card::parse_received_command(from_hex("00 B0 00")));
  CHECK_FALSE(sim::card::parse_received_command(from_hex("00 B0 00 00 00 00")));
  CHECK_FALSE(sim::card::parse_received_command(from_hex("00 D6 00 00 00 00 00 01")));  // extended Lc of 0
}
