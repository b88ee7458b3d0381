// Strange cards and broken answers: typed errors, no crash, and never a PIN try spent.
#include <catch2/catch.hpp>

#include "core/card/card_error.hpp"
#include "core/card/jpki_application.hpp"
#include "sim/card/faulty_card.hpp"
#include "tests/support/scripted_channel.hpp"
#include "tests/unit/core/card/rig.hpp"

using namespace kiosk;
using namespace kiosk::core::card;
using kiosk::test::CardRig;
using kiosk::test::ScriptedChannel;

namespace {

const std::string kSelectJpki = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";

template <typename F>
CardFailure failure_of(F&& f) {
  try {
    f();
  } catch (const CardProtocolError& e) {
    return e.failure();
  }
  FAIL("no CardProtocolError");
  return CardFailure::Forbidden;
}

// A 300-byte "certificate": 30 82 01 28 + 296 bytes.
Bytes fake_cert_start(std::size_t declared, std::size_t present) {
  Bytes b{0x30, 0x82, static_cast<Byte>((declared - 4) >> 8), static_cast<Byte>((declared - 4) & 0xFF)};
  b.resize(present, 0x5A);
  return b;
}

std::string with_sw(const Bytes& data, const std::string& sw) { return to_hex(data) + " " + sw; }

}  // namespace

TEST_CASE("a card that is not a My Number card: 【002】, not retryable") {
  CardRig rig(std::make_shared<sim::card::ForeignCard>());
  JpkiApplication jpki(*rig.session);
  try {
    jpki.select();
    FAIL("selected JPKI on a payment card");
  } catch (const CardProtocolError& e) {
    CHECK(e.failure() == CardFailure::NotMyNumberCard);
    CHECK(std::string(e.message_code()) == "002");
    CHECK_FALSE(e.retryable());
  }
}

TEST_CASE("truncated responses: 【001】, retryable") {
  ScriptedChannel ch({{kSelectJpki, "90"}});
  CardSession s(ch);
  JpkiApplication jpki(s);
  CHECK(failure_of([&] { jpki.select(); }) == CardFailure::Unreadable);

  ScriptedChannel empty({{kSelectJpki, ""}});
  CardSession s2(empty);
  JpkiApplication jpki2(s2);
  CHECK(failure_of([&] { jpki2.select(); }) == CardFailure::Unreadable);
}

TEST_CASE("unexpected status words are typed errors with the status word") {
  ScriptedChannel ch({{kSelectJpki, "6F 00"}});
  CardSession s(ch);
  JpkiApplication jpki(s);
  try {
    jpki.select();
    FAIL("accepted 6F 00");
  } catch (const CardProtocolError& e) {
    CHECK(e.failure() == CardFailure::Unreadable);
    CHECK(e.status_word() == 0x6F00);
    CHECK(std::string(e.what()).find("6F 00") != std::string::npos);
  }
  ScriptedChannel tries({{"00 20 00 98", "65 81"}});
  CardSession s2(tries);
  JpkiApplication jpki2(s2);
  CHECK(failure_of([&] { jpki2.auth_pin_status(); }) == CardFailure::Unreadable);
}

TEST_CASE("a card that lies about lengths") {
  SECTION("header says 1000 bytes, the file ends at 300") {
    const Bytes first = fake_cert_start(1000, 300);
    ScriptedChannel ch({{"00 B0 8A 00 00 00 00", with_sw(first, "90 00")}, {"00 B0 01 2C 00 02 BC", "6B 00"}});
    CardSession s(ch);
    JpkiApplication jpki(s);
    CHECK(failure_of([&] { jpki.read_auth_certificate(); }) == CardFailure::MalformedData);
    CHECK(ch.finished());
  }
  SECTION("the card returns nothing while more is due") {
    ScriptedChannel ch({{"00 B0 8A 00 00 00 00", with_sw(fake_cert_start(1000, 300), "90 00")},
                        {"00 B0 01 2C 00 02 BC", "90 00"}});
    CardSession s(ch);
    JpkiApplication jpki(s);
    CHECK(failure_of([&] { jpki.read_auth_certificate(); }) == CardFailure::MalformedData);
  }
  SECTION("more bytes than asked for") {
    ScriptedChannel ch({{"00 B0 86 00 20", with_sw(Bytes(40, 0x41), "90 00")}});
    CardSession s(ch);
    JpkiApplication jpki(s);
    CHECK(failure_of([&] { jpki.read_token_info(); }) == CardFailure::MalformedData);
  }
  SECTION("a header longer than READ BINARY can address") {
    ScriptedChannel ch({{"00 B0 8A 00 00 00 00", with_sw(fake_cert_start(60000, 256), "90 00")}});
    CardSession s(ch);
    JpkiApplication jpki(s);
    s.extended_length = true;
    // 256 bytes came, 59744 to go: offsets up to 0x7FFF are read, beyond that is refused.
    CHECK_THROWS_AS(jpki.read_auth_certificate(), std::logic_error);  // the script ends: asked for more
  }
  SECTION("not a TLV at all") {
    ScriptedChannel ch({{"00 B0 8A 00 00 00 00", "30 80 00 00 90 00"}});
    CardSession s(ch);
    JpkiApplication jpki(s);
    CHECK(failure_of([&] { jpki.read_auth_certificate(); }) == CardFailure::MalformedData);
  }
  SECTION("a 100-byte signature") {
    ScriptedChannel ch({{"80 2A 00 97 03 01 02 03 00", with_sw(Bytes(100, 0x11), "90 00")}});
    CardSession s(ch);
    JpkiApplication jpki(s);
    CHECK(failure_of([&] { jpki.sign_with_auth_key(Bytes{1, 2, 3}); }) == CardFailure::MalformedData);
  }
}

