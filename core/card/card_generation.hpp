// Which generation of My Number card is on the reader, from the applications it answers to
// (../shared/spec/card-face-layout.md, last section). Only SELECT commands are sent: no file is
// read and no try of any key is spent.
#pragma once

#include "core/card/card_session.hpp"

namespace kiosk::core::card {

enum class CardGeneration {
  Current,   // today's card: the 券面事項確認AP answers
  Next,      // the next-generation card: today's 券面事項確認AP is absent, the 券面等AP answers
             // (its AID is the simulator's assumption, hal/mynumber_card.hpp)
  NoCardFace,  // neither: a smartphone, or a card whose photo application the kiosk does not know
};
const char* to_string(CardGeneration g);

// Selects the card-face application when it is there (the session stays in it for Current).
// Throws CardProtocolError(Unreadable) for answers other than success or "not found", and
// hal::CardError from the reader.
CardGeneration detect_card_generation(CardSession& session);

}  // namespace kiosk::core::card
