#include <catch2/catch.hpp>

#include "core/card/apdu.hpp"
#include "core/card/card_error.hpp"
#include "core/card/secret.hpp"
#include "core/card/tlv.hpp"

using namespace kiosk;
using namespace kiosk::core::card;

TEST_CASE("command APDUs encode all four cases, short and extended") {
  CHECK(to_hex(CommandApdu(0x00, 0x20, 0x00, 0x98).encode()) == "00 20 00 98");                      // case 1
  CHECK(to_hex(CommandApdu(0x00, 0xB0, 0x8A, 0x00, {}, 256).encode()) == "00 B0 8A 00 00");          // 2S, Le 256
  CHECK(to_hex(CommandApdu(0x00, 0xB0, 0x86, 0x00, {}, 32).encode()) == "00 B0 86 00 20");           // 2S
  CHECK(to_hex(CommandApdu(0x00, 0xA4, 0x02, 0x0C, {0x00, 0x0A}).encode()) == "00 A4 02 0C 02 00 0A"); // 3S
  CHECK(to_hex(CommandApdu(0x80, 0x2A, 0x00, 0x97, {0x01, 0x02}, 256).encode()) == "80 2A 00 97 02 01 02 00");  // 4S
  CHECK(to_hex(CommandApdu(0x00, 0xB0, 0x8A, 0x00, {}, 65536).encode()) == "00 B0 8A 00 00 00 00");  // 2E, Le 65536
  CHECK(to_hex(CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 300).encode()) == "00 B0 00 00 00 01 2C");    // 2E
  const Bytes long_data(300, 0xAB);
  const Bytes e3 = CommandApdu(0x80, 0xA2, 0x00, 0x00, long_data).encode();                          // 3E
  CHECK(to_hex(Bytes(e3.begin(), e3.begin() + 7)) == "80 A2 00 00 00 01 2C");
  CHECK(e3.size() == 7 + 300);
  const Bytes e4 = CommandApdu(0x80, 0x2A, 0x00, 0x80, long_data, 256).encode();                     // 4E
  CHECK(e4.size() == 7 + 300 + 2);
  CHECK(e4[e4.size() - 2] == 0x01);
  CHECK(e4[e4.size() - 1] == 0x00);
  CHECK_THROWS_AS(CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 65537).encode(), std::length_error);
  CHECK_THROWS_AS(CommandApdu(0x00, 0xD6, 0x00, 0x00, Bytes(65536, 0)).encode(), std::length_error);
}

TEST_CASE("sensitive commands are redacted in traces") {
  CommandApdu verify(0x00, 0x20, 0x00, 0x98, {'1', '2', '3', '4'});
  verify.sensitive = true;
  CHECK(verify.to_trace_string() == "00 20 00 98 04 ** ** ** **");
  CHECK(to_hex(verify.encode()) == "00 20 00 98 04 31 32 33 34");
}

TEST_CASE("response APDUs split data and status word, fewer than 2 bytes is an error") {
  const ResponseApdu r = ResponseApdu::parse(from_hex("01 02 90 00"));
  CHECK(to_hex(r.data) == "01 02");
  CHECK(r.ok());
  CHECK(ResponseApdu::parse(from_hex("63 C2")).sw2() == 0xC2);
  try {
    ResponseApdu::parse(from_hex("90"));
    FAIL("a 1-byte response parsed");
  } catch (const CardProtocolError& e) {
    CHECK(e.failure() == CardFailure::Unreadable);
    CHECK(e.retryable());
    CHECK(std::string(e.message_code()) == "001");
  }
  CHECK_THROWS_AS(ResponseApdu::parse({}), CardProtocolError);
}

TEST_CASE("status words are described for people") {
  CHECK(describe_status_word(0x63C2) == "63 C2: verification failed or tries queried, 2 tries left");
  CHECK(describe_status_word(0x6A82) == "6A 82: file or application not found");
  CHECK(describe_status_word(0x6984) == "69 84: reference data not usable (blocked or not set)");
}

TEST_CASE("secrets are wiped when cleared or moved from, and bounded") {
  Secret pin("1234");
  CHECK(pin.size() == 4);
  CHECK(pin.all_digits());
  Secret moved(std::move(pin));
  CHECK(pin.empty());  // NOLINT(bugprone-use-after-move): moved-from secrets are wiped
  CHECK(to_hex(moved.bytes()) == "31 32 33 34");
  moved.pop_back();
  CHECK(to_hex(moved.bytes()) == "31 32 33");
  moved.clear();
  CHECK(moved.empty());
  CHECK_THROWS_AS(Secret(std::string(33, '1')), std::length_error);
  CHECK_FALSE(Secret("12a4").all_digits());
}

TEST_CASE("BER-TLV headers and values of card files") {
  // FF20 { DF22 "19800217" }
  const Bytes record = from_hex("FF 20 0B DF 22 08 31 39 38 30 30 32 31 37");
  const Tlv outer = read_tlv(record);
  CHECK(outer.header.tag == 0xFF20);
  CHECK(outer.header.constructed);
  const auto children = read_tlv_children(outer.value);
  REQUIRE(children.size() == 1);
  CHECK(children[0].header.tag == 0xDF22);
  CHECK(children[0].value.size() == 8);

  // A certificate header with a two-byte length, value not yet read.
  const TlvHeader cert = read_tlv_header(from_hex("30 82 04 D2 30 82"));
  CHECK(cert.tag == 0x30);
  CHECK(cert.total_length() == 4 + 0x04D2);

  CHECK_THROWS_AS(read_tlv(from_hex("30 82 04 D2 30 82")), CardProtocolError);  // value missing
  CHECK_THROWS_AS(read_tlv_header(from_hex("30 80 00 00")), CardProtocolError);  // indefinite
  CHECK_THROWS_AS(read_tlv_header(from_hex("30")), CardProtocolError);           // no length
  CHECK_THROWS_AS(read_tlv_header({}), CardProtocolError);
  // Filler after the children is ignored; garbage is not.
  CHECK(read_tlv_children(from_hex("DF 22 01 31 FF FF FF")).size() == 1);
  CHECK_THROWS_AS(read_tlv_children(from_hex("DF 22 05 31")), CardProtocolError);
}
