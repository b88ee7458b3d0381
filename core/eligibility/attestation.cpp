#include "core/eligibility/attestation.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>

#include "core/eligibility/wire_format.hpp"

namespace kiosk::core::eligibility {

std::string_view to_string(Liveness l) {
  switch (l) {
    case Liveness::Passed: return "passed";
    case Liveness::Failed: return "failed";
    case Liveness::NotChecked: return "not-checked";
  }
  return "not-checked";
}

ConfirmationMethod method_of(const Evidence& evidence) {
  return std::holds_alternative<FaceMatchEvidence>(evidence) ? ConfirmationMethod::Face : ConfirmationMethod::Visual;
}

Bytes make_attestation_statement(const Evidence& evidence, ByteView nonce, ByteView card_certificate_der,
                                 Timestamp now) {
  if (nonce.empty()) throw std::invalid_argument("an attestation needs the challenge nonce");
  if (card_certificate_der.empty()) throw std::invalid_argument("an attestation needs the card certificate");
  nlohmann::json statement{{"format", "kiosk-attestation"},
                           {"version", 1},
                           {"method", std::string(to_string(method_of(evidence)))},
                           {"nonce", base64_encode(nonce)},
                           {"card_certificate_sha256", sha256_hex(card_certificate_der)},
                           {"created_at", format_utc(now)}};
  if (const auto* face = std::get_if<FaceMatchEvidence>(&evidence)) {
    if (!std::isfinite(face->score) || !std::isfinite(face->threshold)) {
      throw std::invalid_argument("face match score and threshold must be finite numbers");
    }
    statement["face"] = {{"score", face->score},
                         {"threshold", face->threshold},
                         {"liveness", std::string(to_string(face->liveness))},
                         {"model", face->model}};
    if (!face->card_photo_sha256.empty()) statement["face"]["card_photo_sha256"] = face->card_photo_sha256;
  } else {
    const auto& visual = std::get<VisualCheckEvidence>(evidence);
    if (visual.staff_id.empty()) throw std::invalid_argument("a visual check names the staff member who made it");
    statement["visual"] = {{"staff_id", visual.staff_id}, {"reason", visual.reason}};
  }
  const std::string text = statement.dump();
  return Bytes(text.begin(), text.end());
}

}  // namespace kiosk::core::eligibility
