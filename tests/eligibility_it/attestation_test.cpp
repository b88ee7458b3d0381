// Face and visual-check confirmations (no JPKI signature): the terminal signs an attestation
// with its TLS key; the service checks it against the certificate of the TLS connection. A face
// confirmation also carries the card's genuine-card proof (card_face_proof_test.cpp).
#include <catch2/catch.hpp>

#include "drivers/https/terminal_key_signer.hpp"
#include "sim/eligibility/service_pki.hpp"
#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;
using namespace std::chrono_literals;

TEST_CASE("face and visual attestations are verified against the terminal's TLS certificate") {
  const auto face_card = test::face_only_card_profile();  // PIN-less: face or visual check only
  World world({{"hanako", face_card}});
  auto transport = world.transport();
  RealClock clock;
  EligibilityClient client(*transport, clock, quick_options());
  auto signer = drivers::https::TerminalKeySigner::from_pem_file(world.pki().terminal_key);
  const Bytes& certificate = face_card.auth.certificate;
  CardFaceAtReader card(face_card, true);
  auto match = [&](double score, Liveness liveness) {
    FaceMatchEvidence e = card.face_match(score);
    e.liveness = liveness;
    e.model = "m";
    return e;
  };

  SECTION("a face match with liveness") {
    const Confirmation c = client.confirm_by_face(certificate, card.face_match(0.81), signer, card.prover());
    REQUIRE(c.result);
    CHECK(c.method == ConfirmationMethod::Face);
    CHECK(c.result->body.qualification_validity == QualificationValidity::Valid);
    const auto audit = world.service().audit_tail(1).at(0);
    CHECK(audit.method == "face");
    CHECK_THAT(audit.detail, Catch::Contains("face score 0.81"));
    CHECK_THAT(audit.detail, Catch::Contains("liveness passed"));
  }

  SECTION("a failed liveness check is rejected") {
    const EligibilityError e =
        error_of([&] { client.confirm_by_face(certificate, match(0.9, Liveness::Failed), signer, card.prover()); });
    CHECK(e.code() == "ATTESTATION_REJECTED");
    CHECK(e.http_status() == 403);
    CHECK_THAT(e.display_message(), Catch::Contains("暗証番号"));
  }

  SECTION("a score below the threshold is rejected") {
    CHECK(error_of([&] { client.confirm_by_face(certificate, match(0.41, Liveness::Passed), signer, card.prover()); }).code() ==
          "ATTESTATION_REJECTED");
  }

  SECTION("a staff visual check") {
    const Confirmation c = client.confirm_by_visual_check(certificate, {"staff-007", "face-failed-pin-forgotten"}, signer);
    CHECK(c.method == ConfirmationMethod::Visual);
    CHECK(c.result->body.qualification_validity == QualificationValidity::Valid);
    CHECK_THAT(world.service().audit_tail(1).at(0).detail, Catch::Contains("staff-007"));
  }

  SECTION("an attestation signed by another key is invalid") {
    const auto now = std::chrono::system_clock::now();
    const auto rogue = sim::eligibility::ServicePki::create(world.dir() / "rogue", now, "rogue-ca", "Rogue");
    const auto files = rogue.issue_terminal(world.dir() / "rogue", "t", "1312345678", "x", "", now - 1h, now + 24h);
    auto other_key = drivers::https::TerminalKeySigner::from_pem_file(files.key);
    const EligibilityError e =
        error_of([&] { client.confirm_by_face(certificate, match(0.9, Liveness::Passed), other_key, card.prover()); });
    CHECK(e.code() == "ATTESTATION_INVALID");
    CHECK(e.http_status() == 401);
  }

  SECTION("an attestation made for another challenge is invalid") {
    const auto old_challenge = client.issue_challenge();
    const Bytes statement = make_attestation_statement(FaceMatchEvidence{0.9, 0.6, Liveness::Passed, "m", {}}, old_challenge.nonce,
                                                       certificate, std::chrono::floor<std::chrono::seconds>(clock.now()));
    const auto challenge = client.issue_challenge();
    codec::ConfirmRequest r;
    r.method = ConfirmationMethod::Face;
    r.card_certificate = certificate;
    r.nonce = challenge.nonce;
    r.attestation = codec::Attestation{statement, signer.sign(statement)};
    const EligibilityError e = error_of([&] { client.confirm(r); });
    CHECK(e.code() == "ATTESTATION_INVALID");
    CHECK_THAT(e.detail(), Catch::Contains("another method, challenge or card"));
  }
}
