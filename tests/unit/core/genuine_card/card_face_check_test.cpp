// The face path's genuine-card proof on the kiosk (core/genuine_card): a genuine card opens and
// proves itself; every attack card is refused with its reason, before the camera and, where the
// record is not genuine, before 照合番号B is even asked for; old card files and next-generation
// cards are refused without spending any try.
#include <catch2/catch.hpp>

#include "core/card/card_error.hpp"
#include "core/crypto/digest.hpp"
#include "core/genuine_card/card_face_check.hpp"
#include "sim/ca/card_face_ca.hpp"
#include "tests/unit/core/card/rig.hpp"

using namespace kiosk;
using namespace kiosk::core::genuine_card;
using kiosk::test::CardRig;

namespace {

const CardFaceTrustAnchors& anchors() {
  static const CardFaceTrustAnchors a = [] {
    test::test_card_profile();  // the test CA exists and has its card-face side
    return CardFaceTrustAnchors::load(test::test_ca_directory() / CardFaceTrustAnchors::kFileName);
  }();
  return a;
}

// The scanner: hands out the card's own 照合番号B (or a wrong one), counting the scans.
struct Scanner {
  std::string digits;
  int scans = 0;
  CodeBSource source() {
    return [this] {
      ++scans;
      return core::card::Secret(digits);
    };
  }
};

int code_b_verifies(const CardRig& rig) {
  int n = 0;
  for (const auto& e : rig.session->trace()) {
    if (e.command.rfind("00 20 00 92 0E", 0) == 0) ++n;
  }
  return n;
}

Refusal refusal_of(const sim::card::CardProfile& profile, std::string* what = nullptr) {
  CardRig rig(profile);
  core::card::CodeBGuard guard;
  Scanner scanner{*profile.code_b.value};
  try {
    open_genuine_card_face(*rig.session, guard, scanner.source(), anchors());
  } catch (const CardFaceRefused& e) {
    if (what != nullptr) *what = e.what();
    return e.reason();
  }
  FAIL("the card was accepted");
  return Refusal::NoCardFaceApplication;
}

}  // namespace

TEST_CASE("genuine card: the record is proven before the camera and the card signs the service's nonce") {
  const auto profile = test::test_card_profile();
  CardRig rig(profile);
  core::card::CodeBGuard guard;
  Scanner scanner{*profile.code_b.value};
  const OpenedCardFace opened = open_genuine_card_face(*rig.session, guard, scanner.source(), anchors());
  CHECK(scanner.scans == 1);
  CHECK(opened.photo_jp2 == profile.face_photo_jp2);
  CHECK(opened.evidence.cvc == profile.card_face->certificate);
  CHECK(opened.evidence.record_signature == profile.card_face->record_signature);
  CHECK(opened.evidence.group3_sha256.size() == 32);
  CHECK(opened.evidence.photo_sha256_hex().size() == 64);
  CHECK(code_b_verifies(rig) == 1);

  // In order: generation, EF 0004, the counter (before the scan, and again right before the
  // VERIFY), VERIFY, EF 0002, GET CHALLENGE, the signature.
  const auto script = rig.script();
  REQUIRE(script.size() == 8);
  CHECK(script[0] == "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02 -> 90 00");
  CHECK(script[1] == "00 B0 84 00 00 00 00 -> 90 00");
  CHECK(script[2] == "00 20 00 92 -> 63 CA");
  CHECK(script[3] == "00 20 00 92 -> 63 CA");
  CHECK(script[4] == "00 20 00 92 0E ** ** ** ** ** ** ** ** ** ** ** ** ** ** -> 90 00");
  CHECK(script[5] == "00 B0 82 00 00 00 00 -> 90 00");
  CHECK(script[6] == "00 84 00 00 10 -> 90 00");
  CHECK(script[7].rfind("80 2A 00 00 33 30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 ", 0) == 0);

  // At confirmation, after the JPKI AP was used again.
  rig.session->transmit(core::card::CommandApdu(0x00, 0xA4, 0x04, 0x0C, Bytes(hal::mynumber::kJpkiAid.begin(), hal::mynumber::kJpkiAid.end())));
  const Bytes nonce(32, 0x4E);
  const core::eligibility::CardFaceProof proof = prove_card_face(*rig.session, opened.evidence, nonce, profile.auth.certificate);
  CHECK(proof.card_challenge.size() == 16);
  CHECK(proof.cvc == opened.evidence.cvc);
  CHECK(proof.record_group1 == opened.evidence.record_group1);
  const Bytes message = core::eligibility::card_face_signed_message(nonce, proof.card_challenge, profile.auth.certificate);
  CHECK(opened.evidence.card_key.verify_digest_info(core::crypto::sha256_digest_info(core::crypto::sha256(message)), proof.card_signature));
  CHECK(code_b_verifies(rig) == 1);  // the 券面AP key needs no 照合番号B again
}

