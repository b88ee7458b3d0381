#include "sim/card/iso7816_command.hpp"

namespace kiosk::sim::card {

std::optional<ReceivedCommand> parse_received_command(ByteView apdu) {
  if (apdu.size() < 4) return std::nullopt;
  ReceivedCommand c{apdu[0], apdu[1], apdu[2], apdu[3], {}, 0, false, false};
  const std::size_t n = apdu.size();
  if (n == 4) return c;  // case 1
  if (n == 5) {          // case 2S
    c.has_le = true;
    c.ne = apdu[4] == 0 ? 256 : apdu[4];
    return c;
  }
  if (apdu[4] != 0) {  // short Lc: case 3S or 4S
    const std::size_t lc = apdu[4];
    if (n == 5 + lc) {
      c.data = apdu.subspan(5, lc);
      return c;
    }
    if (n == 6 + lc) {
      c.data = apdu.subspan(5, lc);
      c.has_le = true;
      c.ne = apdu[n - 1] == 0 ? 256 : apdu[n - 1];
      return c;
    }
    return std::nullopt;
  }
  // 00 first: extended length.
  if (n < 7) return std::nullopt;
  c.extended = true;
  const std::size_t first = static_cast<std::size_t>((apdu[5] << 8) | apdu[6]);
  if (n == 7) {  // case 2E
    c.has_le = true;
    c.ne = first == 0 ? 65536 : first;
    return c;
  }
  if (first == 0) return std::nullopt;  // Lc of zero is not allowed
  if (n == 7 + first) {                 // case 3E
    c.data = apdu.subspan(7, first);
    return c;
  }
  if (n == 9 + first) {  // case 4E
    c.data = apdu.subspan(7, first);
    c.has_le = true;
    const std::size_t le = static_cast<std::size_t>((apdu[n - 2] << 8) | apdu[n - 1]);
    c.ne = le == 0 ? 65536 : le;
    return c;
  }
  return std::nullopt;
}

}  // namespace kiosk::sim::card
