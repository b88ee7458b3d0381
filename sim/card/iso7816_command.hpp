// The card side of ISO/IEC 7816-4: splitting a received command APDU into its fields and
// telling the four cases (and short/extended length) apart.
#pragma once

#include <cstdint>
#include <optional>

#include "hal/bytes.hpp"

namespace kiosk::sim::card {

struct ReceivedCommand {
  Byte cla = 0;
  Byte ins = 0;
  Byte p1 = 0;
  Byte p2 = 0;
  ByteView data;           // empty for cases 1 and 2
  std::size_t ne = 0;      // 0 when no Le field; 256 / 65536 for Le = 00 / 00 00
  bool has_le = false;
  bool extended = false;
};

// Nothing when the length fields do not add up (the card answers 67 00).
std::optional<ReceivedCommand> parse_received_command(ByteView apdu);

}  // namespace kiosk::sim::card
