#include <catch2/catch.hpp>

#include "hal/bytes.hpp"

TEST_CASE("hex round trip") {
  const kiosk::Bytes b{0x00, 0xA4, 0x04, 0x0C};
  CHECK(kiosk::to_hex(b) == "00 A4 04 0C");
  CHECK(kiosk::from_hex("00a4 04:0C") == b);
  CHECK_THROWS_AS(kiosk::from_hex("0"), std::invalid_argument);
}
