#include "firmware/screen/patient_input.hpp"

#include <algorithm>
#include <string>

#include "core/card/secret.hpp"

namespace kiosk::firmware::screen {
namespace {

using nlohmann::json;
using core::reception::Step;

core::reception::Method method_from(const std::string& v) {
  if (v == "face") return core::reception::Method::Face;
  if (v == "pin") return core::reception::Method::Pin;
  return core::reception::Method::Visual;
}

}  // namespace

bool screen_takes_input(const core::reception::Screen& screen, std::string_view type, const json& value) {
  const Step s = screen.step;
  if (type == "method") {
    return s == Step::MethodChoice &&
           std::any_of(screen.methods.begin(), screen.methods.end(),
                       [&](core::reception::Method m) { return value.get_ref<const std::string&>() == core::reception::to_string(m); });
  }
  if (type == "pin") return s == Step::PinEntry;
  if (type == "answer") return s == Step::Registration || s == Step::Consent;
  if (type == "prescription") return s == Step::Prescription;
  if (type == "ack") return s == Step::Result || s == Step::Notice;
  if (type == "cancel") {
    return s == Step::MethodChoice || s == Step::PinEntry || s == Step::FaceCapture || s == Step::VisualCheck ||
           s == Step::Registration || s == Step::Consent || s == Step::Prescription || s == Step::NumberEntry;
  }
  // The 資格確認書 path (firmware/screen/web/eligibility-certificate.js).
  if (type == "numbers-start") return s == Step::Idle;
  if (type == "numbers") return s == Step::NumberEntry;
  if (type == "numbers-read-document") return s == Step::NumberEntry && !screen.reading_document;
  return false;
}

std::optional<std::string_view> input_shape_error(const json& input) {
  if (!input.is_object()) return "input must be a JSON object";
  for (const auto& [key, unused] : input.items()) {
    if (key != "type" && key != "value") return "unknown member (only \"type\" and \"value\")";
  }
  const auto type_it = input.find("type");
  if (type_it == input.end() || !type_it->is_string()) return "\"type\" must be a string";
  const std::string& type = type_it->get_ref<const std::string&>();
  const auto value_it = input.find("value");
  const bool has_value = value_it != input.end();
  if (type == "ack" || type == "cancel" || type == "numbers-start" || type == "numbers-read-document") {
    if (has_value) return "this input takes no \"value\"";
    return std::nullopt;
  }
  if (!has_value) return "\"value\" is missing";
  const json& value = *value_it;
  if (type == "method") {
    if (!value.is_string()) return "\"value\" must be \"face\", \"pin\" or \"visual\"";
    const std::string& v = value.get_ref<const std::string&>();
    if (v != "face" && v != "pin" && v != "visual") return "\"value\" must be \"face\", \"pin\" or \"visual\"";
    return std::nullopt;
  }
  if (type == "pin") {
    // Says what is wrong without repeating any of it.
    if (!value.is_string()) return "the PIN must be a string of 4 digits";
    const std::string& v = value.get_ref<const std::string&>();
    const bool digits = std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (v.size() != 4 || !digits) return "the PIN must be a string of 4 digits";
    return std::nullopt;
  }
  if (type == "answer") {
    if (!value.is_boolean()) return "\"value\" must be true or false";
    return std::nullopt;
  }
  if (type == "prescription") {
    if (!value.is_string()) return "\"value\" must be \"electronic\" or \"paper\"";
    const std::string& v = value.get_ref<const std::string&>();
    if (v != "electronic" && v != "paper") return "\"value\" must be \"electronic\" or \"paper\"";
    return std::nullopt;
  }
  if (type == "numbers") {
    // {"document": "eligibility-certificate" | "health-insurance-card", "insurer_number", "symbol",
    //  "number", "branch", "birthdate": strings of at most 64 bytes, "limit_consent": true | false}.
    // The entries themselves are checked by the reception (core/eligibility/number_entry.hpp).
    if (!value.is_object()) return "\"value\" must be the form's entries";
    for (const auto& [key, entry] : value.items()) {
      if (key == "limit_consent") {
        if (!entry.is_boolean()) return "\"limit_consent\" must be true or false";
      } else if (key == "document" || key == "insurer_number" || key == "symbol" || key == "number" || key == "branch" ||
                 key == "birthdate") {
        if (!entry.is_string() || entry.get_ref<const std::string&>().size() > 64) {
          return "the form's entries are strings of at most 64 bytes";
        }
      } else {
        return "unknown entry in the form";
      }
    }
    const auto document = value.find("document");
    if (document == value.end() || (*document != "eligibility-certificate" && *document != "health-insurance-card")) {
      return "\"document\" must be \"eligibility-certificate\" or \"health-insurance-card\"";
    }
    return std::nullopt;
  }
  return "unknown \"type\"";
}

core::reception::Event input_event(json& input) {
  const std::string& type = input["type"].get_ref<const std::string&>();
  if (type == "method") return core::reception::MethodChosen{method_from(input["value"].get_ref<const std::string&>())};
  if (type == "pin") return core::reception::PinTyped{core::card::Secret(input["value"].get_ref<const std::string&>())};
  if (type == "answer") return core::reception::Answered{input["value"].get<bool>()};
  if (type == "prescription") {
    return core::reception::PrescriptionChosen{input["value"].get_ref<const std::string&>() == "electronic"
                                             ? core::eligibility::PrescriptionIssue::Electronic
                                             : core::eligibility::PrescriptionIssue::Paper};
  }
  if (type == "ack") return core::reception::Acknowledged{};
  if (type == "numbers-start") return core::reception::NumberEntryRequested{};
  if (type == "numbers-read-document") return core::reception::DocumentReadRequested{};
  if (type == "numbers") {
    const json& v = input["value"];
    auto text = [&](const char* key) { return v.contains(key) ? v[key].get<std::string>() : std::string(); };
    core::eligibility::NumberEntry e;
    e.document = text("document") == "health-insurance-card" ? core::eligibility::PresentedDocument::HealthInsuranceCard
                                                            : core::eligibility::PresentedDocument::EligibilityCertificate;
    e.insurer_number = text("insurer_number");
    e.symbol = text("symbol");
    e.number = text("number");
    e.branch = text("branch");
    e.birthdate = text("birthdate");
    e.limit_application_consent = v.contains("limit_consent") && v["limit_consent"].get<bool>();
    return core::reception::NumbersEntered{std::move(e)};
  }
  return core::reception::Cancelled{};
}

}  // namespace kiosk::firmware::screen
