// The card-face proof's card commands, byte for byte (jpki-card.md §3.4, §6): the 券面AP key signs
// with 80 2A 00 00 <SHA-256 DigestInfo> 00, GET CHALLENGE is 00 84 00 00 10, EF 0004 holds the
// card-verifiable certificate; the 照合番号B counter is read before any VERIFY and a wrong one is
// never tried again; the card's generation is recognised from SELECTs alone.
#include <catch2/catch.hpp>

#include "core/card/card_error.hpp"
#include "core/card/card_face_application.hpp"
#include "core/card/card_generation.hpp"
#include "core/card/code_b_guard.hpp"
#include "core/card/cvc.hpp"
#include "core/crypto/digest.hpp"
#include "tests/support/scripted_channel.hpp"
#include "tests/unit/core/card/rig.hpp"

using namespace kiosk;
using namespace kiosk::core::card;
using kiosk::test::ScriptedChannel;

namespace {

const std::string kSelectCardFace = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02";
const std::string kSelectNextGeneration = "00 A4 04 0C 0A D3 92 10 00 31 00 02 01 00 01";
const std::string kCodeBCounter = "00 20 00 92";
const std::string kCodeB = "55021720352285";

std::string hex_of(std::string_view ascii) { return to_hex(Bytes(ascii.begin(), ascii.end())); }

// 7F21 { 5F4E (297), 5F37 (256) } with the given key ids and a modulus of 0xC1 bytes.
Bytes cvc(const std::string& authority, const std::string& holder) {
  auto id = [](const std::string& number) {
    Bytes b(number.begin(), number.end());
    b.insert(b.end(), {0x08, 0x05, '0', '0', '1', 0, 0, 0, 0});
    return b;
  };
  Bytes body = id(authority);
  const Bytes h = id(holder);
  body.insert(body.end(), h.begin(), h.end());
  body.insert(body.end(), {0x90, 0x03, 0x01, 0x00, 0x01, 0x91, 0x82, 0x01, 0x00});
  body.insert(body.end(), 256, 0xC1);
  Bytes out = from_hex("7F 21 82 02 33 5F 4E 82 01 29");
  out.insert(out.end(), body.begin(), body.end());
  out.insert(out.end(), {0x5F, 0x37, 0x82, 0x01, 0x00});
  out.insert(out.end(), 256, 0x5A);
  return out;
}

}  // namespace

TEST_CASE("card face: the 券面AP key signs a SHA-256 DigestInfo with 80 2A 00 00, no PIN") {
  const Bytes digest_info = core::crypto::sha256_digest_info(core::crypto::sha256(Bytes{'n', 'o', 'n', 'c', 'e'}));
  ScriptedChannel channel{
      {kSelectCardFace, "90 00"},
      {"80 2A 00 00 33 " + to_hex(digest_info) + " 00", to_hex(Bytes(256, 0xAB)) + " 90 00"},
  };
  CardSession session(channel);
  CardFaceApplication app(session);
  app.select();
  CHECK(app.sign(digest_info) == Bytes(256, 0xAB));
  CHECK(channel.finished());
  CHECK_THROWS_AS(app.sign(Bytes(246, 0x30)), std::invalid_argument);  // longer than a 2048-bit key signs: not sent
}

TEST_CASE("card face: a card without a 券面AP key, or a short signature, is reported") {
  ScriptedChannel channel{
      {kSelectCardFace, "90 00"},
      {"80 2A 00 00 03 30 01 00 00", "69 85"},
      {"80 2A 00 00 03 30 01 00 00", "AB AB 90 00"},
  };
  CardSession session(channel);
  CardFaceApplication app(session);
  app.select();
  try {
    app.sign(Bytes{0x30, 0x01, 0x00});
    FAIL("signed");
  } catch (const CardProtocolError& e) {
    CHECK(e.failure() == CardFailure::NotSupported);
  }
  try {
    app.sign(Bytes{0x30, 0x01, 0x00});
    FAIL("signed");
  } catch (const CardProtocolError& e) {
    CHECK(e.failure() == CardFailure::MalformedData);
  }
}

TEST_CASE("card face: GET CHALLENGE 00 84 00 00 10 gives 16 bytes") {
  ScriptedChannel channel{
      {kSelectCardFace, "90 00"},
      {"00 84 00 00 10", "00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 90 00"},
      {"00 84 00 00 10", "00 11 22 90 00"},
  };
  CardSession session(channel);
  CardFaceApplication app(session);
  app.select();
  CHECK(app.get_challenge() == from_hex("00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF"));
  CHECK_THROWS_AS(app.get_challenge(), CardProtocolError);  // fewer bytes than asked
  CHECK_THROWS_AS(app.get_challenge(0), std::invalid_argument);
}

