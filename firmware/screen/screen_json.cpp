#include "firmware/screen/screen_json.hpp"

#include <string>

namespace kiosk::firmware::screen {

const char* validity_name(core::eligibility::QualificationValidity v) {
  using V = core::eligibility::QualificationValidity;
  switch (v) {
    case V::Valid: return "valid";
    case V::Invalid: return "invalid";
    case V::InvalidNewerQualification: return "invalid-newer-qualification";
    case V::NoQualification: return "no-qualification";
    case V::MultipleMatches: return "multiple-matches";
    case V::ValidUnregistered: return "valid-unregistered";
  }
  return "unknown";
}

std::optional<int> contribution_percent(const std::string& ratio) {
  if (ratio.size() != 3) return std::nullopt;
  int value = 0;
  for (const char c : ratio) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > 100) return std::nullopt;
  return value;
}

nlohmann::json screen_to_json(const core::reception::Screen& screen) {
  using nlohmann::json;
  json j = json::object();
  j["step"] = core::reception::to_string(screen.step);

  const core::reception::MessageInfo message = core::reception::info(screen.message);
  j["message"] = screen.message == core::reception::Message::None
                     ? json(nullptr)
                     : json{{"code", message.code}, {"key", message.key}};

  json methods = json::array();
  for (const core::reception::Method m : screen.methods) methods.push_back(core::reception::to_string(m));
  j["methods"] = std::move(methods);

  j["tries_left"] = screen.tries_left >= 0 ? json(screen.tries_left) : json(nullptr);
  j["guidance"] = screen.guidance.empty() ? json(nullptr) : json(screen.guidance);
  j["service_message"] = screen.service_message.empty() ? json(nullptr) : json(screen.service_message);
  j["medical_information_viewing_suspended"] = screen.medical_information_viewing_suspended;

  if (screen.validity) {
    const std::optional<int> percent = contribution_percent(screen.contribution_ratio);
    j["result"] = json{
        {"validity", validity_name(*screen.validity)},
        {"validity_code", static_cast<int>(*screen.validity)},
        {"validity_label", std::string(core::eligibility::label(*screen.validity))},
        {"insurer_name", screen.insurer_name},
        {"contribution_ratio", screen.contribution_ratio},
        {"contribution_percent", percent ? json(*percent) : json(nullptr)},
        {"loss_reason", screen.loss_reason.empty() ? json(nullptr) : json(screen.loss_reason)},
        {"lost_from", screen.lost_from.empty() ? json(nullptr) : json(screen.lost_from)},
    };
  } else {
    j["result"] = nullptr;
  }
  if (screen.certificate_expires.empty() && screen.certificate_usable_until.empty()) {
    j["certificate"] = nullptr;
  } else {
    j["certificate"] = json{
        {"expires", screen.certificate_expires.empty() ? json(nullptr) : json(screen.certificate_expires)},
        {"usable_until", screen.certificate_usable_until.empty() ? json(nullptr) : json(screen.certificate_usable_until)},
    };
  }
  j["numbers_path"] = screen.numbers_path;
  j["entry_problem"] = screen.entry_problem.empty() ? json(nullptr) : json(screen.entry_problem);
  // The 資格確認書 form as the document reader filled it (the patient checks it), and whether the
  // reader is at work.
  if (screen.form) {
    const auto& f = *screen.form;
    j["form"] = json{
        {"document", f.document == core::eligibility::PresentedDocument::HealthInsuranceCard ? "health-insurance-card"
                                                                                            : "eligibility-certificate"},
        {"insurer_number", f.insurer_number}, {"symbol", f.symbol}, {"number", f.number},
        {"branch", f.branch},                 {"birthdate", f.birthdate},
    };
  } else {
    j["form"] = nullptr;
  }
  j["reading_document"] = screen.reading_document;
  j["timeout_seconds"] = screen.timeout.count();
  return j;
}

}  // namespace kiosk::firmware::screen
