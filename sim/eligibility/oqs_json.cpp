#include "sim/eligibility/oqs_json.hpp"

#include <algorithm>
#include <cstdio>

#include "hal/calendar.hpp"

namespace kiosk::sim::eligibility {

namespace {

using Json = nlohmann::json;
using namespace std::chrono;

void put(Json& j, const char* name, const std::string& value) {
  if (!value.empty()) j[name] = value;
}

void put(Json& j, const char* name, const std::optional<Date>& value) {
  if (value) j[name] = oqs_date(*value);
}

// A sub-record (高齢受給者証, 限度額適用認定証, 特定疾病療養受療証, 医療券) is current on `today`
// when today lies between its valid-from and valid-to dates (each optional, YYYYMMDD; the fixture
// checks their form). Ended or not yet started records are not part of the answer: the real
// service answers with the certificate in force, and clinic software takes what it gets as current.
bool current(const Json& record, const char* start_key, const char* end_key, Date today) {
  auto date = [&](const char* key) -> std::optional<Date> {
    const auto it = record.find(key);
    if (it == record.end() || !it->is_string()) return std::nullopt;
    return hal::calendar::parse_yyyymmdd(it->get<std::string>());
  };
  const auto from = date(start_key);
  const auto to = date(end_key);
  if (from && sys_days{*from} > sys_days{today}) return false;
  if (to && sys_days{*to} < sys_days{today}) return false;
  return true;
}

// The current items of a list of sub-records.
Json current_items(const Json& list, const char* start_key, const char* end_key, Date today) {
  Json out = Json::array();
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (current(item, start_key, end_key, today)) out.push_back(item);
  }
  return out;
}

void consent(Json& j, const std::string& prefix, bool given, std::optional<TimePoint> at, std::optional<TimePoint> until) {
  j[prefix + "ConsFlg"] = given ? "1" : "0";
  if (given && at) j[prefix + "ConsTime"] = oqs_time(*at);
  if (given && until) j[prefix + "AvailableTime"] = oqs_time(*until);
}

Json qualification_json(const PersonRecord& p, const QualificationRecord& q, const ResultContext& c, Date today) {
  Json j = Json::object();
  put(j, "InsuredCardClassification", q.card_classification);
  put(j, "InsurerNumber", q.insurer_number);
  put(j, "InsuredCardSymbol", q.symbol);
  put(j, "InsuredIdentificationNumber", q.number);
  put(j, "InsuredBranchNumber", q.branch);
  put(j, "PersonalFamilyClassification", q.personal_family);
  put(j, "InsuredName", q.insured_name);
  put(j, "Name", p.name);
  put(j, "NameOfOther", p.name_of_other);
  put(j, "NameKana", p.name_kana);
  put(j, "NameOfOtherKana", p.name_of_other_kana);
  put(j, "Sex1", p.sex);
  put(j, "Birthdate", std::optional<Date>(p.birth_date));
  put(j, "Address", p.address);
  put(j, "PostNumber", p.post_number);
  put(j, "QualificationDate", std::optional<Date>(q.qualification_date));
  // A loss the service does not know yet (filed within the lag) is not shown.
  const bool loss_known = loss_visible(q, today);
  if (loss_known) {
    put(j, "DisqualificationDate", q.disqualification_date);
  }
  put(j, "InsuredCertificateIssuanceDate", q.certificate_issuance_date);
  put(j, "InsuredCardValidDate", q.card_valid_date);
  put(j, "InsuredCardExpirationDate", q.card_expiration_date);
  // The 後期高齢者 ratio (the fixture allows it on 後期高齢者医療 insurers only); the 70-74 ratio is
  // in ElderlyRecipientCertificateInfo, younger patients' 3割/2割 is the law's and has no field.
  put(j, "InsuredPartialContributionRatio", q.contribution_ratio);
  put(j, "PreschoolClassification", q.preschool);
  if (loss_known) put(j, "ReasonOfLoss", q.reason_of_loss);
  put(j, "InsurerName", q.insurer_name);
  if (q.elderly.is_object() && !q.elderly.empty() &&
      current(q.elderly, "ElderlyRecipientValidStartDate", "ElderlyRecipientValidEndDate", today)) {
    j["ElderlyRecipientCertificateInfo"] = q.elderly;
  }

  // 限度額・特定疾病: part of 電子資格確認 on the card path since 2024-10-07 (no separate screen);
  // on the number path only with the flag of the search.
  const bool limit = c.card_path || c.limit_information_consented;
  consent(j, "LimitApplicationCertificateRelated", limit, c.now, std::nullopt);
  if (limit && q.limit_application.is_object() && !q.limit_application.empty() &&
      current(q.limit_application, "LimitApplicationCertificateValidStartDate", "LimitApplicationCertificateValidEndDate",
              today)) {
    j["LimitApplicationCertificateRelatedInfo"] = q.limit_application;
  }
  consent(j, "SpecificDiseasesCertificateRelated", limit, c.now, std::nullopt);
  if (limit) {
    Json diseases = current_items(q.specific_diseases, "SpecificDiseasesValidStartDate", "SpecificDiseasesValidEndDate", today);
    if (!diseases.empty()) j["SpecificDiseasesCertificateList"] = std::move(diseases);
  }

  Json tickets = current_items(q.public_expense, "MedicalTicketValidDate", "MedicalTicketExpirationDate", today);
  if (!tickets.empty()) j["PublicExpenseResultList"] = std::move(tickets);

  // 包括同意: 特定健診・薬剤・診療・手術, available 24 hours; never while the linkage is under review.
  const bool viewing = c.card_path && !c.viewing_suspended && c.viewing_consent && c.viewing_consent->medical_information;
  std::optional<TimePoint> at;
  std::optional<TimePoint> until;
  if (viewing) {
    at = c.viewing_consent->consented_at;
    until = c.viewing_consent->available_until;
  }
  for (const char* prefix : {"SpecificHealthCheckupsInfo", "PharmacistsInfo", "DiagnosisInfo", "OperationInfo"}) {
    consent(j, prefix, viewing, at, until);
  }
  return j;
}

}  // namespace

