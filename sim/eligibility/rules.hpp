// The rules of the simulated eligibility service, as pure functions of the records and today's
// date (Japan time), so that every rule and every boundary is testable without a server:
//  - data-registration lag: a qualification (or its loss) filed less than 5 business days ago
//    is not visible yet (docs/reception-rules.md §13: 「5日以内にデータ登録」,「約3~5営業日」);
//  - statuses 有効 / 無効 (with the reason of loss) / 無効（新しい資格あり） / 該当資格なし / 複数該当;
//  - old 健康保険証 numbers refused from 2025-12-02 (usable until 2025-12-01);
//  - 資格確認書 refused after its validity;
//  - 資格情報のお知らせ alone is never a qualification;
//  - the card's user-authentication certificate: usable until its expiry, and for 3 months
//    after it (special measure, docs/reception-rules.md §4), warned about 3 months before.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/eligibility/records.hpp"

namespace kiosk::sim::eligibility {

// 資格有効性 (OQSCD006).
enum class Validity { Valid = 1, Invalid = 2, InvalidNewer = 3, NoQualification = 4, Multiple = 5 };

inline constexpr int kRegistrationLagBusinessDays = 5;
// The last day an old-style 健康保険証 can be used.
inline constexpr Date kHealthInsuranceCardLastDay{std::chrono::year{2025}, std::chrono::month{12}, std::chrono::day{1}};
// Expiry warning before, and grace after, the certificate's notAfter (calendar months).
inline constexpr int kCertificateWarningMonths = 3;
inline constexpr int kCertificateGraceMonths = 3;

// ProcessingResultCode values of this simulator (the real 別紙6-1 codes are not public).
namespace result_codes {
inline constexpr const char* kCertificateExpiringSoon = "W1001";
inline constexpr const char* kCertificateInGrace = "W1002";
inline constexpr const char* kViewingSuspended = "W1003";
inline constexpr const char* kOldCardAbolished = "E2001";
inline constexpr const char* kEligibilityCertificateExpired = "E2002";
inline constexpr const char* kNoticeAlone = "E2003";
inline constexpr const char* kInvalid = "I3002";
inline constexpr const char* kInvalidNewer = "I3003";
inline constexpr const char* kNoQualification = "I3004";
inline constexpr const char* kMultiple = "I3005";
}  // namespace result_codes

// The calendar date in Japan at that instant.
Date japan_date(TimePoint t);
// "2025年12月1日".
std::string japanese_date_text(Date d);

// The first day the acquisition (or the loss) filed on `filed_on` is visible.
Date visible_from(Date filed_on);
bool acquisition_visible(const QualificationRecord& q, Date today);
bool loss_visible(const QualificationRecord& q, Date today);
// Visible, started (資格取得日 <= today) and not lost as far as the service knows.
bool is_active(const QualificationRecord& q, Date today);
// Visible with a visible loss that has taken effect (資格喪失日 <= today).
bool is_lost(const QualificationRecord& q, Date today);

struct Evaluation {
  bool refused = false;  // ProcessingResultStatus 2 (エラー): no validity, no qualification data
  std::optional<Validity> validity;
  std::vector<QualificationRecord> shown;  // ResultList
  std::string code;      // ProcessingResultCode (empty: none)
  std::string message;   // ProcessingResultMessage, shown as it is
  std::vector<std::string> notes;  // for the audit (records hidden by the lag, ...)
};

// Card path: all qualifications of the card holder.
Evaluation evaluate_card_path(const std::vector<QualificationRecord>& qualifications, Date today);

enum class Document { EligibilityCertificate, HealthInsuranceCard, QualificationNotice };

struct NumberQuery {
  Document document = Document::EligibilityCertificate;
  std::string insurer_number;
  std::string symbol;
  std::string number;
  std::optional<std::string> branch;
  Date birth_date{};
};

// A person who holds a qualification with the queried insurer/symbol/number, with all of their
// qualifications (a newer qualification elsewhere makes a lost one 無効（新しい資格あり）).
struct Candidate {
  PersonRecord person;
  std::vector<QualificationRecord> qualifications;
};

// Number path (資格確認書 / 健康保険証 / 資格情報のお知らせ).
Evaluation evaluate_number_path(const NumberQuery& query, const std::vector<Candidate>& candidates, Date today);

enum class CertificateJudgement { Valid, ExpiringSoon, ExpiredInGrace, Expired, NotYetValid };

struct CertificateDates {
  CertificateJudgement judgement = CertificateJudgement::Valid;
  Date not_after{};     // Japan date of notAfter
  Date usable_until{};  // last day the card may be used (not_after + grace)
};

// The date rules for the card's user-authentication certificate at `now`.
CertificateDates judge_certificate_dates(TimePoint not_before, TimePoint not_after, TimePoint now);

// Calendar months: hal::calendar::add_months (the kiosk's certificate check uses the same one).

}  // namespace kiosk::sim::eligibility
