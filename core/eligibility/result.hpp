// The result of an eligibility confirmation (資格確認結果), mirroring the public OQS result
// fields (docs/reception-rules.md §10-§11; element names of 別紙3-1 XMLレイアウト as used
// by public clinic code), and the envelope the kiosk's service adds around it (confirmation id,
// registration offer, certificate notice). Codes keep their wire values ("01", "A1", "030"):
// the reception system reads them as they are.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::core::eligibility {

using Date = std::chrono::year_month_day;
// An instant. On the wire and in the XML it is written as Japan time "YYYYMMDDHHMMSS".
using Timestamp = std::chrono::sys_seconds;

// 資格有効性 (OQSCD006).
enum class QualificationValidity {
  Valid = 1,                      // 有効
  Invalid = 2,                    // 無効 (ReasonOfLoss says why)
  InvalidNewerQualification = 3,  // 無効（新しい資格あり）
  NoQualification = 4,            // 該当資格なし
  MultipleMatches = 5,            // 複数該当
  ValidUnregistered = 6,          // 有効（未登録）: 医療扶助 only
};
// 処理結果状況 (OQSCD004).
enum class ProcessingResultStatus { Normal = 1, Error = 2 };
// 照会区分.
enum class ReferenceClassification { MyNumberCard = 1, InsuranceNumbers = 2 };
// 本人・家族の別.
enum class PersonalFamily { Insured = 1, Dependent = 2 };
// 性別1 / 性別2.
enum class Sex { Male = 1, Female = 2, Unset = 3 };
// Consent flags: 0 未同意 / 1 同意; 2 期限切れ (特定疾病).
enum class ConsentFlag { NotGiven = 0, Given = 1, Expired = 2 };
// 処方箋発行形態.
enum class PrescriptionIssue { Electronic = 1, Paper = 2 };

// "有効", "無効", "無効（新しい資格あり）", "該当資格なし", "複数該当", "有効（未登録）".
std::string_view label(QualificationValidity v);

// 高齢受給者証情報.
struct ElderlyRecipientCertificate {
  std::optional<Date> issuance_date;  // ElderlyRecipientCertificateDate
  std::optional<Date> valid_start;    // ElderlyRecipientValidStartDate
  std::optional<Date> valid_end;      // ElderlyRecipientValidEndDate
  std::string contribution_ratio;     // ElderlyRecipientContributionRatio, "020" = 20 %
  friend bool operator==(const ElderlyRecipientCertificate&, const ElderlyRecipientCertificate&) = default;
};

// 限度額適用認定証関連情報.
struct LimitApplicationCertificate {
  std::string classification;       // LimitApplicationCertificateClassification 01/02/03
  std::string classification_flag;  // LimitApplicationCertificateClassificationFlag A01..A06, B01..B10 (OQSCD012)
  std::optional<Date> issuance_date;
  std::optional<Date> valid_start;
  std::optional<Date> valid_end;
  std::optional<Date> long_term_date;  // 長期入院該当年月日
  friend bool operator==(const LimitApplicationCertificate&, const LimitApplicationCertificate&) = default;
};

// 特定疾病療養受療証情報.
struct SpecificDiseaseCertificate {
  std::string disease_category;  // SpecificDiseasesDiseaseCategory (OQSCD013): 1 透析, 2 血友病, 3 HIV
  std::optional<Date> issuance_date;
  std::optional<Date> valid_start;
  std::optional<Date> valid_end;
  std::string self_pay;  // SpecificDiseasesSelfPay, yen
  friend bool operator==(const SpecificDiseaseCertificate&, const SpecificDiseaseCertificate&) = default;
};

