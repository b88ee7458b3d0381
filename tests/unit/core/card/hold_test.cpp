// The card is held exclusively from a VERIFY with reference data to the end of the session, a
// VERIFY is never sent twice, and closing the channel resets the card (issue 18, security 2 and
// 6). The live counterpart through pcscd: tests/integration/live/pcsc_live_test.cpp.
#include <catch2/catch.hpp>

#include "core/card/card_error.hpp"
#include "core/card/card_face_application.hpp"
#include "core/card/jpki_application.hpp"
#include "core/crypto/digest.hpp"
#include "tests/support/scripted_channel.hpp"
#include "tests/unit/core/card/rig.hpp"

using namespace kiosk;
using namespace kiosk::core::card;
using kiosk::test::CardRig;
using kiosk::test::ScriptedChannel;

namespace {
const char* kSelectJpki = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
const char* kQueryPin = "00 20 00 98";
const char* kVerify1234 = "00 20 00 98 04 31 32 33 34";
const char* kVerify0000 = "00 20 00 98 04 30 30 30 30";

Bytes digest_info() { return core::crypto::sha256_digest_info(core::crypto::sha256(Bytes{1, 2, 3})); }
}  // namespace

TEST_CASE("hold: a right PIN is verified under a hold that lasts until the session ends") {
  ScriptedChannel channel{{kSelectJpki, "90 00"}, {kQueryPin, "63 C3"}, {kVerify1234, "90 00"}};
  {
    CardSession session(channel);
    JpkiApplication jpki(session);
    jpki.select();
    CHECK_FALSE(channel.held());
    CHECK(jpki.auth_pin_status().tries_left == 3);  // the empty VERIFY opens nothing: no hold
    CHECK_FALSE(channel.held());
    CHECK(jpki.verify_auth_pin(Secret("1234")).outcome == VerifyOutcome::Verified);
    CHECK(channel.held());
    CHECK(channel.hold_began() == 2);  // taken before the VERIFY went out
    CHECK(session.held());
  }
  CHECK_FALSE(channel.held());  // the session ended
  CHECK(channel.hold_end_resets() == 1);  // and the hold ended resetting the verified card
  CHECK(channel.holds() == 1);
  CHECK(channel.finished());
}

TEST_CASE("hold: a wrong PIN gives the hold up, a reset ends it") {
  ScriptedChannel channel{{kSelectJpki, "90 00"}, {kQueryPin, "63 C3"}, {kVerify0000, "63 C2"},
                          {kVerify1234, "90 00"}};
  CardSession session(channel);
  JpkiApplication jpki(session);
  jpki.select();
  CHECK(jpki.verify_auth_pin(Secret("0000")).outcome == VerifyOutcome::Wrong);
  CHECK_FALSE(channel.held());
  CHECK(channel.hold_end_resets() == 0);  // nothing was opened: the selection stays
  CHECK(channel.holds() == 1);
  CHECK(jpki.verify_auth_pin(Secret("1234")).outcome == VerifyOutcome::Verified);
  CHECK(channel.held());
  session.reset();
  CHECK_FALSE(channel.held());
  CHECK(channel.resets() == 1);
  CHECK(channel.hold_end_resets() == 0);  // the channel reset already closed the card
}

TEST_CASE("hold: the card leaving during the VERIFY ends the hold") {
  ScriptedChannel channel{{kSelectJpki, "90 00"}, {kQueryPin, "63 C3"}, {kVerify1234, "REMOVED"}};
  CardSession session(channel);
  JpkiApplication jpki(session);
  jpki.select();
  CHECK_THROWS_AS(jpki.verify_auth_pin(Secret("1234")), hal::CardError);
  CHECK_FALSE(channel.held());
  CHECK(channel.hold_end_resets() == 1);  // whether the PIN was taken is unknown: reset
  CHECK(session.current_application() == Application::Unknown);
}

