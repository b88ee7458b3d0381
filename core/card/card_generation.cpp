#include "core/card/card_generation.hpp"

#include "core/card/card_error.hpp"

namespace kiosk::core::card {
namespace {

// True for 90 00, false for "no such application"; throws on anything else.
bool select_application(CardSession& session, const hal::mynumber::Aid& aid) {
  const ResponseApdu r = session.transmit(CommandApdu(0x00, 0xA4, 0x04, 0x0C, Bytes(aid.begin(), aid.end())));
  if (r.ok()) return true;
  if (r.status_word == sw::kFileNotFound || r.status_word == sw::kFunctionNotSupported) return false;
  throw CardProtocolError(CardFailure::Unreadable,
                          "SELECT of application " + to_hex(Bytes(aid.begin(), aid.end()), '\0') + " answered " +
                              describe_status_word(r.status_word),
                          r.status_word);
}

}  // namespace

const char* to_string(CardGeneration g) {
  switch (g) {
    case CardGeneration::Current: return "current";
    case CardGeneration::Next: return "next";
    case CardGeneration::NoCardFace: return "no-card-face";
  }
  return "?";
}

CardGeneration detect_card_generation(CardSession& session) {
  if (select_application(session, hal::mynumber::kCardFaceAid)) return CardGeneration::Current;
  if (select_application(session, hal::mynumber::kNextGenerationCardFaceAid)) return CardGeneration::Next;
  return CardGeneration::NoCardFace;
}

}  // namespace kiosk::core::card