// 医療券・調剤券情報 (PublicExpenseResultList, 医療扶助): kept as written by OQS.
struct MedicalTicket {
  std::string ticket_type;  // TicketType: 医療券 / 調剤券
  std::optional<Date> valid_date;
  std::optional<Date> expiration_date;
  std::string issue_number;
  std::string medical_treatment_month;  // YYYYMM
  std::string designated_medical_institution_code;
  std::string designated_medical_institution_flag;
  std::string designated_medical_institution_name;
  std::string prescription_issuer_medical_institution_code;
  std::string prescription_issuer_medical_institution_name;
  std::string injury_name1;
  std::string injury_name2;
  std::string injury_name3;
  std::string medical_treatment_type;
  std::string self_pay_amount;
  std::string district_contact_name;
  std::string handling_contact_name;
  std::string single_or_combined_use;
  std::string status_of_social_insurance;
  std::string consistency_flag;
  std::string status_of_infection;
  std::string status_of_elderly_medical_care;
  std::string status_of_prefectural_expenses;
  std::string remarks1;
  std::string remarks2;
  std::string remarks3;
  friend bool operator==(const MedicalTicket&, const MedicalTicket&) = default;
};

// One consent flag with its time and, for the viewing consents, how long viewing stays open.
struct Consent {
  ConsentFlag flag = ConsentFlag::NotGiven;
  std::optional<Timestamp> time;             // ...ConsTime
  std::optional<Timestamp> available_until;  // ...AvailableTime (viewing consents only)
  friend bool operator==(const Consent&, const Consent&) = default;
};

// ResultOfQualificationConfirmation.
struct Qualification {
  std::string insured_card_classification;  // 01 一般, 02 退職, 03/04 短期, 05 資格証明書, 06 特例退職, 07 自衛官, A1 医療扶助
  std::string insurer_number;               // 8 digits
  std::string insured_card_symbol;          // 記号 (may be empty)
  std::string insured_identification_number;  // 番号
  std::string insured_branch_number;        // 枝番, 2 digits
  std::optional<PersonalFamily> personal_family;
  std::string insured_name;  // 被保険者氏名（世帯主氏名）
  std::string name;
  std::string name_of_other;
  std::string name_kana;  // half-width kana
  std::string name_of_other_kana;
  std::optional<Sex> sex1;
  std::optional<Sex> sex2;
  std::optional<Date> birthdate;
  std::string address;
  std::string post_number;
  std::optional<Date> qualification_date;     // 資格取得年月日
  std::optional<Date> disqualification_date;  // 資格喪失年月日
  std::optional<Date> insured_certificate_issuance_date;
  std::optional<Date> insured_card_valid_date;
  std::optional<Date> insured_card_expiration_date;
  std::string insured_partial_contribution_ratio;  // "030" = 30 %
  std::string preschool_classification;            // 1 未就学, 2 就学中
  std::string reason_of_loss;                      // 01 死亡, 02 生活保護, 03 他医療保険取得, 99 その他
  std::string insurer_name;
  std::optional<ElderlyRecipientCertificate> elderly_recipient;
  Consent limit_application_consent;  // LimitApplicationCertificateRelatedConsFlg/Time
  std::optional<LimitApplicationCertificate> limit_application;
  Consent specific_diseases_consent;  // SpecificDiseasesCertificateRelatedConsFlg/Time
  std::vector<SpecificDiseaseCertificate> specific_diseases;
  std::vector<MedicalTicket> public_expense_results;  // 医療扶助 only
  // Medical-information viewing consents (one comprehensive consent since 2024-10-07).
  Consent specific_health_checkups;  // 特定健診
  Consent pharmacists;               // 薬剤
  Consent diagnosis;                 // 診療
  Consent operation;                 // 手術
  friend bool operator==(const Qualification&, const Qualification&) = default;
};

// QualificationConfirmSearchInfo: what was looked up on the number path.
struct SearchInfo {
  std::string insurer_number;
  std::string insured_card_symbol;
  std::string insured_identification_number;
  std::string insured_branch_number;
  std::optional<Date> birthdate;
  ConsentFlag limit_application_consent = ConsentFlag::NotGiven;
  friend bool operator==(const SearchInfo&, const SearchInfo&) = default;
};

