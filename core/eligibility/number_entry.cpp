#include "core/eligibility/number_entry.hpp"

#include <algorithm>

#include "hal/calendar.hpp"
#include "hal/insurer_number.hpp"

namespace kiosk::core::eligibility {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Spaces and hyphens inside a printed number are grouping only.
std::string without_grouping(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '-') out.push_back(c);
  }
  return out;
}

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

// UTF-8 code points, counting; false for malformed UTF-8 or control characters.
std::optional<std::size_t> printable_length(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return std::nullopt;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return std::nullopt;
    }
    if (len == 1 && (c < 0x20 || c == 0x7F)) return std::nullopt;
    i += len;
    ++n;
  }
  return n;
}

EntryProblem problem(const char* entry, const char* detail) { return EntryProblem{entry, detail}; }

}  // namespace

std::string narrow_ascii(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c0 = static_cast<unsigned char>(text[i]);
    // U+FF01..U+FF5E (EF BC 81 .. EF BD 9E) are the full-width forms of ASCII 0x21..0x7E.
    if (c0 == 0xEF && i + 2 < text.size()) {
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      const auto c2 = static_cast<unsigned char>(text[i + 2]);
      const unsigned cp = 0xF000u | ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu);
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        out.push_back(static_cast<char>(cp - 0xFF01 + 0x21));
        i += 2;
        continue;
      }
    }
    // U+3000 ideographic space (E3 80 80).
    if (c0 == 0xE3 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) == 0x80) {
      out.push_back(' ');
      i += 2;
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

std::optional<int> insurer_check_digit(std::string_view first_seven) { return hal::insurer_check_digit(first_seven); }

NumberEntry entry_from_document(const hal::DocumentFields& f) {
  NumberEntry e;
  e.document = f.kind == hal::DocumentKind::HealthInsuranceCard ? PresentedDocument::HealthInsuranceCard
                                                                : PresentedDocument::EligibilityCertificate;
  e.insurer_number = std::string(f.insurer_number.text);
  e.symbol = std::string(f.symbol.text);
  e.number = std::string(f.number.text);
  e.branch = std::string(f.branch.text);
  e.birthdate = std::string(f.birthdate.text);
  return e;
}

std::variant<NumberLookup, EntryProblem> check_number_entry(const NumberEntry& e) {
  NumberLookup l;
  l.document = e.document;
  l.limit_application_consent = e.limit_application_consent;

  std::string insurer = without_grouping(narrow_ascii(e.insurer_number));
  if (insurer.size() == 6 && all_digits(insurer)) insurer = "00" + insurer;  // 国民健康保険
  if (insurer.size() != 8 || !all_digits(insurer)) return problem("insurer_number", "not 6 or 8 digits");
  if (insurer_check_digit(std::string_view(insurer).substr(0, 7)) != insurer[7] - '0') {
    return problem("insurer_check_digit", "the check digit does not match");
  }
  l.insurer_number = insurer;

  l.insured_card_symbol = trimmed(narrow_ascii(e.symbol));
  const auto symbol_length = printable_length(l.insured_card_symbol);
  if (!symbol_length || *symbol_length > 20) return problem("symbol", "longer than 20 characters or not text");

  l.insured_identification_number = without_grouping(trimmed(narrow_ascii(e.number)));
  const auto number_length = printable_length(l.insured_identification_number);
  if (!number_length || *number_length == 0 || *number_length > 20) return problem("number", "empty, too long or not text");

  const std::string branch = without_grouping(narrow_ascii(e.branch));
  if (!branch.empty()) {
    if (branch.size() > 2 || !all_digits(branch)) return problem("branch", "not 1 or 2 digits");
    l.insured_branch_number = branch.size() == 1 ? "0" + branch : branch;
  }

  const std::string birth = without_grouping(narrow_ascii(e.birthdate));
  const auto date = birth.size() == 8 ? hal::calendar::parse_yyyymmdd(birth) : std::nullopt;
  if (!date || static_cast<int>(date->year()) < 1900) return problem("birthdate", "not a YYYYMMDD date from 1900 on");
  l.birthdate = *date;
  return l;
}

}  // namespace kiosk::core::eligibility