TEST_CASE("cloned cards are refused by the kiosk, each for its reason") {
  std::string what;
  SECTION("a record under a foreign CVC root") {
    CHECK(refusal_of(test::cloned_card_profile(sim::card::CloneVariant::ForeignRoot), &what) == Refusal::IssuerUntrusted);
    CHECK_THAT(what, Catch::Contains("9000023/001, which is not a trusted J-LIS key"));
  }
  SECTION("a certificate that names the J-LIS key but is signed by another") {
    CHECK(refusal_of(test::cloned_card_profile(sim::card::CloneVariant::ForgedCertificate), &what) == Refusal::IssuerUntrusted);
    CHECK_THAT(what, Catch::Contains("names J-LIS key 7000023/001 but its signature does not verify"));
  }
  SECTION("the victim's record with another photo") {
    CHECK(refusal_of(test::cloned_card_profile(sim::card::CloneVariant::ForgedRecord), &what) == Refusal::RecordSignatureInvalid);
    CHECK_THAT(what, Catch::Contains("(DF28) does not verify"));
  }
  SECTION("the victim's record copied onto another chip") {
    CHECK(refusal_of(test::cloned_card_profile(sim::card::CloneVariant::StolenRecord), &what) == Refusal::CardKeyInvalid);
    CHECK_THAT(what, Catch::Contains("copied onto another chip"));
  }
}

TEST_CASE("an attacker's own genuine card under the victim's certificate passes the kiosk: the service binds it") {
  const auto clone = test::cloned_card_profile(sim::card::CloneVariant::OtherCard);
  CardRig rig(clone);
  core::card::CodeBGuard guard;
  Scanner scanner{*clone.code_b.value};
  const OpenedCardFace opened = open_genuine_card_face(*rig.session, guard, scanner.source(), anchors());
  CHECK(opened.photo_jp2 == test::attacker_card_profile().face_photo_jp2);
  // tests/eligibility_it/card_face_proof_test.cpp: CARD_FACE_HOLDER_MISMATCH at the service.
}

TEST_CASE("refused before 照合番号B: no certificate on an old card file, a next-generation card, no card face") {
  SECTION("an old card file") {
    auto old = test::test_card_profile();
    old.card_face.reset();
    CardRig rig(old);
    core::card::CodeBGuard guard;
    Scanner scanner{*old.code_b.value};
    try {
      open_genuine_card_face(*rig.session, guard, scanner.source(), anchors());
      FAIL("opened");
    } catch (const CardFaceRefused& e) {
      CHECK(e.reason() == Refusal::NoIssuerCertificate);
      CHECK(e.suspicious());
      CHECK_FALSE(e.try_spent());
      CHECK_THAT(e.what(), Catch::Contains("use the PIN or the staff check"));
    }
    CHECK(scanner.scans == 0);
    CHECK(code_b_verifies(rig) == 0);
  }
  SECTION("a next-generation card: no try of anything is spent") {
    const auto next = test::next_generation_card_profile();
    auto card = test::make_card(next);
    CardRig rig(card);
    core::card::CodeBGuard guard;
    Scanner scanner{"00000000000000"};
    try {
      open_genuine_card_face(*rig.session, guard, scanner.source(), anchors());
      FAIL("opened");
    } catch (const CardFaceRefused& e) {
      CHECK(e.reason() == Refusal::NextGenerationCard);
      CHECK_FALSE(e.suspicious());
      CHECK_FALSE(e.try_spent());
      CHECK_THAT(e.what(), Catch::Contains("photo cannot be opened here; use the PIN or the staff check"));
    }
    CHECK(scanner.scans == 0);
    CHECK(rig.script() == std::vector<std::string>{"00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02 -> 6A 82",
                                                   "00 A4 04 0C 0A D3 92 10 00 31 00 02 01 00 01 -> 90 00"});
    CHECK(card->profile().code_b.tries_left == card->profile().code_b.max_tries);
    CHECK(card->profile().auth.pin.tries_left == 3);
  }
  SECTION("a smartphone") {
    std::string what;
    CHECK(refusal_of(test::smartphone_profile(), &what) == Refusal::NoCardFaceApplication);
  }
}

