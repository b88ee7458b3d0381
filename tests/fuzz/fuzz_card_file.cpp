// libFuzzer target: simulated card files. The check every loader runs first
// (sim/card/card_file_check), then, for a file it passes, the card loader and the emulator on
// the card it makes: a file that passes the check must give a card that works.
#include <cstddef>
#include <cstdint>

#include "core/card/apdu.hpp"
#include "sim/card/card_file_check.hpp"
#include "sim/card/jpki_card.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace kiosk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static kiosk::fuzz::MemoryFile file("kiosk-card");
  const auto path = file.write(data, size);
  try {
    sim::card::read_card_file(path);
  } catch (const sim::card::CardFileError&) {
    return 0;
  }
  // Passed the check: loading and using it must not fail.
  sim::card::JpkiCard card(sim::card::CardProfile::load(path));
  card.power_on();
  for (const char* apdu : {"00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01", "00 B0 8A 00 00 00 00", "00 20 00 98",
                           "00 20 00 98 04 31 32 33 34", "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02", "00 20 00 92"}) {
    const Bytes response = card.process_apdu(from_hex(apdu));
    if (response.size() < 2) __builtin_trap();
  }
  return 0;
}