TEST_CASE("VERIFY: a fresh session learns short EF support from the empty VERIFY before the PIN goes out") {
  ScriptedChannel channel{{kSelectJpki, "90 00"}, {kQueryPin, "63 C3"}, {kVerify1234, "90 00"}};
  CardSession session(channel);
  JpkiApplication jpki(session);
  jpki.select();
  CHECK(jpki.verify_auth_pin(Secret("1234")).outcome == VerifyOutcome::Verified);
  CHECK(channel.finished());
}

TEST_CASE("VERIFY: the PIN is never sent again after the card refused it by short EF identifier") {
  for (const char* refusal : {"6A 86", "6A 81", "6B 00", "69 86"}) {
    INFO(refusal);
    // The empty VERIFY took the short EF identifier; the VERIFY with the PIN is then refused.
    ScriptedChannel channel{{kSelectJpki, "90 00"}, {kQueryPin, "63 C3"}, {kVerify1234, refusal}};
    CardSession session(channel);
    JpkiApplication jpki(session);
    jpki.select();
    try {
      jpki.verify_auth_pin(Secret("1234"));
      FAIL("no error");
    } catch (const CardProtocolError& e) {
      CHECK(e.failure() == CardFailure::Unreadable);
      CHECK_THAT(e.what(), Catch::Contains("not sent again"));
    }
    CHECK(channel.finished());  // no SELECT + second VERIFY with the PIN
    CHECK_FALSE(channel.held());
  }
}

TEST_CASE("VERIFY: a card refusing short EF identifiers in the empty VERIFY gets SELECT + one VERIFY") {
  ScriptedChannel channel{{kSelectJpki, "90 00"},
                          {kQueryPin, "6A 86"},
                          {"00 A4 02 0C 02 00 18", "90 00"},
                          {"00 20 00 80", "63 C3"},
                          {"00 A4 02 0C 02 00 18", "90 00"},
                          {"00 20 00 80 04 31 32 33 34", "90 00"}};
  CardSession session(channel);
  JpkiApplication jpki(session);
  jpki.select();
  CHECK(jpki.verify_auth_pin(Secret("1234")).outcome == VerifyOutcome::Verified);
  CHECK(session.short_ef_identifiers == false);
  CHECK(channel.finished());
}

TEST_CASE("hold: another application cannot sign between our VERIFY and our signature, and the card is reset after") {
  CardRig rig(test::test_card_profile());
  auto other = rig.readers.connect("Sim Reader 0");  // a second PC/SC client on the same card
  JpkiApplication jpki(*rig.session);
  jpki.select();
  REQUIRE(jpki.verify_auth_pin(Secret("1234")).outcome == VerifyOutcome::Verified);

  const Bytes sign_apdu = from_hex("80 2A 00 97 33 " + to_hex(digest_info()) + " 00");
  try {
    other->transmit(sign_apdu);
    FAIL("the other application reached the card during our hold");
  } catch (const hal::CardError& e) {
    CHECK(e.kind() == hal::CardErrorKind::SharingViolation);
  }
  CHECK_THROWS_AS(other->reset(), hal::CardError);  // nor can it reset the card under us
  CHECK(jpki.sign_with_auth_key(digest_info()).size() == 256);

  // The session ends: the hold ends resetting the card, before our channel is even closed.
  rig.session.reset();
  CHECK(other->transmit(from_hex(kSelectJpki)) == Bytes{0x90, 0x00});
  CHECK(other->transmit(sign_apdu) == Bytes{0x69, 0x82});  // security status not satisfied: no PIN any more
  rig.channel.reset();
}

TEST_CASE("hold: 照合番号B opens the card face under a hold too") {
  const auto profile = test::test_card_profile();
  CardRig rig(profile);
  auto other = rig.readers.connect("Sim Reader 0");
  CardFaceApplication face(*rig.session);
  face.select();
  REQUIRE(face.verify_code_b(Secret(*profile.code_b.value)).outcome == VerifyOutcome::Verified);
  CHECK(rig.session->held());
  CHECK_THROWS_AS(other->transmit(from_hex("00 B0 82 00 00 00 00")), hal::CardError);
  CHECK(face.read_card_face().photo_jp2 == profile.face_photo_jp2);
}