struct MessageHeader {
  std::optional<Timestamp> process_execution_time;
  std::optional<Date> qualification_confirmation_date;
  std::string medical_institution_code;   // 10 digits
  std::string arbitrary_file_identifier;  // set by the kiosk when it writes the result file
  std::optional<ReferenceClassification> reference_classification;
  std::string segment_of_result = "1";  // 1 正常終了 (2 処理中, 9 異常終了)
  std::string error_code;
  std::string error_message;
  std::string character_code_identifier = "0";  // 0 = UTF-8
  friend bool operator==(const MessageHeader&, const MessageHeader&) = default;
};

struct MessageBody {
  std::optional<SearchInfo> search_info;
  std::optional<PrescriptionIssue> prescription_issue_select;
  ProcessingResultStatus processing_result_status = ProcessingResultStatus::Normal;
  std::string processing_result_code;     // set on error, or on success with supplementary information
  std::string processing_result_message;  // shown as it is
  std::optional<QualificationValidity> qualification_validity;  // absent when processing failed
  std::vector<Qualification> results;                          // ResultList
  friend bool operator==(const MessageBody&, const MessageBody&) = default;
};

// XmlMsg.
struct OqsResult {
  MessageHeader header;
  MessageBody body;
  friend bool operator==(const OqsResult&, const OqsResult&) = default;
};

// The state of the card's user-authentication certificate as the service judged it.
enum class CardCertificateState { Valid, ExpiringSoon, ExpiredInGrace };
// "valid", "expiring-soon", "expired-in-grace" (the wire names).
std::string_view to_string(CardCertificateState s);

struct CardCertificateNotice {
  CardCertificateState state = CardCertificateState::Valid;
  std::optional<Date> not_after;     // last day of validity (Japan time)
  std::optional<Date> usable_until;  // ExpiredInGrace: last day the card may still be used
  friend bool operator==(const CardCertificateNotice&, const CardCertificateNotice&) = default;
};

// The card is not registered for insurance use (保険証利用登録): the kiosk offers registration on
// the spot; with the patient's consent it calls EligibilityClient::register_for_insurance_use.
struct RegistrationOffer {
  std::string ticket;  // single use, bound to this terminal and card
  Timestamp expires_at{};
  std::string message;  // to show as it is
  friend bool operator==(const RegistrationOffer&, const RegistrationOffer&) = default;
};

enum class ConfirmationMethod { Pin, Face, Visual, Numbers };
// "pin", "face", "visual", "numbers" (the wire names).
std::string_view to_string(ConfirmationMethod m);

struct Confirmation {
  std::string confirmation_id;  // for record_consent (card path only)
  ConfirmationMethod method = ConfirmationMethod::Pin;
  std::optional<OqsResult> result;  // absent when registration_offer is present
  std::optional<RegistrationOffer> registration_offer;
  std::optional<CardCertificateNotice> card_certificate;  // card path only
  // ひも付け under review: the qualification is shown, medical information cannot be viewed.
  bool medical_information_viewing_suspended = false;
  friend bool operator==(const Confirmation&, const Confirmation&) = default;
};

// The patient's answers on the consent screen.
struct ConsentChoice {
  bool medical_information = false;  // 包括同意: 薬剤・特定健診・診療・手術
  std::optional<PrescriptionIssue> prescription;
};

// What the patient showed at the counter for the number path.
enum class PresentedDocument {
  EligibilityCertificate,  // 資格確認書
  HealthInsuranceCard,     // 従来の健康保険証 (usable until 2025-12-01)
  QualificationNotice,     // 資格情報のお知らせ (never a qualification on its own)
};
// "eligibility-certificate", "health-insurance-card", "qualification-notice".
std::string_view to_string(PresentedDocument d);

struct NumberLookup {
  PresentedDocument document = PresentedDocument::EligibilityCertificate;
  std::string insurer_number;  // 8 digits (6-digit 国保 numbers are zero-padded by the client)
  std::string insured_card_symbol;
  std::string insured_identification_number;
  std::optional<std::string> insured_branch_number;  // 2 digits; absent: any branch
  Date birthdate{};
  bool limit_application_consent = false;
};

struct ServiceHealth {
  std::string status;   // "ok"
  std::string service;  // name and version of the service
  int api_version = 0;
  std::optional<Timestamp> time;  // the service's clock
};

}  // namespace kiosk::core::eligibility