TEST_CASE("card face: EF 0004 is read by short EF identifier and parsed as a card-verifiable certificate") {
  const Bytes ef0004 = cvc("7000023", "7131011");
  ScriptedChannel channel{
      {kSelectCardFace, "90 00"},
      {"00 B0 84 00 00 00 00", to_hex(ef0004) + " FF FF 90 00"},
  };
  CardSession session(channel);
  CardFaceApplication app(session);
  app.select();
  const Bytes raw = app.read_certificate();
  CHECK(raw == ef0004);  // without the filler
  const CardVerifiableCertificate c = parse_cvc(raw);
  CHECK(c.authority.text() == "7000023/001");
  CHECK(c.holder.text() == "7131011/001");
  CHECK(c.public_key.exponent == Bytes{0x01, 0x00, 0x01});
  CHECK(c.public_key.modulus == Bytes(256, 0xC1));
  CHECK(c.body.size() == 297);
  CHECK(c.signature == Bytes(256, 0x5A));
}

TEST_CASE("card-verifiable certificates that are not shaped like the card's are rejected") {
  const Bytes good = cvc("7000023", "7131011");
  CHECK_NOTHROW(parse_cvc(good));
  Bytes other_tag = good;
  other_tag[1] = 0x4E;
  CHECK_THROWS_AS(parse_cvc(other_tag), CardProtocolError);
  CHECK_THROWS_AS(parse_cvc(Bytes(good.begin(), good.begin() + 300)), CardProtocolError);  // truncated
  CHECK_THROWS_AS(parse_cvc(cvc("70000X3", "7131011")), CardProtocolError);  // not digits
  CHECK_THROWS_AS(parse_cvc(from_hex("7F 21 05 5F 4E 02 00 00")), CardProtocolError);  // body too short, no signature
  CHECK_THROWS_AS(parse_cvc({}), CardProtocolError);
  CHECK_THROWS_AS(parse_rsa_key_components(from_hex("90 03 01 00 01")), CardProtocolError);  // no modulus
}

TEST_CASE("照合番号B guard: the counter is read first and the last try is kept") {
  ScriptedChannel channel{
      {kSelectCardFace, "90 00"},
      {kCodeBCounter, "63 C1"},
  };
  CardSession session(channel);
  CardFaceApplication app(session);
  app.select();
  CodeBGuard guard;  // reserve 1
  const CodeBOutcome o = guard.verify(app, Secret(kCodeB));
  CHECK(o.status == CodeBStatus::TooFewTriesLeft);
  CHECK(o.tries_left == 1);
  CHECK_FALSE(o.try_spent);
  CHECK_THAT(o.message, Catch::Contains("1 照合番号B tries left"));
  CHECK(channel.finished());  // no VERIFY with the digits
}

TEST_CASE("照合番号B guard: one VERIFY, and a wrong 照合番号B is never presented again") {
  ScriptedChannel channel{
      {kSelectCardFace, "90 00"},
      {kCodeBCounter, "63 C3"},
      {"00 20 00 92 0E " + hex_of(kCodeB), "63 C2"},
  };
  CardSession session(channel);
  CardFaceApplication app(session);
  app.select();
  CodeBGuard guard;
  const CodeBOutcome wrong = guard.verify(app, Secret(kCodeB));
  CHECK(wrong.status == CodeBStatus::Wrong);
  CHECK(wrong.tries_left == 2);
  CHECK(wrong.try_spent);
  CHECK(guard.wrong_presented());
  // Asked again (a second face attempt, a re-scan): refused before anything is sent.
  const CodeBOutcome again = guard.verify(app, Secret(kCodeB));
  CHECK(again.status == CodeBStatus::WrongBefore);
  CHECK_FALSE(again.try_spent);
  CHECK(guard.readiness(app).status == CodeBStatus::WrongBefore);
  CHECK(channel.finished());
  // The VERIFY is redacted in the trace.
  CHECK(session.trace().at(2).command == "00 20 00 92 0E ** ** ** ** ** ** ** ** ** ** ** ** ** **");
}

