// The terminal's attestation for a confirmation without a card signature (face match or staff
// visual check): a small JSON statement that names the method, the evidence, the challenge nonce
// and the card certificate, signed with the terminal's TLS key. The service verifies it against
// the client certificate of the TLS connection it arrives on (docs/eligibility-protocol.md §4).
#pragma once

#include <string>
#include <variant>

#include "core/eligibility/result.hpp"
#include "hal/bytes.hpp"

namespace kiosk::core::eligibility {

enum class Liveness { Passed, Failed, NotChecked };
// "passed", "failed", "not-checked".
std::string_view to_string(Liveness l);

// What the kiosk's face verification found (camera vs. the card's photo).
struct FaceMatchEvidence {
  double score = 0;      // similarity of the live face to the card photo
  double threshold = 0;  // the kiosk's decision threshold for that score
  Liveness liveness = Liveness::NotChecked;
  std::string model;     // name/version of the face model, for the audit
  // Lower-case hex SHA-256 of the card-face record's DF27 object as written (the photo the face
  // was compared with): the service checks it against the genuine-card proof's group 3.
  std::string card_photo_sha256;
};

// The staff member who compared the patient with the card photo (目視確認).
struct VisualCheckEvidence {
  std::string staff_id;  // the authorised staff member who switched visual check on
  std::string reason;    // e.g. "face-failed-pin-forgotten", "injury" (free text, for the audit)
};

using Evidence = std::variant<FaceMatchEvidence, VisualCheckEvidence>;

// The exact bytes the terminal signs. Throws std::invalid_argument for evidence that cannot be
// stated (a non-finite score, an empty staff id).
Bytes make_attestation_statement(const Evidence& evidence, ByteView nonce, ByteView card_certificate_der,
                                 Timestamp now);

// The method an evidence stands for (Face or Visual).
ConfirmationMethod method_of(const Evidence& evidence);

}  // namespace kiosk::core::eligibility