std::string oqs_time(TimePoint t) {
  const auto local = floor<seconds>(t) + hours{9};
  const auto day_start = floor<days>(local);
  const year_month_day date{day_start};
  const hh_mm_ss time{local - day_start};
  char out[32];
  std::snprintf(out, sizeof out, "%04d%02u%02u%02d%02d%02d", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
  return out;
}

std::string oqs_date(Date d) { return hal::calendar::format_yyyymmdd(d); }

nlohmann::json oqs_result(const Evaluation& e, const std::vector<Shown>& shown, const ResultContext& c) {
  const Date today = japan_date(c.now);
  Json header{{"ProcessExecutionTime", oqs_time(c.now)},
              {"QualificationConfirmationDate", oqs_date(today)},
              {"MedicalInstitutionCode", c.medical_institution_code},
              {"ReferenceClassification", std::to_string(c.reference_classification)},
              {"SegmentOfResult", "1"},
              {"CharacterCodeIdentifier", "0"}};
  Json body = Json::object();
  if (c.search_info.is_object()) body["QualificationConfirmSearchInfo"] = c.search_info;
  if (c.prescription_issue_select) body["PrescriptionIssueSelect"] = std::to_string(*c.prescription_issue_select);
  body["ProcessingResultStatus"] = e.refused ? "2" : "1";

  std::vector<Notice> notices = c.notices;
  if (!e.code.empty()) notices.push_back({e.refused ? 100 : 50, e.code, e.message});
  if (c.viewing_suspended && !e.refused) {
    notices.push_back({80, result_codes::kViewingSuspended,
                       "加入者情報の確認中のため、薬剤情報・診療情報などの医療情報は閲覧できません。資格の確認はできました。"});
  }
  std::stable_sort(notices.begin(), notices.end(), [](const Notice& a, const Notice& b) { return a.priority > b.priority; });
  if (!notices.empty()) {
    std::string message;
    for (const auto& n : notices) {
      if (!message.empty()) message += "\n";
      message += n.message;
    }
    body["ProcessingResultCode"] = notices.front().code;
    body["ProcessingResultMessage"] = message;
  }
  if (!e.refused && e.validity) {
    body["QualificationValidity"] = std::to_string(static_cast<int>(*e.validity));
    Json list = Json::array();
    for (const auto& s : shown) list.push_back(qualification_json(*s.person, *s.qualification, c, today));
    if (!list.empty()) body["ResultList"] = std::move(list);
  }
  return Json{{"MessageHeader", std::move(header)}, {"MessageBody", std::move(body)}};
}

}  // namespace kiosk::sim::eligibility
