// Raw exchanges with the card emulator for its byte-level tests.
#pragma once

#include <string>

#include "sim/card/virtual_card.hpp"

namespace kiosk::test {

// The whole answer, hex.
inline std::string ask(sim::card::VirtualCard& card, const std::string& apdu) { return to_hex(card.process_apdu(from_hex(apdu))); }
// The status word only, "90 00".
inline std::string sw(sim::card::VirtualCard& card, const std::string& apdu) {
  const std::string r = ask(card, apdu);
  return r.substr(r.size() - 5);
}
// The data only, without the status word.
inline Bytes data(sim::card::VirtualCard& card, const std::string& apdu) {
  Bytes r = card.process_apdu(from_hex(apdu));
  r.resize(r.size() - 2);
  return r;
}
inline const std::string kSelectJpki = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";

}  // namespace kiosk::test
