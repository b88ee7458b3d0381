#include "sim/eligibility/rules.hpp"

#include <algorithm>

#include "hal/calendar.hpp"
#include "hal/calendar_months.hpp"
#include "sim/eligibility/japanese_calendar.hpp"

namespace kiosk::sim::eligibility {

namespace {

using namespace std::chrono;

// A filing older than this is visible whatever the holidays: 5 business days never span more.
constexpr days kCertainlyVisibleAfter{30};

const char* const kLagHint = "保険者への届出から反映まで数日かかることがあります。";

bool visible_after_lag(Date filed_on, Date today) {
  if (sys_days{today} - sys_days{filed_on} > kCertainlyVisibleAfter) return true;
  return sys_days{today} >= sys_days{visible_from(filed_on)};
}

bool started(const QualificationRecord& q, Date today) { return sys_days{q.qualification_date} <= sys_days{today}; }

void add_message(Evaluation& e, const char* code, const std::string& message) {
  if (e.code.empty()) e.code = code;
  if (!e.message.empty()) e.message += "\n";
  e.message += message;
}

void note_hidden(Evaluation& e, const QualificationRecord& q, Date today) {
  if (!acquisition_visible(q, today)) {
    e.notes.push_back("qualification " + q.key + " filed " + hal::calendar::format_iso_date(q.filed_on) +
                      " is not visible before " + hal::calendar::format_iso_date(visible_from(q.filed_on)) +
                      " (data-registration lag)");
  } else if (q.disqualification_date && q.loss_filed_on && !loss_visible(q, today)) {
    e.notes.push_back("loss of qualification " + q.key + " filed " + hal::calendar::format_iso_date(*q.loss_filed_on) +
                      " is not visible before " + hal::calendar::format_iso_date(visible_from(*q.loss_filed_on)) +
                      " (data-registration lag)");
  }
}

bool same_numbers(const QualificationRecord& q, const NumberQuery& query) {
  return q.insurer_number == query.insurer_number && q.symbol == query.symbol && q.number == query.number &&
         (!query.branch || q.branch == *query.branch);
}

std::string invalid_message(const QualificationRecord& q) {
  std::string m = "資格が無効です";
  if (q.disqualification_date) m += "（資格喪失日 " + japanese_date_text(*q.disqualification_date) + "）";
  m += "。加入している保険が変わった場合は、新しい保険の資格確認書、または資格情報のお知らせとマイナ保険証を受付窓口でご提示ください。";
  return m + kLagHint;
}

}  // namespace

Date japan_date(TimePoint t) { return hal::calendar::japan_date(t); }

std::string japanese_date_text(Date d) {
  return std::to_string(static_cast<int>(d.year())) + "年" + std::to_string(static_cast<unsigned>(d.month())) + "月" +
         std::to_string(static_cast<unsigned>(d.day())) + "日";
}

Date visible_from(Date filed_on) { return add_business_days(filed_on, kRegistrationLagBusinessDays); }

bool acquisition_visible(const QualificationRecord& q, Date today) { return visible_after_lag(q.filed_on, today); }

bool loss_visible(const QualificationRecord& q, Date today) {
  if (!q.disqualification_date) return false;
  // A loss without a filing date is known from the start (fixture data describing the past).
  return !q.loss_filed_on || visible_after_lag(*q.loss_filed_on, today);
}

bool is_lost(const QualificationRecord& q, Date today) {
  return acquisition_visible(q, today) && loss_visible(q, today) && sys_days{*q.disqualification_date} <= sys_days{today};
}

bool is_active(const QualificationRecord& q, Date today) {
  return acquisition_visible(q, today) && started(q, today) && !is_lost(q, today);
}

Evaluation evaluate_card_path(const std::vector<QualificationRecord>& qualifications, Date today) {
  Evaluation e;
  std::vector<QualificationRecord> active;
  std::vector<QualificationRecord> lost;
  for (const auto& q : qualifications) {
    note_hidden(e, q, today);
    if (is_active(q, today)) active.push_back(q);
    else if (is_lost(q, today)) lost.push_back(q);
  }
  if (active.size() == 1) {
    e.validity = Validity::Valid;
    e.shown = std::move(active);
  } else if (active.size() > 1) {
    e.validity = Validity::Multiple;
    e.shown = std::move(active);
    add_message(e, result_codes::kMultiple,
                "複数の資格が登録されています。受付窓口で、現在加入している保険をお申し出ください。");
  } else if (!lost.empty()) {
    // The most recently lost qualification is the one the patient is asking about.
    const auto latest = std::max_element(lost.begin(), lost.end(), [](const auto& a, const auto& b) {
      return sys_days{*a.disqualification_date} < sys_days{*b.disqualification_date};
    });
    e.validity = Validity::Invalid;
    e.shown = {*latest};
    add_message(e, result_codes::kInvalid, invalid_message(*latest));
  } else {
    e.validity = Validity::NoQualification;
    add_message(e, result_codes::kNoQualification,
                std::string("該当する資格が見つかりません。受付窓口にお申し出ください。") + kLagHint);
  }
  return e;
}

Evaluation evaluate_number_path(const NumberQuery& query, const std::vector<Candidate>& candidates, Date today) {
  Evaluation e;
  if (query.document == Document::QualificationNotice) {
    e.refused = true;
    add_message(e, result_codes::kNoticeAlone,
                "「資格情報のお知らせ」だけでは保険診療を受けられません。マイナ保険証（マイナンバーカード）と一緒にご提示ください。");
    return e;
  }
  if (query.document == Document::HealthInsuranceCard && sys_days{today} > sys_days{kHealthInsuranceCardLastDay}) {
    e.refused = true;
    add_message(e, result_codes::kOldCardAbolished,
                "従来の健康保険証は2025年12月1日で使用できなくなりました。マイナ保険証または資格確認書をご提示ください。");
    return e;
  }
  struct Match {
    const Candidate* candidate;
    const QualificationRecord* qualification;
  };
  std::vector<Match> matches;
  for (const auto& c : candidates) {
    if (sys_days{c.person.birth_date} != sys_days{query.birth_date}) continue;
    for (const auto& q : c.qualifications) {
      if (!same_numbers(q, query)) continue;
      note_hidden(e, q, today);
      if (acquisition_visible(q, today)) matches.push_back({&c, &q});
    }
  }
  if (matches.empty()) {
    e.validity = Validity::NoQualification;
    add_message(e, result_codes::kNoQualification,
                std::string("入力された番号と生年月日に該当する資格が見つかりません。番号と生年月日をご確認ください。") + kLagHint);
    return e;
  }
  if (matches.size() > 1) {
    e.validity = Validity::Multiple;
    add_message(e, result_codes::kMultiple, "複数の資格が該当しました。枝番を入力して、もう一度確認してください。");
    return e;
  }
  const QualificationRecord& q = *matches.front().qualification;
  if (query.document == Document::EligibilityCertificate && !q.eligibility_certificates.empty()) {
    const auto latest = std::max_element(q.eligibility_certificates.begin(), q.eligibility_certificates.end(),
                                         [](const auto& a, const auto& b) { return sys_days{a.valid_until} < sys_days{b.valid_until}; });
    if (sys_days{today} > sys_days{latest->valid_until}) {
      e.refused = true;
      add_message(e, result_codes::kEligibilityCertificateExpired,
                  "資格確認書の有効期限（" + japanese_date_text(latest->valid_until) +
                      "）が過ぎています。加入している保険者に新しい資格確認書を申請するか、マイナ保険証をご利用ください。");
      return e;
    }
  }
  if (is_active(q, today)) {
    e.validity = Validity::Valid;
    e.shown = {q};
    return e;
  }
  if (is_lost(q, today)) {
    const auto& others = matches.front().candidate->qualifications;
    const bool newer = std::any_of(others.begin(), others.end(), [&](const auto& other) {
      return other.id != q.id && is_active(other, today);
    });
    e.shown = {q};
    if (newer) {
      e.validity = Validity::InvalidNewer;
      add_message(e, result_codes::kInvalidNewer,
                  "この資格は無効です（資格喪失）。新しい資格が登録されています。マイナ保険証または新しい資格確認書をご提示ください。");
    } else {
      e.validity = Validity::Invalid;
      add_message(e, result_codes::kInvalid, invalid_message(q));
    }
    return e;
  }
  // Visible but not started yet (資格取得日 in the future).
  e.validity = Validity::NoQualification;
  add_message(e, result_codes::kNoQualification,
              "資格の開始日（" + japanese_date_text(q.qualification_date) + "）より前です。受付窓口にお申し出ください。");
  return e;
}

CertificateDates judge_certificate_dates(TimePoint not_before, TimePoint not_after, TimePoint now) {
  CertificateDates out;
  const Date today = japan_date(now);
  out.not_after = japan_date(not_after);
  // The alert runs from 3 calendar months before the expiry date to 3 after it, both counted
  // from the expiry date with the kiosk's own month arithmetic (hal/calendar_months.hpp).
  out.usable_until = hal::calendar::add_months(out.not_after, kCertificateGraceMonths);
  if (now < not_before) {
    out.judgement = CertificateJudgement::NotYetValid;
  } else if (now <= not_after) {
    out.judgement = sys_days{today} >= sys_days{hal::calendar::add_months(out.not_after, -kCertificateWarningMonths)}
                        ? CertificateJudgement::ExpiringSoon
                        : CertificateJudgement::Valid;
  } else {
    out.judgement = sys_days{today} <= sys_days{out.usable_until} ? CertificateJudgement::ExpiredInGrace
                                                                   : CertificateJudgement::Expired;
  }
  return out;
}

}  // namespace kiosk::sim::eligibility
