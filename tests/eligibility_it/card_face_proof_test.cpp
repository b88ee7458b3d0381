// The genuine-card proof of face confirmations (docs/genuine-card.md): the service refuses a face
// confirmation whose card cannot prove that its card-face record comes from J-LIS and that the chip
// holding it is the card the certificate belongs to. The proofs come from simulated cards read as an
// altered kiosk would (no local check), so each refusal is the service's own.
#include <catch2/catch.hpp>

#include "drivers/https/terminal_key_signer.hpp"
#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;

namespace {

struct FaceRig {
  explicit FaceRig(sim::eligibility::ServiceOptions tweaks = {})
      : world({{"taro", test::test_card_profile()}}, {}, std::move(tweaks)),
        transport(world.transport()),
        client(*transport, clock, quick_options()),
        signer(drivers::https::TerminalKeySigner::from_pem_file(world.pki().terminal_key)) {}

  Confirmation confirm(CardFaceAtReader& card) {
    return client.confirm_by_face(card.certificate(), card.face_match(), signer, card.prover());
  }
  EligibilityError refusal(CardFaceAtReader& card) {
    return error_of([&] { confirm(card); });
  }

  World world;
  std::unique_ptr<drivers::https::HttpsClientTransport> transport;
  RealClock clock;
  EligibilityClient client;
  drivers::https::TerminalKeySigner signer;
};

}  // namespace

TEST_CASE("a genuine card's face confirmation passes with its proof, audited") {
  FaceRig rig;
  CardFaceAtReader card(test::test_card_profile(), true);  // the kiosk's own checks pass too
  const Confirmation c = rig.confirm(card);
  REQUIRE(c.result);
  CHECK(c.method == ConfirmationMethod::Face);
  CHECK(c.result->body.qualification_validity == QualificationValidity::Valid);
  const auto audit = rig.world.service().audit_tail(1).at(0);
  CHECK(audit.outcome == "ok");
  CHECK_THAT(audit.detail, Catch::Contains("card-face proof: issuer 7131011"));
}

TEST_CASE("a face confirmation without a genuine-card proof is refused") {
  FaceRig rig;
  CardFaceAtReader card(test::test_card_profile(), false);
  const auto challenge = rig.client.issue_challenge();
  codec::ConfirmRequest r;
  r.method = ConfirmationMethod::Face;
  r.card_certificate = card.certificate();
  r.nonce = challenge.nonce;
  r.attestation = codec::Attestation{};
  r.attestation->statement = make_attestation_statement(card.face_match(), challenge.nonce, card.certificate(),
                                                        std::chrono::floor<std::chrono::seconds>(rig.clock.now()));
  r.attestation->signature = rig.signer.sign(r.attestation->statement);
  const EligibilityError e = error_of([&] { rig.client.confirm(r); });
  CHECK(e.code() == "CARD_FACE_PROOF_MISSING");
  CHECK(e.http_status() == 403);
  CHECK_FALSE(e.retryable());
  CHECK_FALSE(e.counter_fallback());
  CHECK_THAT(e.display_message(), Catch::Contains("暗証番号"));
  CHECK(rig.world.service().audit_tail(1).at(0).code == "CARD_FACE_PROOF_MISSING");
}

TEST_CASE("cloned cards are refused by the service, each for its reason") {
  FaceRig rig;
  struct Case {
    sim::card::CloneVariant variant;
    bool same_holder_data;
    const char* code;
    const char* detail;
  };
  const Case cases[] = {
      {sim::card::CloneVariant::ForeignRoot, false, "CARD_FACE_ISSUER_UNTRUSTED", "is not a J-LIS anchor"},
      {sim::card::CloneVariant::ForgedCertificate, false, "CARD_FACE_ISSUER_UNTRUSTED", "signature does not verify"},
      {sim::card::CloneVariant::ForgedRecord, false, "CARD_FACE_RECORD_INVALID", "(DF28) does not verify"},
      {sim::card::CloneVariant::StolenRecord, false, "CARD_FACE_KEY_INVALID", "a copied record"},
      {sim::card::CloneVariant::OtherCard, false, "CARD_FACE_HOLDER_MISMATCH", "birth date"},
      {sim::card::CloneVariant::OtherCard, true, "CARD_FACE_HOLDER_MISMATCH", "not the one issued with this certificate's card"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(sim::card::to_string(c.variant) << (c.same_holder_data ? " (same birth date and sex)" : "")) {
      CardFaceAtReader clone(test::cloned_card_profile(c.variant, c.same_holder_data), false);
      REQUIRE(clone.certificate() == test::test_card_profile().auth.certificate);  // the victim's
      const EligibilityError e = rig.refusal(clone);
      CHECK(e.code() == c.code);
      CHECK(e.http_status() == 403);
      CHECK_FALSE(e.retryable());
      CHECK_THAT(e.detail(), Catch::Contains(c.detail));
      CHECK_THAT(e.display_message(), Catch::Contains("受付窓口"));
      const auto audit = rig.world.service().audit_tail(1).at(0);
      CHECK(audit.method == "face");
      CHECK(audit.code == c.code);
    }
  }
}

TEST_CASE("a genuine proof is bound to its nonce, its certificate and the attested photo") {
  FaceRig rig;
  CardFaceAtReader card(test::test_card_profile(), false);

  SECTION("a proof made for an earlier nonce does not verify") {
    const auto old = rig.client.issue_challenge();
    const CardFaceProof stale = card.prove(old.nonce);
    const EligibilityError e = error_of([&] {
      rig.client.confirm_by_face(card.certificate(), card.face_match(), rig.signer, [&](ByteView) { return stale; });
    });
    CHECK(e.code() == "CARD_FACE_KEY_INVALID");
  }
  SECTION("a face matched against another photo") {
    FaceMatchEvidence other = card.face_match();
    other.card_photo_sha256 = std::string(64, '0');
    const EligibilityError e = error_of([&] { rig.client.confirm_by_face(card.certificate(), other, rig.signer, card.prover()); });
    CHECK(e.code() == "ATTESTATION_INVALID");
    CHECK_THAT(e.detail(), Catch::Contains("another photo"));
  }
  SECTION("an altered record group") {
    const EligibilityError e = error_of([&] {
      rig.client.confirm_by_face(card.certificate(), card.face_match(), rig.signer, [&](ByteView nonce) {
        CardFaceProof p = card.prove(nonce);
        p.group2_sha256[0] ^= 0x01;
        return p;
      });
    });
    CHECK(e.code() == "CARD_FACE_RECORD_INVALID");
  }
}

TEST_CASE("a service without the J-LIS anchor refuses every face confirmation") {
  sim::eligibility::ServiceOptions no_anchor;
  no_anchor.card_face_anchors = std::filesystem::path();  // World: an empty path means none
  FaceRig rig(no_anchor);
  CardFaceAtReader card(test::test_card_profile(), true);
  const EligibilityError e = rig.refusal(card);
  CHECK(e.code() == "CARD_FACE_ISSUER_UNTRUSTED");
  CHECK_THAT(e.detail(), Catch::Contains("none configured"));
}