TEST_CASE("照合番号B guard: verified, blocked, not set, reserve 0, bad input") {
  SECTION("verified after the counter") {
    ScriptedChannel channel{{kSelectCardFace, "90 00"}, {kCodeBCounter, "63 CA"}, {"00 20 00 92 0E " + hex_of(kCodeB), "90 00"}};
    CardSession session(channel);
    CardFaceApplication app(session);
    app.select();
    CHECK(CodeBGuard().verify(app, Secret(kCodeB)).status == CodeBStatus::Verified);
    CHECK(channel.finished());
  }
  SECTION("blocked: refused without a VERIFY") {
    ScriptedChannel channel{{kSelectCardFace, "90 00"}, {kCodeBCounter, "63 C0"}};
    CardSession session(channel);
    CardFaceApplication app(session);
    app.select();
    const CodeBOutcome o = CodeBGuard().verify(app, Secret(kCodeB));
    CHECK(o.status == CodeBStatus::Blocked);
    CHECK_THAT(o.message, Catch::Contains("municipal office"));
  }
  SECTION("no 照合番号B on the card") {
    ScriptedChannel channel{{kSelectCardFace, "90 00"}, {kCodeBCounter, "69 84"}};
    CardSession session(channel);
    CardFaceApplication app(session);
    app.select();
    CHECK(CodeBGuard().verify(app, Secret(kCodeB)).status == CodeBStatus::NotSet);
  }
  SECTION("reserve 0 presents the last try; reserve 2 keeps two") {
    ScriptedChannel channel{{kSelectCardFace, "90 00"}, {kCodeBCounter, "63 C1"}, {"00 20 00 92 0E " + hex_of(kCodeB), "63 C0"},
                            {kCodeBCounter, "63 C2"}};
    CardSession session(channel);
    CardFaceApplication app(session);
    app.select();
    const CodeBOutcome last = CodeBGuard(CodeBPolicy{0}).verify(app, Secret(kCodeB));
    CHECK(last.status == CodeBStatus::Wrong);
    CHECK(last.tries_left == 0);
    CHECK_THAT(last.message, Catch::Contains("blocked"));
    CHECK(CodeBGuard(CodeBPolicy{2}).readiness(app).status == CodeBStatus::TooFewTriesLeft);
    CHECK(channel.finished());
  }
  SECTION("not 14 digits: nothing is sent") {
    ScriptedChannel channel{{kSelectCardFace, "90 00"}};
    CardSession session(channel);
    CardFaceApplication app(session);
    app.select();
    CHECK_THROWS_AS(CodeBGuard().verify(app, Secret("1234")), std::invalid_argument);
    CHECK_THROWS_AS(CodeBGuard(CodeBPolicy{-1}), std::invalid_argument);
    CHECK(channel.finished());
  }
}

TEST_CASE("card generation: from the applications the card answers, with SELECTs only") {
  SECTION("today's card") {
    ScriptedChannel channel{{kSelectCardFace, "90 00"}};
    CardSession session(channel);
    CHECK(detect_card_generation(session) == CardGeneration::Current);
    CHECK(session.current_application() == Application::CardFace);
  }
  SECTION("a next-generation card: nothing but SELECT is ever sent inside its 券面等AP") {
    ScriptedChannel channel{{kSelectCardFace, "6A 82"}, {kSelectNextGeneration, "90 00"}};
    CardSession session(channel);
    CHECK(detect_card_generation(session) == CardGeneration::Next);
    CHECK(session.current_application() == Application::NextGenerationCardFace);
    try {
      session.transmit(CommandApdu(0x00, 0x20, 0x00, 0x92));
      FAIL("sent a VERIFY inside the next-generation card's application");
    } catch (const CardProtocolError& e) {
      CHECK(e.failure() == CardFailure::Forbidden);
    }
    CHECK(channel.finished());
  }
  SECTION("neither: a smartphone") {
    ScriptedChannel channel{{kSelectCardFace, "6A 82"}, {kSelectNextGeneration, "6A 82"}};
    CardSession session(channel);
    CHECK(detect_card_generation(session) == CardGeneration::NoCardFace);
  }
  SECTION("an odd answer is an error, not a generation") {
    ScriptedChannel channel{{kSelectCardFace, "6F 00"}};
    CardSession session(channel);
    CHECK_THROWS_AS(detect_card_generation(session), CardProtocolError);
  }
}

TEST_CASE("card face: the emulated card's record carries DF24 and DF28, its key signs and EF 0004 parses") {
  const auto profile = test::test_card_profile();
  test::CardRig rig(profile);
  CardFaceApplication face(*rig.session);
  face.select();
  const Bytes ef0004 = face.read_certificate();
  const CardVerifiableCertificate c = parse_cvc(ef0004);
  CHECK(c.authority.text() == "7000023/001");
  CHECK(c.holder.text() == "7131011/001");
  REQUIRE(face.verify_code_b(Secret(*profile.code_b.value)).outcome == VerifyOutcome::Verified);
  const CardFace record = face.read_card_face();
  CHECK(record.card_key.size() == 5 + 4 + 256);
  CHECK(record.record_signature.size() == 256);
  CHECK(record.signed_groups[0].size() == 11 + 4 + 270);  // DF22 (8), DF23 (1), DF24 (265) with their headers
  CHECK(record.signed_groups[2].size() > record.photo_jp2.size());
  const Bytes challenge = face.get_challenge();
  CHECK(challenge.size() == 16);
  CHECK(face.sign(core::crypto::sha256_digest_info(core::crypto::sha256(challenge))).size() == 256);
  const auto script = rig.script();
  CHECK(script.at(1) == "00 B0 84 00 00 00 00 -> 90 00");
  CHECK(script.at(script.size() - 2) == "00 84 00 00 10 -> 90 00");
  CHECK(script.back().rfind("80 2A 00 00 33 30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 ", 0) == 0);
}
