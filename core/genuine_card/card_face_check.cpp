#include "core/genuine_card/card_face_check.hpp"

#include <algorithm>
#include <string_view>

#include "core/card/card_error.hpp"
#include "core/card/card_generation.hpp"
#include "core/card/secret.hpp"
#include "core/crypto/digest.hpp"

namespace kiosk::core::genuine_card {
namespace {

constexpr int kRsaBits = 2048;

[[noreturn]] void refuse(Refusal r, const std::string& what, bool try_spent = false) {
  throw CardFaceRefused(r, what, try_spent);
}

crypto::RsaPublicKey key_of(const card::RsaKeyComponents& c, Refusal if_bad, const std::string& whose) {
  try {
    crypto::RsaPublicKey key = crypto::RsaPublicKey::from_components(c.modulus, c.exponent);
    if (key.bits() != kRsaBits) refuse(if_bad, whose + " is not an RSA-2048 key (" + std::to_string(key.bits()) + " bits)");
    return key;
  } catch (const crypto::CryptoError& e) {
    refuse(if_bad, whose + " is not a usable RSA key: " + e.what());
  }
}

std::string lower_hex(ByteView b) {
  std::string h = to_hex(b, '\0');
  std::transform(h.begin(), h.end(), h.begin(), [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; });
  return h;
}

// The card signs SHA-256 DigestInfo(message) with its 券面AP key; true when `key` verifies it.
bool card_signs_with(card::CardFaceApplication& app, const crypto::RsaPublicKey& key, ByteView message, Bytes* signature_out) {
  const Bytes digest_info = crypto::sha256_digest_info(crypto::sha256(message));
  Bytes signature = app.sign(digest_info);
  const bool ok = key.verify_digest_info(digest_info, signature);
  if (signature_out != nullptr) *signature_out = std::move(signature);
  return ok;
}

}  // namespace

const char* to_string(Refusal r) {
  switch (r) {
    case Refusal::NextGenerationCard: return "next-generation-card";
    case Refusal::NoCardFaceApplication: return "no-card-face-application";
    case Refusal::CodeBRefused: return "code-b-refused";
    case Refusal::CodeBWrong: return "code-b-wrong";
    case Refusal::NoIssuerCertificate: return "no-issuer-certificate";
    case Refusal::IssuerUntrusted: return "issuer-untrusted";
    case Refusal::RecordIncomplete: return "record-incomplete";
    case Refusal::RecordSignatureInvalid: return "record-signature-invalid";
    case Refusal::CardKeyInvalid: return "card-key-invalid";
  }
  return "?";
}

bool CardFaceRefused::suspicious() const noexcept {
  switch (reason_) {
    case Refusal::NoIssuerCertificate:
    case Refusal::IssuerUntrusted:
    case Refusal::RecordIncomplete:
    case Refusal::RecordSignatureInvalid:
    case Refusal::CardKeyInvalid:
      return true;
    default:
      return false;
  }
}

CardFaceEvidence::CardFaceEvidence(Bytes cvc_, Bytes group1, Bytes group2_hash, Bytes group3_hash, Bytes signature,
                                   crypto::RsaPublicKey key)
    : cvc(std::move(cvc_)),
      record_group1(std::move(group1)),
      group2_sha256(std::move(group2_hash)),
      group3_sha256(std::move(group3_hash)),
      record_signature(std::move(signature)),
      card_key(std::move(key)) {}

CardFaceEvidence::~CardFaceEvidence() { card::secure_wipe(record_group1.data(), record_group1.size()); }

std::string CardFaceEvidence::photo_sha256_hex() const { return lower_hex(group3_sha256); }

OpenedCardFace::~OpenedCardFace() { card::secure_wipe(photo_jp2.data(), photo_jp2.size()); }

crypto::RsaPublicKey verify_cvc(const card::CardVerifiableCertificate& cvc, const CardFaceTrustAnchors& anchors) {
  const std::optional<crypto::RsaPublicKey> anchor = anchors.find(cvc.authority);
  if (!anchor) {
    refuse(Refusal::IssuerUntrusted, "the card-face certificate was issued by key " + cvc.authority.text() +
                                         ", which is not a trusted J-LIS key");
  }
  if (!anchor->verify_sha256(cvc.body, cvc.signature)) {
    refuse(Refusal::IssuerUntrusted, "the card-face certificate names J-LIS key " + cvc.authority.text() +
                                         " but its signature does not verify with that key");
  }
  return key_of(cvc.public_key, Refusal::IssuerUntrusted, "the certified issuer key " + cvc.holder.text());
}

crypto::RsaPublicKey verify_issuer_chain(const card::CardVerifiableCertificate& cvc, const card::CardFace& record,
                                         const CardFaceTrustAnchors& anchors) {
  const crypto::RsaPublicKey issuer = verify_cvc(cvc, anchors);
  if (record.card_key.empty()) refuse(Refusal::RecordIncomplete, "the card-face record carries no card key (DF24)");
  if (record.record_signature.empty()) refuse(Refusal::RecordIncomplete, "the card-face record carries no signature (DF28)");
  Bytes hashes;
  for (const Bytes& group : record.signed_groups) {
    const Bytes h = crypto::sha256(group);
    hashes.insert(hashes.end(), h.begin(), h.end());
  }
  if (!issuer.verify_digest_info(crypto::sha256_digest_info_of_hashes(hashes), record.record_signature)) {
    refuse(Refusal::RecordSignatureInvalid, "the card-face record's signature (DF28) does not verify with the issuer key " +
                                                cvc.holder.text() + ": the record was altered or signed by another key");
  }
  card::RsaKeyComponents components;
  try {
    components = card::parse_rsa_key_components(record.card_key);
  } catch (const card::CardProtocolError& e) {
    refuse(Refusal::RecordIncomplete, std::string("the card key (DF24) is malformed: ") + e.what());
  }
  return key_of(components, Refusal::RecordIncomplete, "the card key (DF24)");
}

OpenedCardFace open_genuine_card_face(card::CardSession& session, card::CodeBGuard& guard, const CodeBSource& read_code_b,
                                      const CardFaceTrustAnchors& anchors) {
  // 1. The generation, from the applications the card answers to.
  switch (card::detect_card_generation(session)) {
    case card::CardGeneration::Current:
      break;
    case card::CardGeneration::Next:
      refuse(Refusal::NextGenerationCard,
             "a next-generation My Number card: its photo cannot be opened here; use the PIN or the staff check");
    case card::CardGeneration::NoCardFace:
      refuse(Refusal::NoCardFaceApplication, "the card has no card-face application: use the PIN or the staff check");
  }
  card::CardFaceApplication app(session);

  // 2. The issuer certificate, before any key is presented.
  card::CardVerifiableCertificate cvc;
  Bytes cvc_raw;
  try {
    cvc_raw = app.read_certificate();
    cvc = card::parse_cvc(cvc_raw);
  } catch (const card::CardProtocolError& e) {
    if (e.failure() == card::CardFailure::FileNotFound) {
      refuse(Refusal::NoIssuerCertificate,
             "the card has no card-face certificate (EF 0004): it cannot be proven genuine; use the PIN or the staff check");
    }
    if (e.failure() != card::CardFailure::MalformedData) throw;
    refuse(Refusal::IssuerUntrusted, std::string("the card-face certificate is malformed: ") + e.what());
  }
  verify_cvc(cvc, anchors);

  // 3, 4. 照合番号B: the counter, the scanner, one VERIFY.
  const card::CodeBOutcome ready = guard.readiness(app);
  if (ready.status != card::CodeBStatus::Ready) refuse(Refusal::CodeBRefused, ready.message);
  card::Secret code_b = read_code_b();
  const card::CodeBOutcome verified = guard.verify(app, code_b);
  code_b.clear();
  if (verified.status == card::CodeBStatus::Wrong) refuse(Refusal::CodeBWrong, verified.message, true);
  if (verified.status != card::CodeBStatus::Verified) refuse(Refusal::CodeBRefused, verified.message);

  // 5. The record and its issuer signature.
  card::CardFace record = app.read_card_face();
  const crypto::RsaPublicKey card_key = verify_issuer_chain(cvc, record, anchors);

  // 6. The chip holds the record's key: it signs a random the kiosk chose (and the card's own).
  const Bytes card_challenge = app.get_challenge(eligibility::kCardChallengeLength);
  constexpr std::string_view kLocalDomain = "kiosk-card-face-local/1";
  Bytes message(kLocalDomain.begin(), kLocalDomain.end());
  message.push_back(0x00);
  const Bytes kiosk_random = crypto::random_bytes(32);
  message.insert(message.end(), kiosk_random.begin(), kiosk_random.end());
  message.insert(message.end(), card_challenge.begin(), card_challenge.end());
  if (!card_signs_with(app, card_key, message, nullptr)) {
    refuse(Refusal::CardKeyInvalid,
           "the card does not hold the key of its card-face record (DF24): the record was copied onto another chip");
  }

  CardFaceEvidence evidence(std::move(cvc_raw), record.signed_groups[0], crypto::sha256(record.signed_groups[1]),
                            crypto::sha256(record.signed_groups[2]), record.record_signature, card_key);
  return OpenedCardFace(std::move(record.photo_jp2), std::move(evidence));
}

eligibility::CardFaceProof prove_card_face(card::CardSession& session, const CardFaceEvidence& evidence, ByteView nonce,
                                           ByteView certificate_der) {
  card::CardFaceApplication app(session);
  app.select();
  eligibility::CardFaceProof proof;
  proof.card_challenge = app.get_challenge(eligibility::kCardChallengeLength);
  const Bytes message = eligibility::card_face_signed_message(nonce, proof.card_challenge, certificate_der);
  if (!card_signs_with(app, evidence.card_key, message, &proof.card_signature)) {
    refuse(Refusal::CardKeyInvalid, "the card no longer signs with the key of its card-face record: was it exchanged?");
  }
  proof.cvc = evidence.cvc;
  proof.record_group1 = evidence.record_group1;
  proof.group2_sha256 = evidence.group2_sha256;
  proof.group3_sha256 = evidence.group3_sha256;
  proof.record_signature = evidence.record_signature;
  return proof;
}

}  // namespace kiosk::core::genuine_card
