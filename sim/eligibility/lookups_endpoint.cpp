// POST /v1/lookups: the qualification looked up by the numbers of an eligibility certificate
// (資格確認書), an old health insurance card or a qualification notice, with the birth date.
#include <algorithm>

#include "hal/calendar.hpp"
#include "sim/eligibility/oqs_json.hpp"
#include "sim/eligibility/service_core.hpp"

namespace kiosk::sim::eligibility {
namespace {

std::optional<Document> document_from(const std::string& text) {
  if (text == "eligibility-certificate") return Document::EligibilityCertificate;
  if (text == "health-insurance-card") return Document::HealthInsuranceCard;
  if (text == "qualification-notice") return Document::QualificationNotice;
  return std::nullopt;
}

}  // namespace

Reply lookup(ServiceCore& service, const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit) {
  audit.operation = "lookup";
  audit.method = "numbers";
  const Body body(req.body);
  request_id_of(body);
  const auto document = document_from(body.text("document"));
  if (!document) throw bad_request("document must be eligibility-certificate, health-insurance-card or qualification-notice");
  const Json& info = body.object("QualificationConfirmSearchInfo");
  auto text = [&](const char* key, bool required) -> std::string {
    const auto it = info.find(key);
    if (it == info.end() || it->is_null()) {
      if (required) throw bad_request(std::string("QualificationConfirmSearchInfo.") + key + " is missing");
      return {};
    }
    if (!it->is_string()) throw bad_request(std::string("QualificationConfirmSearchInfo.") + key + " is not a string");
    return it->get<std::string>();
  };
  NumberQuery q;
  q.document = *document;
  q.insurer_number = text("InsurerNumber", true);
  q.symbol = text("InsuredCardSymbol", false);
  q.number = text("InsuredIdentificationNumber", true);
  if (const std::string branch = text("InsuredBranchNumber", false); !branch.empty()) q.branch = branch;
  const auto birth = hal::calendar::parse_yyyymmdd(text("Birthdate", true));
  if (!birth) throw bad_request("Birthdate is not a YYYYMMDD date");
  q.birth_date = *birth;
  const bool limit = text("LimitApplicationCertificateRelatedConsFlg", false) == "1";
  if (q.insurer_number.size() != 8 || !std::all_of(q.insurer_number.begin(), q.insurer_number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw bad_request("InsurerNumber must be 8 digits");
  }
  audit.detail = "document " + body.text("document") + ", insurer " + q.insurer_number;

  std::lock_guard lock(service.db_mutex);
  const std::vector<Candidate> candidates = service.db.candidates(q.insurer_number, q.symbol, q.number);
  const Evaluation e = evaluate_number_path(q, candidates, japan_date(at));
  std::vector<Shown> shown;
  for (const auto& s : e.shown) {
    for (const auto& c : candidates) {
      if (c.person.id == s.person_id) shown.push_back({&c.person, &s});
    }
  }
  ResultContext c;
  c.now = at;
  c.medical_institution_code = t.medical_institution_code;
  c.reference_classification = 2;
  c.card_path = false;
  c.limit_information_consented = limit;
  c.search_info = info;
  Json j = base_reply();
  j["method"] = "numbers";
  j["result"] = oqs_result(e, shown, c);
  j["medical_information_viewing_suspended"] = false;
  if (!shown.empty()) audit.person = shown.front().person->key;
  audit.code = e.code;
  audit.outcome = e.refused ? "refused" : "ok";
  audit.detail += "; validity " + (e.validity ? std::to_string(static_cast<int>(*e.validity)) : std::string("-"));
  for (const auto& n : e.notes) audit.detail += "; " + n;
  ++service.confirmations;
  return {200, j.dump()};
}

}  // namespace kiosk::sim::eligibility
