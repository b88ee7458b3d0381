#include "sim/scenario/transcript.hpp"

#include "core/eligibility/copayment.hpp"

#include <cstdio>

namespace kiosk::sim::scenario {

namespace rx = core::reception;

namespace {

std::string seconds_text(std::chrono::microseconds t) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%8.3f s", static_cast<double>(t.count()) / 1e6);
  return buffer;
}

}  // namespace

Transcript::Transcript(const sim::clock::VirtualClock& clock, std::ostream* live) : clock_(clock), live_(live) {}

void Transcript::add(const std::string& who, const std::string& what) {
  const std::string line = "[" + seconds_text(clock_.elapsed()) + "] " + who + ": " + what;
  std::lock_guard lock(mutex_);
  lines_.push_back(line);
  if (live_ != nullptr) *live_ << line << "\n" << std::flush;
}

std::string validity_name(core::eligibility::QualificationValidity v) {
  switch (v) {
    case core::eligibility::QualificationValidity::Valid: return "valid";
    case core::eligibility::QualificationValidity::Invalid: return "invalid";
    case core::eligibility::QualificationValidity::InvalidNewerQualification: return "invalid-newer-qualification";
    case core::eligibility::QualificationValidity::NoQualification: return "no-qualification";
    case core::eligibility::QualificationValidity::MultipleMatches: return "multiple-matches";
    case core::eligibility::QualificationValidity::ValidUnregistered: return "valid-unregistered";
  }
  return "unknown";
}

std::string describe(const rx::Screen& s, const nlohmann::json& texts) {
  std::string out = rx::to_string(s.step);
  const auto info = rx::info(s.message);
  if (info.code[0] != '\0') {
    out += std::string("  【") + info.code + "】 " + info.key;
    const auto text = texts.is_object() ? texts.find(info.key) : texts.end();
    if (text != texts.end() && text->is_string()) out += " \"" + text->get<std::string>() + "\"";
  }
  if (!s.methods.empty()) {
    out += "  methods:";
    for (auto m : s.methods) out += std::string(" ") + rx::to_string(m);
  }
  if (s.tries_left >= 0) out += "  tries left: " + std::to_string(s.tries_left);
  if (!s.guidance.empty()) out += "  guidance: " + s.guidance;
  if (s.validity) {
    out += "  result: " + validity_name(*s.validity);
    if (!s.insurer_name.empty()) out += ", " + s.insurer_name;
    if (const auto share = core::eligibility::copayment_label(s.contribution_ratio)) out += ", " + *share;
    if (!s.loss_reason.empty()) out += ", reason of loss " + s.loss_reason;
    if (!s.lost_from.empty()) out += ", lost from " + s.lost_from;
  }
  if (!s.certificate_expires.empty()) out += "  certificate expires " + s.certificate_expires;
  if (!s.certificate_usable_until.empty()) out += ", usable until " + s.certificate_usable_until;
  if (!s.entry_problem.empty()) out += "  entry to correct: " + s.entry_problem;
  if (!s.service_message.empty()) out += "  service: " + s.service_message;
  return out;
}

}  // namespace kiosk::sim::scenario
