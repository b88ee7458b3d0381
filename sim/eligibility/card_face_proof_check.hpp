// The service's own check of a face confirmation's genuine-card proof (docs/genuine-card.md,
// docs/eligibility-protocol.md §4a), independent of the kiosk's code (sim/ uses no core/):
//   1. the card-verifiable certificate (EF 0004) names a J-LIS anchor key and verifies with it;
//   2. the record's signature DF28 verifies with the certified issuer key over the SHA-256
//      DigestInfo of SHA-256(group 1) | group-2 hash | group-3 hash;
//   3. the card key in group 1 (DF24) verifies the card's signature over the service's nonce;
//   4. the terminal attested a face match against that photo (group-3 hash);
//   5. the record belongs to the certificate's holder: the birth date (and sex, where both are
//      known) of the person the service links the certificate to, and the card key the service
//      registered for that card at issue (when the fixture's card file names one).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hal/bytes.hpp"
#include "hal/openssl_handles.hpp"
#include "sim/eligibility/records.hpp"

namespace kiosk::sim::eligibility {

class CardFaceProofChecker {
 public:
  // The anchors file the simulated CA writes (cardface-anchors.json). Nothing: no anchor, every
  // proof is refused as untrusted. Throws CertificateParseError (jpki_verifier.hpp) for a file
  // that is not usable.
  explicit CardFaceProofChecker(const std::optional<std::filesystem::path>& anchors_file);

  struct Holder {
    Date birth_date{};
    std::string sex;                    // fixture: "1", "2", "3" (未設定)
    std::string registered_card_key_sha256;  // empty: the service does not know the card's key
  };

  struct Verdict {
    bool genuine = false;
    int http_status = 403;
    std::string code;     // CARD_FACE_PROOF_MISSING, CARD_FACE_ISSUER_UNTRUSTED, ... (empty when genuine)
    std::string message;  // for the patient, shown as it is
    std::string detail;   // for the audit and staff
    std::string card_key_sha256;  // SHA-256 of DF24 as written, when it was read
  };

  // `request` is the confirmation body; its attestation's signature must have been verified
  // already (its statement's face.card_photo_sha256 names the photo the face was matched with).
  // `holder`: the person the service links the certificate to, when it knows one.
  Verdict check(const nlohmann::json& request, ByteView nonce, ByteView card_certificate_der,
                const std::optional<Holder>& holder) const;

  std::size_t anchor_count() const { return anchors_.size(); }

 private:
  struct Anchor {
    Bytes key_id;
    hal::openssl::EvpPkeyPtr key;
  };
  std::vector<Anchor> anchors_;
};

// SHA-256 (lower-case hex) of a card's DF24 key objects, as the service registers it.
std::string card_face_key_fingerprint(ByteView record_card_key);

}  // namespace kiosk::sim::eligibility