TEST_CASE("照合番号B on the face path: the reserve is kept, a wrong one costs one try and is not retried") {
  SECTION("too few tries left: the scanner is not even asked") {
    auto profile = test::test_card_profile();
    profile.code_b.tries_left = 1;
    CardRig rig(profile);
    core::card::CodeBGuard guard;
    Scanner scanner{*profile.code_b.value};
    try {
      open_genuine_card_face(*rig.session, guard, scanner.source(), anchors());
      FAIL("opened");
    } catch (const CardFaceRefused& e) {
      CHECK(e.reason() == Refusal::CodeBRefused);
      CHECK_THAT(e.what(), Catch::Contains("only 1 照合番号B tries left"));
    }
    CHECK(scanner.scans == 0);
    CHECK(code_b_verifies(rig) == 0);
  }
  SECTION("a misread") {
    auto card = test::make_card(test::test_card_profile());
    CardRig rig(card);
    core::card::CodeBGuard guard;
    Scanner scanner{"55021720359999"};
    try {
      open_genuine_card_face(*rig.session, guard, scanner.source(), anchors());
      FAIL("opened");
    } catch (const CardFaceRefused& e) {
      CHECK(e.reason() == Refusal::CodeBWrong);
      CHECK(e.try_spent());
    }
    CHECK(card->profile().code_b.tries_left == 9);
    // A second face attempt with the same guard (same card session): refused, nothing sent.
    const std::size_t sent = rig.session->trace().size();
    try {
      open_genuine_card_face(*rig.session, guard, scanner.source(), anchors());
      FAIL("opened");
    } catch (const CardFaceRefused& e) {
      CHECK(e.reason() == Refusal::CodeBRefused);
      CHECK_THAT(e.what(), Catch::Contains("not tried again"));
    }
    CHECK(scanner.scans == 1);
    CHECK(code_b_verifies(rig) == 1);
    CHECK(card->profile().code_b.tries_left == 9);
    CHECK(rig.session->trace().size() == sent + 2);  // generation and EF 0004 again, no VERIFY
  }
}

TEST_CASE("trust anchors: a file that is not the documented one, a key the certificate does not verify with") {
  test::TempDir dir;
  CHECK_THROWS_AS(CardFaceTrustAnchors::load(dir.path() / "missing.json"), TrustAnchorError);
  CHECK_THROWS_AS(CardFaceTrustAnchors::parse("{}"), TrustAnchorError);
  CHECK_THROWS_AS(CardFaceTrustAnchors::parse(R"({"format":"kiosk-card-face-anchors","version":1,"anchors":[]})"),
                  TrustAnchorError);
  CHECK_THROWS_AS(CardFaceTrustAnchors::parse(
                      R"({"format":"kiosk-card-face-anchors","version":1,"anchors":[{"key_id":"00","public_key":"x"}]})"),
                  TrustAnchorError);
  // The J-LIS key id with another key: the genuine card's certificate no longer verifies.
  const sim::ca::RsaKey other = sim::ca::RsaKey::generate(2048);
  const auto impostor = CardFaceTrustAnchors::parse(sim::ca::card_face_anchors_json(sim::ca::make_key_id("7000023"), other));
  const auto profile = test::test_card_profile();
  CardRig rig(profile);
  core::card::CodeBGuard guard;
  Scanner scanner{*profile.code_b.value};
  try {
    open_genuine_card_face(*rig.session, guard, scanner.source(), impostor);
    FAIL("opened");
  } catch (const CardFaceRefused& e) {
    CHECK(e.reason() == Refusal::IssuerUntrusted);
  }
  CHECK(scanner.scans == 0);
}
