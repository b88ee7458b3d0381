// The service side of the protocol's result object: the OQS result ({"MessageHeader": ...,
// "MessageBody": ...}, OQS element names, every value a string) built from the records and the
// rules' evaluation. The kiosk decodes it with core/eligibility/codec; both follow
// docs/eligibility-protocol.md §3.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/eligibility/records.hpp"
#include "sim/eligibility/rules.hpp"

namespace kiosk::sim::eligibility {

// "YYYYMMDDHHMMSS" in Japan time, "YYYYMMDD".
std::string oqs_time(TimePoint t);
std::string oqs_date(Date d);

struct Notice {
  int priority = 0;  // higher first
  std::string code;
  std::string message;
};

struct ResultContext {
  TimePoint now{};
  std::string medical_institution_code;
  int reference_classification = 1;  // 1 マイナンバーカード, 2 被保険者証情報
  bool card_path = true;
  // Number path: the patient agreed to provide 限度額 / 特定疾病 information.
  bool limit_information_consented = false;
  std::optional<ConsentRecord> viewing_consent;  // 包括同意, still available at `now`
  bool viewing_suspended = false;                 // ひも付け under review
  std::optional<int> prescription_issue_select;   // 1 電子, 2 紙
  nlohmann::json search_info;                     // number path: echoed QualificationConfirmSearchInfo
  std::vector<Notice> notices;                    // certificate notices etc., merged with the evaluation's
};

struct Shown {
  const PersonRecord* person;
  const QualificationRecord* qualification;
};

// The OQS result for an evaluation. Qualifications in `shown` appear in ResultList.
nlohmann::json oqs_result(const Evaluation& evaluation, const std::vector<Shown>& shown, const ResultContext& context);

}  // namespace kiosk::sim::eligibility
