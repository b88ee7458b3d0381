// The patient's share of the costs (一部負担金の割合: 3割 / 2割 / 1割) as the kiosk shows it, taken
// from the record of the result that holds it for this patient's age and kind of insurance
// (docs/reception-rules.md §11):
//   - 後期高齢者医療 (75 and over, or 65-74 certified by the 広域連合): the insurer number has the
//     法別番号 39; the ratio is InsuredPartialContributionRatio ("010", "020", "030"), which the
//     layout defines for 後期高齢者 only (public clinic code reads it as 「後期高齢者の一部負担割合」);
//   - 70 to 74 in any other insurance: the 高齢受給者証 (ElderlyRecipientCertificateInfo), when it is
//     valid on the day of the confirmation: ElderlyRecipientContributionRatio ("020" or "030");
//     without a valid one the kiosk shows nothing rather than guess (2割, or 3割 for 現役並み);
//   - younger: 3割 by law, 2割 before compulsory schooling (未就学: PreschoolClassification "1",
//     or younger than 6 by the birth date before the 1st of April after the 6th birthday).
// 医療扶助 (A1) and a qualification that is not valid show no share. The ratio is never shown raw
// ("030"): patients read 3割.
#pragma once

#include <optional>
#include <string>

#include "core/eligibility/result.hpp"

namespace kiosk::core::eligibility {

// Where the share comes from.
enum class CopaymentSource {
  LatterStageElderly,  // 後期高齢者医療: InsuredPartialContributionRatio
  ElderlyRecipient,    // 高齢受給者証: ElderlyRecipientContributionRatio
  Preschool,           // 未就学: 2割 by law
  ByAge,               // 6 to 69: 3割 by law
};
// "latter-stage-elderly", "elderly-recipient", "preschool", "by-age".
const char* to_string(CopaymentSource s);

struct Copayment {
  int tenths = 3;  // 1, 2 or 3: 1割, 2割, 3割
  CopaymentSource source = CopaymentSource::ByAge;
  // "010", "020", "030": the share as the OQS layout writes ratios (the kiosk screen's value).
  std::string ratio_code() const;
};

// "030" -> "3割", "020" -> "2割", "010" -> "1割" (what patients read); nothing for anything else.
std::optional<std::string> copayment_label(const std::string& ratio_code);

// True for a 後期高齢者医療 insurer number (8 digits starting with 39).
bool latter_stage_elderly_insurer(const std::string& insurer_number);

// Whole years of age on `on` (a birthday on 29 February counts on 1 March in common years, as
// 年齢計算ニ関スル法律 makes one a year older at the end of the day before the birthday).
int age_on(Date birthdate, Date on);

// The share to show for this qualification on `today` (the service's QualificationConfirmationDate),
// or nothing when the result does not say it (unknown age, a ratio missing or not 010/020/030,
// 70-74 without a valid 高齢受給者証, 医療扶助).
std::optional<Copayment> patient_copayment(const Qualification& q, Date today);

}  // namespace kiosk::core::eligibility
