// The face path's genuine-card proof, as one call before the camera and one at confirmation
// (docs/genuine-card.md). The reception runner calls, for a face attempt:
//
//   OpenedCardFace card = open_genuine_card_face(session, code_b_guard, read_code_b, anchors);
//   ... face pipeline against card.photo_jp2; evidence.card_photo_sha256 = card.evidence.photo_sha256_hex() ...
//   client.confirm_by_face(cert, evidence, terminal,
//                          [&](ByteView nonce) { return prove_card_face(session, card.evidence, nonce, cert); });
//
// open_genuine_card_face, in order (each refusal is a CardFaceRefused saying why and whether a
// 照合番号B try was spent; card and reader errors pass through unchanged):
//   1. which card generation (SELECTs only): a next-generation card's photo cannot be opened here;
//   2. EF 0004, the card-verifiable certificate, readable without a key: its issuer (証明者鍵ID)
//      must be a configured J-LIS anchor and its signature must verify with that key;
//   3. the 照合番号B retry counter (no try), refused within the reserve, after a wrong one, or
//      when blocked; only then is read_code_b() (the card-surface scanner) called;
//   4. one VERIFY of 照合番号B (card::CodeBGuard); a wrong one is never retried;
//   5. EF 0002, the card-face record: DF28 must verify with the certificate's key over the
//      SHA-256 DigestInfo of the three signed groups;
//   6. GET CHALLENGE, then the card's 券面AP key (DF24) signs a kiosk-chosen random with it
//      (80 2A 00 00): the chip holds the record's key.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "core/card/card_face_application.hpp"
#include "core/card/code_b_guard.hpp"
#include "core/card/cvc.hpp"
#include "core/crypto/rsa_public_key.hpp"
#include "core/eligibility/card_face_proof.hpp"
#include "core/genuine_card/trust_anchors.hpp"

namespace kiosk::core::genuine_card {

enum class Refusal {
  NextGenerationCard,      // its photo application is not known here: PIN or staff check
  NoCardFaceApplication,   // no 券面事項確認AP (not a current My Number card)
  CodeBRefused,            // 照合番号B not presented: too few tries left, blocked, or wrong before
  CodeBWrong,              // 照合番号B did not match (one try spent, never retried)
  NoIssuerCertificate,     // no EF 0004: a card issued without one (an old simulated card file) or a copy
  IssuerUntrusted,         // EF 0004 not issued by a configured J-LIS key, or malformed
  RecordIncomplete,        // the record lacks the card's key (DF24) or the signature (DF28)
  RecordSignatureInvalid,  // DF28 does not verify: the record was altered or signed by another key
  CardKeyInvalid,          // the chip does not hold the private key of DF24: a copy of the record
};
// "next-generation-card", "issuer-untrusted", ... (journal outcomes).
const char* to_string(Refusal r);

class CardFaceRefused : public std::runtime_error {
 public:
  CardFaceRefused(Refusal reason, const std::string& what, bool try_spent = false)
      : std::runtime_error(what), reason_(reason), try_spent_(try_spent) {}
  Refusal reason() const noexcept { return reason_; }
  // A 照合番号B try was spent on the card (only CodeBWrong).
  bool try_spent() const noexcept { return try_spent_; }
  // Whether the card may not be genuine (as opposed to a card the kiosk cannot open).
  bool suspicious() const noexcept;

 private:
  Refusal reason_;
  bool try_spent_;
};

// What was proven about the card before the camera, kept for the confirmation: no photo, no
// 照合番号B. The record's group 1 holds the birth date and sex (personal data): wiped.
struct CardFaceEvidence {
  Bytes cvc;
  Bytes record_group1;
  Bytes group2_sha256;
  Bytes group3_sha256;
  Bytes record_signature;
  crypto::RsaPublicKey card_key;  // DF24

  ~CardFaceEvidence();
  CardFaceEvidence(Bytes cvc_, Bytes group1, Bytes group2_hash, Bytes group3_hash, Bytes signature, crypto::RsaPublicKey key);
  CardFaceEvidence(CardFaceEvidence&&) noexcept = default;
  CardFaceEvidence& operator=(CardFaceEvidence&&) noexcept = default;
  CardFaceEvidence(const CardFaceEvidence&) = default;
  CardFaceEvidence& operator=(const CardFaceEvidence&) = default;

  // Lower-case hex of group3_sha256, for the face attestation (FaceMatchEvidence::card_photo_sha256).
  std::string photo_sha256_hex() const;
};

struct OpenedCardFace {
  Bytes photo_jp2;  // the card photo (wiped on destruction)
  CardFaceEvidence evidence;

  ~OpenedCardFace();
  OpenedCardFace(Bytes photo, CardFaceEvidence e) : photo_jp2(std::move(photo)), evidence(std::move(e)) {}
  OpenedCardFace(OpenedCardFace&&) noexcept = default;
  OpenedCardFace& operator=(OpenedCardFace&&) noexcept = default;
};

// Asks the card-surface scanner for 照合番号B (called at most once, only when it may be presented).
using CodeBSource = std::function<card::Secret()>;

// The record and certificate checks alone (steps 2 and 5): the issuer key certified by an anchor
// and the record's signature. Returns the card's key (DF24). Throws CardFaceRefused.
crypto::RsaPublicKey verify_issuer_chain(const card::CardVerifiableCertificate& cvc, const card::CardFace& record,
                                         const CardFaceTrustAnchors& anchors);
// The issuer key EF 0004 certifies, when its 証明者鍵ID is an anchor and its signature verifies.
crypto::RsaPublicKey verify_cvc(const card::CardVerifiableCertificate& cvc, const CardFaceTrustAnchors& anchors);

OpenedCardFace open_genuine_card_face(card::CardSession& session, card::CodeBGuard& guard, const CodeBSource& read_code_b,
                                      const CardFaceTrustAnchors& anchors);

// At confirmation, for the service's nonce: selects the card-face application, GET CHALLENGE,
// the card's key signs eligibility::card_face_signed_message(nonce, challenge, certificate) and the
// signature is checked with DF24 before it is sent. Throws CardFaceRefused(CardKeyInvalid) when
// the card does not sign with that key (another card was placed?), card errors otherwise.
eligibility::CardFaceProof prove_card_face(card::CardSession& session, const CardFaceEvidence& evidence, ByteView nonce,
                                           ByteView certificate_der);

}  // namespace kiosk::core::genuine_card
