// The numbers of a 資格確認書 (or an old 健康保険証) as the patient types them at the kiosk, or as a
// document reader reads them (hal/document_reader.hpp), checked and turned into the number-path
// lookup (docs/reception-rules.md §12): insurer number, symbol, number, branch and birth date.
//
// What is checked, so that a typo gets "check the insurer number" rather than 該当資格なし:
//   - insurer number: 8 digits, or 6 for 国民健康保険 (padded with "00"), with the check digit
//     of 保険者番号設定要領 (weights 2,1,2,... from the digit before the check digit, digit sums of
//     the products added, the check digit is 10 minus the last digit of the sum, 0 for 10);
//   - number (番号): 1 to 20 characters, no control characters;
//   - symbol (記号): optional, up to 20 characters (kana and kanji are kept as typed);
//   - branch (枝番): optional, 1 or 2 digits ("1" becomes "01");
//   - birth date: YYYYMMDD or YYYY-MM-DD, a real date from 1900 on.
// Full-width digits and letters are read as ASCII; spaces and hyphens inside numbers are
// dropped (numbers are printed in groups).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/eligibility/result.hpp"
#include "hal/document_reader.hpp"

namespace kiosk::core::eligibility {

struct NumberEntry {
  PresentedDocument document = PresentedDocument::EligibilityCertificate;
  std::string insurer_number;
  std::string symbol;
  std::string number;
  std::string branch;
  std::string birthdate;  // YYYYMMDD or YYYY-MM-DD
  bool limit_application_consent = false;  // the patient agrees to 限度額・特定疾病 information
};

// Which entry is wrong: "insurer_number" (not 6 or 8 digits), "insurer_check_digit", "symbol",
// "number", "branch", "birthdate". The kiosk screen names the entry with these.
struct EntryProblem {
  std::string entry;
  std::string detail;  // for the journal and logs (no personal data: never the value)
};

// The lookup, or what is wrong with the entry.
std::variant<NumberLookup, EntryProblem> check_number_entry(const NumberEntry& entry);

// The form as the document reader read it (hal/document_reader.hpp): the kind of document, the
// numbers as read, the birth date (YYYYMMDD). The patient checks and corrects it on the screen;
// it is looked up only when the patient sends it (check_number_entry() as for typed numbers).
NumberEntry entry_from_document(const hal::DocumentFields& fields);

// The check digit of the first 7 digits of an 8-digit insurer number; nothing when they are not
// 7 digits.
std::optional<int> insurer_check_digit(std::string_view first_seven);

// Full-width digits and Latin letters as ASCII, ideographic spaces as spaces (other text kept).
std::string narrow_ascii(std::string_view text);

}  // namespace kiosk::core::eligibility
