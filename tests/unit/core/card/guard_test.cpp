// The kiosk never reads the My Number: the 券面事項入力補助AP cannot be selected, and the My
// Number image and 照合番号A of the card-face AP cannot be used, whatever the code asks.
#include <catch2/catch.hpp>

#include "core/card/card_error.hpp"
#include "core/card/card_face_application.hpp"
#include "core/card/jpki_application.hpp"
#include "hal/mynumber_card.hpp"
#include "tests/unit/core/card/rig.hpp"

using namespace kiosk;
using namespace kiosk::core::card;
using kiosk::test::CardRig;

namespace {

void expect_forbidden(CardSession& session, const CommandApdu& c) {
  try {
    session.transmit(c);
    FAIL("sent " << c.to_trace_string());
  } catch (const CardProtocolError& e) {
    CHECK(e.failure() == CardFailure::Forbidden);
    CHECK_FALSE(e.retryable());
  }
}

CommandApdu select_aid(ByteView aid) { return CommandApdu(0x00, 0xA4, 0x04, 0x0C, Bytes(aid.begin(), aid.end())); }

}  // namespace

TEST_CASE("guard: the 券面事項入力補助AP is never selected, and nothing reaches the card") {
  auto card = test::make_card(test::test_card_profile());
  CardRig rig(card);
  const std::size_t before = card->apdus_processed();
  expect_forbidden(*rig.session, select_aid(hal::mynumber::kTextAid));
  // Not with FCI, not by a prefix of its name, not by another selection method.
  expect_forbidden(*rig.session, CommandApdu(0x00, 0xA4, 0x04, 0x00, Bytes(hal::mynumber::kTextAid.begin(), hal::mynumber::kTextAid.end()), 256));
  expect_forbidden(*rig.session, select_aid(ByteView(hal::mynumber::kTextAid).first(9)));
  expect_forbidden(*rig.session, select_aid(ByteView(hal::mynumber::kTextAid).first(5)));
  expect_forbidden(*rig.session, CommandApdu(0x00, 0xA4, 0x08, 0x0C, {0x3F, 0x00}));
  expect_forbidden(*rig.session, CommandApdu(0x00, 0xA4, 0x01, 0x0C, {0x00, 0x01}));
  expect_forbidden(*rig.session, select_aid(hal::mynumber::kJukiAid));
  expect_forbidden(*rig.session, select_aid(hal::mynumber::kCommonAid));
  // The card never saw any of these.
  CHECK(card->apdus_processed() == before);
  CHECK(card->select_attempts(hal::mynumber::kTextAid) == 0);
  CHECK(rig.session->trace().empty());
}

TEST_CASE("guard: inside the card-face AP the My Number image and 照合番号A are refused") {
  auto card = test::make_card(test::test_card_profile());
  CardRig rig(card);
  CardFaceApplication face(*rig.session);
  face.select();
  const std::size_t before = card->apdus_processed();
  expect_forbidden(*rig.session, CommandApdu(0x00, 0xA4, 0x02, 0x0C, {0x00, 0x05}));     // My Number image
  expect_forbidden(*rig.session, CommandApdu(0x00, 0xA4, 0x02, 0x0C, {0x00, 0x13}));     // 照合番号A key
  expect_forbidden(*rig.session, CommandApdu(0x00, 0xB0, 0x85, 0x00, {}, 256));          // image by SFI
  expect_forbidden(*rig.session, CommandApdu(0x00, 0x20, 0x00, 0x93, Bytes(12, '1')));  // VERIFY 照合番号A
  CHECK(card->apdus_processed() == before);
}

TEST_CASE("guard: only the commands the kiosk uses are sent") {
  CardRig rig(test::test_card_profile());
  for (int ins = 0; ins < 256; ++ins) {
    const Byte i = static_cast<Byte>(ins);
    const bool allowed = i == 0xA4 || i == 0xB0 || i == 0x20 || i == 0x84 || i == 0xC0 || i == 0xCA;
    if (allowed) continue;
    expect_forbidden(*rig.session, CommandApdu(0x00, i, 0x00, 0x00));
  }
  expect_forbidden(*rig.session, CommandApdu(0x00, 0x24, 0x01, 0x80, {'9', '9', '9', '9'}));  // CHANGE PIN
  expect_forbidden(*rig.session, CommandApdu(0x0C, 0xB0, 0x00, 0x00, {}, 16));                // secure messaging
  expect_forbidden(*rig.session, CommandApdu(0x01, 0xA4, 0x04, 0x0C, Bytes(hal::mynumber::kJpkiAid.begin(), hal::mynumber::kJpkiAid.end())));
}

TEST_CASE("guard: the JPKI and card-face flows pass, the text AP was never selected on the card") {
  auto card = test::make_card(test::test_card_profile());
  CardRig rig(card);
  JpkiApplication jpki(*rig.session);
  jpki.select();
  jpki.read_auth_certificate();
  jpki.auth_pin_status();
  CardFaceApplication face(*rig.session);
  face.select();
  face.verify_code_b(Secret(*card->profile().code_b.value));
  face.read_card_face();
  CHECK(card->select_attempts(hal::mynumber::kJpkiAid) == 1);
  CHECK(card->select_attempts(hal::mynumber::kCardFaceAid) == 1);
  CHECK(card->select_attempts(hal::mynumber::kTextAid) == 0);
}
