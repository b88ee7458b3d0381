// POST /v1/consents: the patient's consent to share medical information and the prescription
// format, on a confirmation; the answer is the confirmation's result again.
#include "sim/eligibility/oqs_json.hpp"
#include "sim/eligibility/service_core.hpp"

namespace kiosk::sim::eligibility {
namespace {

bool person_viewing_suspended(ServiceCore& service, std::int64_t person_id) {
  const auto p = service.db.person(person_id);
  return p && p->linkage_under_review;
}

}  // namespace

Reply consent(ServiceCore& service, const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit) {
  audit.operation = "consent";
  const Body body(req.body);
  const std::string request_id = request_id_of(body);
  const std::string confirmation_id = body.text("confirmation_id");
  const bool medical_information = body.flag("medical_information");
  std::optional<int> prescription;
  if (body.has("PrescriptionIssueSelect")) {
    const std::string p = body.text("PrescriptionIssueSelect");
    if (p != "1" && p != "2") throw bad_request("PrescriptionIssueSelect must be \"1\" or \"2\"");
    prescription = p[0] - '0';
  }
  std::lock_guard lock(service.db_mutex);
  if (auto again = replay(service, t, request_id, "consent")) {
    audit.detail = "repeated request " + request_id + ": stored answer";
    return *again;
  }
  const auto session = service.sessions.session(confirmation_id, t.fingerprint, at);
  if (!session) {
    throw ApiError{404, "CONFIRMATION_UNKNOWN", "確認の受付時間が過ぎました。もう一度カードを置いてください。", false,
                   "unknown or expired confirmation id"};
  }
  audit.method = session->method;
  audit.card_sha256 = session->card_sha256;
  const Reply reply = service.db.transaction([&] {
    service.db.record_consent({session->person_id, t.medical_institution_code, medical_information, at, at + std::chrono::hours{24}});
    const auto person = service.db.person(session->person_id);
    if (!person) throw std::runtime_error("consenting person vanished");
    const std::optional<int> chosen = prescription ? prescription : session->prescription;
    Json j = card_path_reply(service, t, at, *person, session->card_sha256, session->method, session->certificate, chosen,
                             confirmation_id, audit);
    Reply r{200, j.dump()};
    remember(service, t, request_id, "consent", r, at);
    return r;
  });
  if (prescription) service.sessions.set_prescription(confirmation_id, *prescription);
  audit.detail = std::string(medical_information ? "medical information consent given" : "medical information consent declined") +
                 (person_viewing_suspended(service, session->person_id) ? " (viewing suspended: linkage under review)" : "") + "; " +
                 audit.detail;
  return reply;
}

}  // namespace kiosk::sim::eligibility
