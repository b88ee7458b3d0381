#include <catch2/catch.hpp>

#include <thread>

#include "sim/card/simulated_readers.hpp"
#include "tests/support/test_cards.hpp"

using namespace kiosk;
using namespace std::chrono_literals;
using hal::ReaderEventKind;

TEST_CASE("simulated readers report attach, insert, remove and detach like pcscd") {
  sim::card::SimulatedReaders readers;
  CHECK(readers.status().empty());
  readers.attach_reader("R0");
  auto events = readers.wait_for_events(100ms);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == ReaderEventKind::ReaderAttached);
  CHECK(readers.wait_for_events(20ms).empty());  // timeout

  auto card = test::make_card(test::test_card_profile());  // issued before: RSA key generation is slow
  std::thread placer([&] {
    std::this_thread::sleep_for(30ms);
    readers.place_card("R0", card);
  });
  events = readers.wait_for_events(10s);
  placer.join();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == ReaderEventKind::CardInserted);
  CHECK(events[0].atr.size() == 13);
  CHECK(readers.status().at(0).card_present);

  auto channel = readers.connect("R0");
  CHECK(to_hex(channel->transmit(from_hex("00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"))) == "90 00");
  readers.remove_card("R0");
  CHECK(readers.wait_for_events(100ms).at(0).kind == ReaderEventKind::CardRemoved);
  try {
    channel->transmit(from_hex("00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"));
    FAIL("transmitted to a removed card");
  } catch (const hal::CardError& e) {
    CHECK(e.kind() == hal::CardErrorKind::CardRemoved);
  }
  CHECK_THROWS_AS(readers.connect("R0"), hal::CardError);
  readers.detach_reader("R0");
  CHECK(readers.wait_for_events(100ms).at(0).kind == ReaderEventKind::ReaderDetached);
  CHECK(readers.list_readers().empty());
}

TEST_CASE("a card replaced by another counts as removed and inserted, old channels fail") {
  sim::card::SimulatedReaders readers;
  readers.attach_reader("R0");
  readers.place_card("R0", test::make_card(test::test_card_profile()));
  readers.status();
  auto channel = readers.connect("R0");
  readers.place_card("R0", test::make_card(test::test_card_profile()));
  const auto events = readers.wait_for_events(100ms);
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == ReaderEventKind::CardRemoved);
  CHECK(events[1].kind == ReaderEventKind::CardInserted);
  CHECK_THROWS_AS(channel->transmit(from_hex("00 84 00 00 08")), hal::CardError);
}

TEST_CASE("cancel() ends a wait early, a detached reader's channel says ReaderGone") {
  sim::card::SimulatedReaders readers;
  readers.attach_reader("R0");
  readers.status();
  std::thread canceller([&] {
    std::this_thread::sleep_for(30ms);
    readers.cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  CHECK(readers.wait_for_events(5s).empty());
  CHECK(std::chrono::steady_clock::now() - start < 4s);
  canceller.join();

  readers.place_card("R0", test::make_card(test::test_card_profile()));
  auto channel = readers.connect("R0");
  readers.detach_reader("R0");
  try {
    channel->transmit(from_hex("00 84 00 00 08"));
    FAIL("transmitted through a detached reader");
  } catch (const hal::CardError& e) {
    CHECK(e.kind() == hal::CardErrorKind::ReaderGone);
  }
  const bool found = hal::wait_for_card(readers, "", 20ms).has_value();
  CHECK_FALSE(found);
}
