// A simulated reader with one emulated card, a connected channel and a card session.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/card/card_session.hpp"
#include "sim/card/simulated_readers.hpp"
#include "tests/support/test_cards.hpp"

namespace kiosk::test {

struct CardRig {
  explicit CardRig(std::shared_ptr<sim::card::VirtualCard> card_) : card(std::move(card_)) {
    readers.attach_reader("Sim Reader 0");
    readers.place_card("Sim Reader 0", card);
    channel = readers.connect("Sim Reader 0");
    session = std::make_unique<core::card::CardSession>(*channel);
  }
  explicit CardRig(sim::card::CardProfile profile) : CardRig(make_card(std::move(profile))) {}

  // "command -> status word" lines of everything sent so far, for exact comparison.
  std::vector<std::string> script() const {
    std::vector<std::string> out;
    for (const auto& e : session->trace()) {
      out.push_back(e.command + " -> " + to_hex(Bytes{static_cast<Byte>(e.status_word >> 8), static_cast<Byte>(e.status_word)}));
    }
    return out;
  }

  sim::card::SimulatedReaders readers;
  std::shared_ptr<sim::card::VirtualCard> card;
  std::unique_ptr<hal::CardChannel> channel;
  std::unique_ptr<core::card::CardSession> session;
};

}  // namespace kiosk::test
