// The reception takes a card only from a reader the configuration names (issue 18, security 4):
// a card in another reader, an emulated one (vsmartcard's "Virtual PCD") in particular, is never
// read. The runner on a board with simulated readers.
#include <catch2/catch.hpp>

#include <thread>

#include "core/board/board.hpp"
#include "core/reception/reception_runner.hpp"
#include "sim/card/recording_card.hpp"
#include "sim/card/simulated_readers.hpp"
#include "tests/support/runner_support.hpp"
#include "tests/support/test_cards.hpp"

using namespace kiosk;
using namespace std::chrono_literals;
using test::eventually;
using test::QuietScreen;
using test::WallClock;

namespace {

constexpr const char* kEmulated = "Virtual PCD 00 00";
constexpr const char* kKioskReader = "SONY FeliCa RC-S300/S (0123456) 00 00";

}  // namespace

TEST_CASE("reader policy: a card in a reader the configuration does not name is never read") {
  core::board::Board board;
  board.clock = std::make_unique<WallClock>();
  auto readers = std::make_unique<sim::card::SimulatedReaders>();
  sim::card::SimulatedReaders& field = *readers;
  field.attach_reader(kEmulated);
  field.attach_reader(kKioskReader);
  board.readers = std::move(readers);
  board.accepted_models = {"SONY FeliCa RC-S300/S"};
  auto trust = std::make_unique<core::crypto::TrustStore>();
  trust->add_directory(test::test_ca_directory());
  board.trust = std::move(trust);

  auto emulated = std::make_shared<sim::card::RecordingCard>(test::make_card(test::test_card_profile()));
  field.place_card(kEmulated, emulated);

  QuietScreen screen;
  core::reception::ReceptionRunner runner(board, screen);
  std::thread running([&] { runner.run(); });
  // A card in the emulated reader: nothing happens, not one APDU reaches it.
  std::this_thread::sleep_for(800ms);
  CHECK(runner.step() == core::reception::Step::Idle);
  CHECK(emulated->trace().empty());

  // The same kind of card in the kiosk's reader is read.
  auto genuine = std::make_shared<sim::card::RecordingCard>(test::make_card(test::test_card_profile()));
  field.place_card(kKioskReader, genuine);
  CHECK(eventually([&] { return runner.step() != core::reception::Step::Idle; }, 5s));
  CHECK_FALSE(genuine->trace().empty());
  CHECK(emulated->trace().empty());
  runner.stop();
  running.join();
}

TEST_CASE("reader policy: a board that accepts no reader is missing an essential") {
  core::board::Board board;
  board.readers = std::make_unique<sim::card::SimulatedReaders>();
  const auto missing = core::board::missing_essentials(board);
  CHECK(std::find(missing.begin(), missing.end(), "reader (card_reader.reader or card_reader.accepted_models)") != missing.end());
  board.reader = "Reader A";
  const auto now_missing = core::board::missing_essentials(board);
  CHECK(std::find(now_missing.begin(), now_missing.end(), "reader (card_reader.reader or card_reader.accepted_models)") ==
        now_missing.end());
}
