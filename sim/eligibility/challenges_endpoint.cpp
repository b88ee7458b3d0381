// GET /v1/health (who the service is, its time and date) and POST /v1/challenges (a fresh
// nonce for this terminal, to be signed by the card or named in an attestation).
#include "hal/calendar.hpp"
#include "sim/eligibility/encoding.hpp"
#include "sim/eligibility/oqs_json.hpp"
#include "sim/eligibility/service_core.hpp"

namespace kiosk::sim::eligibility {

Reply health(ServiceCore&, const httplib::Request&, const Terminal&, TimePoint at, AuditEntry&) {
  Json j = base_reply();
  j["status"] = "ok";
  j["service"] = "kiosk-sim-eligibility/1";
  j["time"] = iso_utc(at);
  j["today"] = hal::calendar::format_iso_date(japan_date(at));
  return {200, j.dump()};
}

Reply challenge(ServiceCore& service, const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry&) {
  Body body(req.body.empty() ? std::string(R"({"api_version":1})") : req.body);
  const auto issued = service.sessions.issue_nonce(t.fingerprint, at);
  if (!issued) {
    throw ApiError{429, "TOO_MANY_CHALLENGES", "しばらくしてからもう一度お試しください。", true,
                   "too many unused challenges for this terminal"};
  }
  Json j = base_reply();
  j["nonce"] = base64_encode(issued->nonce);
  j["expires_at"] = iso_utc(issued->expires_at);
  return {201, j.dump()};
}

}  // namespace kiosk::sim::eligibility