TEST_CASE("61 xx and 6C xx are followed as the transport rules say") {
  ScriptedChannel ch({{"00 B0 86 00 20", "6C 10"},
                      {"00 B0 86 00 10", "4A 50 4B 49 41 50 49 43 61 08"},
                      {"00 C0 00 00 08", "43 54 4F 4B 45 4E 32 20 90 00"}});
  CardSession s(ch);
  JpkiApplication jpki(s);
  CHECK(jpki.read_token_info().label == "JPKIAPICCTOKEN2");
  CHECK(ch.finished());
}

TEST_CASE("an endless 61 xx stream is cut off") {
  std::vector<test::ScriptStep> steps{{"00 B0 86 00 20", "41 61 01"}};
  for (int i = 0; i < 256; ++i) steps.push_back({"00 C0 00 00 01", "41 61 01"});
  ScriptedChannel ch(steps);
  CardSession s(ch);
  JpkiApplication jpki(s);
  CHECK(failure_of([&] { jpki.read_token_info(); }) == CardFailure::Unreadable);
}

TEST_CASE("the card pulled out mid-read is a reader error that says retry") {
  auto card = test::make_card(test::test_card_profile());
  auto faulty = std::make_shared<sim::card::FaultyCard>(card);
  CardRig rig(faulty);
  faulty->add_fault({from_hex("00 B0 8A"), {}, {}, [&] { rig.readers.remove_card("Sim Reader 0"); }, 1});
  JpkiApplication jpki(*rig.session);
  jpki.select();
  try {
    jpki.read_auth_certificate();
    FAIL("read a certificate from a removed card");
  } catch (const hal::CardError& e) {
    CHECK(e.kind() == hal::CardErrorKind::CardRemoved);
    CHECK(e.retryable());
  }
  CHECK_THROWS_AS(jpki.auth_pin_status(), hal::CardError);
}

TEST_CASE("garbage ATR: the kiosk identifies cards by what they answer, not by their ATR") {
  auto card = test::make_card(test::test_card_profile());
  auto faulty = std::make_shared<sim::card::FaultyCard>(card);
  faulty->set_atr(from_hex("3B 00"));
  CardRig rig(faulty);
  CHECK(to_hex(rig.channel->atr()) == "3B 00");
  JpkiApplication jpki(*rig.session);
  jpki.select();
  CHECK(jpki.read_token_info().kind == TokenKind::MyNumberCard);
}

TEST_CASE("bad answers never cost the patient a PIN try") {
  auto card = test::make_card(test::test_card_profile());
  auto faulty = std::make_shared<sim::card::FaultyCard>(card);
  // Every retry-counter query is answered with garbage; the kiosk must not go on to VERIFY.
  faulty->add_fault({from_hex("00 20 00 98"), 1, {}, {}, -1});
  CardRig rig(faulty);
  JpkiApplication jpki(*rig.session);
  jpki.select();
  CHECK(failure_of([&] { jpki.auth_pin_status(); }) == CardFailure::Unreadable);
  CHECK(card->profile().auth.pin.tries_left == 3);
  for (const auto& e : rig.session->trace()) CHECK(e.command.rfind("00 20 00 98 04", 0) == std::string::npos);
}

TEST_CASE("a card that answers 90 00 to the tries query once verified is understood") {
  ScriptedChannel ch({{"00 20 00 98", "90 00"}});
  CardSession s(ch);
  JpkiApplication jpki(s);
  CHECK(jpki.auth_pin_status().state == RetryStatus::State::Verified);
}
