// Reader event computation (no pcscd needed).
#include <catch2/catch.hpp>

#include "drivers/pcsc/reader_snapshot.hpp"

using kiosk::Bytes;
using kiosk::hal::ReaderEventKind;
using kiosk::drivers::pcsc::diff_snapshots;
using kiosk::drivers::pcsc::ReaderSnapshot;

namespace {

ReaderSnapshot reader(const std::string& name, bool card = false, std::uint32_t count = 0, Bytes atr = {0x3B, 0x00}) {
  ReaderSnapshot r;
  r.name = name;
  r.card_present = card;
  r.event_count = count;
  if (card) r.atr = std::move(atr);
  return r;
}

std::vector<std::pair<ReaderEventKind, std::string>> kinds(const std::vector<kiosk::hal::ReaderEvent>& events) {
  std::vector<std::pair<ReaderEventKind, std::string>> out;
  for (const auto& e : events) out.emplace_back(e.kind, e.reader);
  return out;
}

using P = std::pair<ReaderEventKind, std::string>;

}  // namespace

TEST_CASE("same state: no event") {
  const std::vector<ReaderSnapshot> s{reader("A", true, 2), reader("B")};
  CHECK(diff_snapshots(s, s).empty());
  CHECK(diff_snapshots({}, {}).empty());
}

TEST_CASE("a reader attached with a card already in it") {
  const auto events = diff_snapshots({reader("A")}, {reader("A"), reader("B", true, 1, {0x3B, 0x88})});
  REQUIRE(kinds(events) == std::vector<P>{{ReaderEventKind::ReaderAttached, "B"}, {ReaderEventKind::CardInserted, "B"}});
  CHECK(events[1].atr == Bytes{0x3B, 0x88});
  CHECK(events[0].atr.empty());
}

TEST_CASE("a reader detached: its card is reported removed first") {
  const auto events = diff_snapshots({reader("A", true, 1), reader("B")}, {reader("B")});
  CHECK(kinds(events) == std::vector<P>{{ReaderEventKind::CardRemoved, "A"}, {ReaderEventKind::ReaderDetached, "A"}});
}

TEST_CASE("the service went away: every reader detached") {
  const auto events = diff_snapshots({reader("A", true, 1), reader("B")}, {});
  CHECK(kinds(events) == std::vector<P>{{ReaderEventKind::CardRemoved, "A"},
                                        {ReaderEventKind::ReaderDetached, "A"},
                                        {ReaderEventKind::ReaderDetached, "B"}});
}

TEST_CASE("card inserted and removed") {
  auto events = diff_snapshots({reader("A")}, {reader("A", true, 1, {0x3B, 0x01})});
  REQUIRE(kinds(events) == std::vector<P>{{ReaderEventKind::CardInserted, "A"}});
  CHECK(events[0].atr == Bytes{0x3B, 0x01});
  events = diff_snapshots({reader("A", true, 1)}, {reader("A", false, 2)});
  CHECK(kinds(events) == std::vector<P>{{ReaderEventKind::CardRemoved, "A"}});
}

TEST_CASE("a card swapped between two looks is removed then inserted") {
  SECTION("seen by pcsc-lite's event counter") {
    const auto events = diff_snapshots({reader("A", true, 1)}, {reader("A", true, 3)});
    CHECK(kinds(events) == std::vector<P>{{ReaderEventKind::CardRemoved, "A"}, {ReaderEventKind::CardInserted, "A"}});
  }
  SECTION("seen by another ATR") {
    const auto events = diff_snapshots({reader("A", true, 1, {0x3B, 0x01})}, {reader("A", true, 1, {0x3B, 0x02})});
    CHECK(kinds(events) == std::vector<P>{{ReaderEventKind::CardRemoved, "A"}, {ReaderEventKind::CardInserted, "A"}});
  }
}

TEST_CASE("in-use changes are not events") {
  ReaderSnapshot a = reader("A", true, 1);
  ReaderSnapshot b = a;
  b.card_in_use = true;
  b.raw_state = 0x122;
  CHECK(diff_snapshots({a}, {b}).empty());
}

TEST_CASE("to_status copies the reader state") {
  ReaderSnapshot a = reader("A", true, 1, {0x3B, 0x99});
  a.card_in_use = true;
  const auto s = kiosk::drivers::pcsc::to_status(a);
  CHECK(s.name == "A");
  CHECK(s.card_present);
  CHECK(s.card_in_use);
  CHECK_FALSE(s.card_mute);
  CHECK(s.atr == Bytes{0x3B, 0x99});
}
