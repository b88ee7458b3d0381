#include "core/eligibility/copayment.hpp"

namespace kiosk::core::eligibility {
namespace {

using std::chrono::sys_days;

// "010" -> 1, "020" -> 2, "030" -> 3; anything else is not a share the kiosk shows.
std::optional<int> tenths_of(const std::string& ratio) {
  if (ratio == "010") return 1;
  if (ratio == "020") return 2;
  if (ratio == "030") return 3;
  return std::nullopt;
}

// The birthday `years` after birth; 29 February falls on 1 March in common years.
sys_days birthday(Date birthdate, int years) {
  const Date d = birthdate + std::chrono::years{years};
  if (d.ok()) return sys_days{d};
  return sys_days{d.year() / std::chrono::March / std::chrono::day{1}};
}

// The day one legally reaches `years` of age: the day before the birthday (年齢計算ニ関スル法律).
sys_days reaches_age(Date birthdate, int years) { return birthday(birthdate, years) - std::chrono::days{1}; }

// The first day of the month after `d`.
sys_days first_of_next_month(sys_days d) {
  const Date ymd{d};
  return sys_days{(ymd.year() / ymd.month() + std::chrono::months{1}) / std::chrono::day{1}};
}

// 70-74: the 高齢受給者 regime starts on the 1st of the month after the month one turns 70 (for a
// birthday on the 1st, that is the birthday's month).
bool elderly_regime(Date birthdate, Date today) {
  return sys_days{today} >= first_of_next_month(reaches_age(birthdate, 70));
}

// 未就学: before the 1st of April that follows reaching 6 (school starts then).
bool before_school(Date birthdate, Date today) {
  const Date six{reaches_age(birthdate, 6)};
  Date april = six.year() / std::chrono::April / std::chrono::day{1};
  if (sys_days{april} <= sys_days{six}) april = (six.year() + std::chrono::years{1}) / std::chrono::April / std::chrono::day{1};
  return sys_days{today} < sys_days{april};
}

bool valid_on(const ElderlyRecipientCertificate& e, Date today) {
  if (e.valid_start && sys_days{*e.valid_start} > sys_days{today}) return false;
  if (e.valid_end && sys_days{*e.valid_end} < sys_days{today}) return false;
  return true;
}

}  // namespace

const char* to_string(CopaymentSource s) {
  switch (s) {
    case CopaymentSource::LatterStageElderly: return "latter-stage-elderly";
    case CopaymentSource::ElderlyRecipient: return "elderly-recipient";
    case CopaymentSource::Preschool: return "preschool";
    case CopaymentSource::ByAge: return "by-age";
  }
  return "unknown";
}

std::optional<std::string> copayment_label(const std::string& ratio_code) {
  const auto t = tenths_of(ratio_code);
  if (!t) return std::nullopt;
  return std::to_string(*t) + "割";
}

std::string Copayment::ratio_code() const { return "0" + std::to_string(tenths) + "0"; }

bool latter_stage_elderly_insurer(const std::string& insurer_number) {
  return insurer_number.size() == 8 && insurer_number.compare(0, 2, "39") == 0;
}

int age_on(Date birthdate, Date on) {
  int age = static_cast<int>(on.year()) - static_cast<int>(birthdate.year());
  if (age > 0 && sys_days{on} < birthday(birthdate, age)) --age;
  return age;
}

std::optional<Copayment> patient_copayment(const Qualification& q, Date today) {
  if (q.insured_card_classification == "A1") return std::nullopt;  // 医療扶助: no share
  if (latter_stage_elderly_insurer(q.insurer_number)) {
    const auto t = tenths_of(q.insured_partial_contribution_ratio);
    if (!t) return std::nullopt;
    return Copayment{*t, CopaymentSource::LatterStageElderly};
  }
  if (q.preschool_classification == "1") return Copayment{2, CopaymentSource::Preschool};
  if (!q.birthdate || !q.birthdate->ok() || sys_days{*q.birthdate} > sys_days{today}) return std::nullopt;
  if (elderly_regime(*q.birthdate, today)) {
    if (!q.elderly_recipient || !valid_on(*q.elderly_recipient, today)) return std::nullopt;
    const auto t = tenths_of(q.elderly_recipient->contribution_ratio);
    if (!t) return std::nullopt;
    return Copayment{*t, CopaymentSource::ElderlyRecipient};
  }
  if (before_school(*q.birthdate, today)) return Copayment{2, CopaymentSource::Preschool};
  return Copayment{3, CopaymentSource::ByAge};
}

}  // namespace kiosk::core::eligibility
