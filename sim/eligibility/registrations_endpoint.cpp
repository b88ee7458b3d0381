// POST /v1/registrations: registration of the card for insurance use on the spot, with the
// patient's consent, on the ticket of a registration offer; answered like a confirmation, and
// recorded once however often the kiosk retries (request_id).
#include "sim/eligibility/oqs_json.hpp"
#include "sim/eligibility/service_core.hpp"

namespace kiosk::sim::eligibility {

Reply registration(ServiceCore& service, const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit) {
  audit.operation = "register";
  const Body body(req.body);
  const std::string request_id = request_id_of(body);
  const std::string ticket_id = body.text("ticket");
  if (!body.flag("patient_consented")) throw bad_request("registration needs the patient's consent");
  std::lock_guard lock(service.db_mutex);
  if (auto again = replay(service, t, request_id, "register")) {
    audit.detail = "repeated request " + request_id + ": stored answer";
    return *again;
  }
  const auto ticket = service.sessions.ticket(ticket_id, t.fingerprint, at);
  if (!ticket) {
    throw ApiError{404, "TICKET_UNKNOWN", "登録の受付時間が過ぎました。もう一度カードを置いてください。", false,
                   "unknown or expired registration ticket"};
  }
  audit.method = ticket->method;
  audit.card_sha256 = ticket->card_sha256;
  const Reply reply = service.db.transaction([&] {
    service.db.register_insurance_use(ticket->person_id, japan_date(at), "kiosk " + t.medical_institution_code);
    const auto person = service.db.person(ticket->person_id);
    if (!person) throw std::runtime_error("registered person vanished");
    Json j = card_path_reply(service, t, at, *person, ticket->card_sha256, ticket->method, ticket->certificate, std::nullopt, "", audit);
    Reply r{200, j.dump()};
    remember(service, t, request_id, "register", r, at);
    return r;
  });
  service.sessions.remove_ticket(ticket_id);
  audit.detail = "registered for insurance use; " + audit.detail;
  ++service.confirmations;
  return reply;
}

}  // namespace kiosk::sim::eligibility
