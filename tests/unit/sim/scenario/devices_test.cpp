// The virtual clock and the APDU trace the scenario player relies on.
#include <catch2/catch.hpp>

#include "hal/mynumber_card.hpp"
#include "sim/card/recording_card.hpp"
#include "sim/clock/virtual_clock.hpp"
#include "tests/support/test_cards.hpp"

using namespace std::chrono_literals;

TEST_CASE("virtual clock: moves only when advanced, sleeping advances it") {
  const auto start = std::chrono::system_clock::time_point(std::chrono::hours(500000));
  kiosk::sim::clock::VirtualClock clock(start);
  const auto m0 = clock.monotonic();
  CHECK(clock.now() == start);
  clock.sleep_for(1500ms);
  clock.advance(500ms);
  CHECK(clock.elapsed() == 2s);
  CHECK(clock.now() == start + 2s);
  CHECK(clock.monotonic() - m0 == 2s);
  clock.sleep_for(-5ms);
  CHECK(clock.elapsed() == 2s);
}

TEST_CASE("recording card: keeps the trace, redacts VERIFY data, sees the exchanges") {
  int observed = 0;
  auto card = kiosk::test::make_card(kiosk::test::test_card_profile());
  kiosk::sim::card::RecordingCard recorded(card, [&](kiosk::ByteView, kiosk::ByteView) { ++observed; });
  recorded.power_on();
  const auto& aid = kiosk::hal::mynumber::kJpkiAid;
  kiosk::Bytes select{0x00, 0xA4, 0x04, 0x0C, 0x0A};
  select.insert(select.end(), aid.begin(), aid.end());
  CHECK(recorded.process_apdu(select) == kiosk::Bytes{0x90, 0x00});
  recorded.process_apdu(kiosk::Bytes{0x00, 0x20, 0x00, 0x98, 0x04, '1', '2', '3', '4'});
  recorded.process_apdu(kiosk::Bytes{0x00, 0x20, 0x00, 0x98});  // tries left, no try spent
  const auto trace = recorded.trace();
  REQUIRE(trace.size() == 3);
  CHECK(observed == 3);
  CHECK(kiosk::sim::card::selects(trace[0], aid));
  CHECK_FALSE(kiosk::sim::card::selects(trace[0], kiosk::hal::mynumber::kTextAid));
  CHECK(kiosk::to_hex(trace[1].command) == "00 20 00 98 04 2A 2A 2A 2A");
  CHECK(kiosk::sim::card::is_verify_with_data(trace[1]));
  CHECK_FALSE(kiosk::sim::card::is_verify_with_data(trace[2]));
}
