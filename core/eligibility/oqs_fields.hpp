// The OQS result layout, written once: element names and order of MessageHeader, MessageBody
// and ResultOfQualificationConfirmation (docs/reception-rules.md §11; 別紙3-1 Ver8.07 names as
// public code uses them). The JSON codec and the XML result file both walk these lists, so the
// protocol and the file cannot drift apart.
//
// A visitor provides (each a template over the value's constness):
//   text(name, std::string&)                 free text / code kept as written
//   date(name, std::optional<Date>&)         YYYYMMDD
//   time(name, std::optional<Timestamp>&)    YYYYMMDDHHMMSS, Japan time
//   code(name, std::optional<E>&)            an enum written as its number
//   required(name, E&)                       an enum that is always written (consent flags, status)
//   group(name, std::optional<S>&, fn)       a nested element; fn(S&, visitor)
//   list(name, item_name, std::vector<S>&, fn)  a list element of repeated items
#pragma once

#include <string>

#include "core/eligibility/result.hpp"

namespace kiosk::core::eligibility::oqs {

// Enums written as their numbers; `valid_code` says which numbers the layout knows.
template <typename E>
bool valid_code(int n);
template <>
inline bool valid_code<QualificationValidity>(int n) { return n >= 1 && n <= 6; }
template <>
inline bool valid_code<ProcessingResultStatus>(int n) { return n == 1 || n == 2; }
template <>
inline bool valid_code<ReferenceClassification>(int n) { return n == 1 || n == 2; }
template <>
inline bool valid_code<PersonalFamily>(int n) { return n == 1 || n == 2; }
template <>
inline bool valid_code<Sex>(int n) { return n >= 1 && n <= 3; }
template <>
inline bool valid_code<ConsentFlag>(int n) { return n >= 0 && n <= 2; }
template <>
inline bool valid_code<PrescriptionIssue>(int n) { return n == 1 || n == 2; }

// "PharmacistsInfo" -> PharmacistsInfoConsFlg, ...ConsTime, ...AvailableTime.
template <typename C, typename V>
void consent(V& v, const std::string& prefix, C& c, bool has_available_time) {
  v.required(prefix + "ConsFlg", c.flag);
  v.time(prefix + "ConsTime", c.time);
  if (has_available_time) v.time(prefix + "AvailableTime", c.available_until);
}

template <typename S, typename V>
void elderly(S& e, V& v) {
  v.date("ElderlyRecipientCertificateDate", e.issuance_date);
  v.date("ElderlyRecipientValidStartDate", e.valid_start);
  v.date("ElderlyRecipientValidEndDate", e.valid_end);
  v.text("ElderlyRecipientContributionRatio", e.contribution_ratio);
}

template <typename S, typename V>
void limit_application(S& l, V& v) {
  v.text("LimitApplicationCertificateClassification", l.classification);
  v.text("LimitApplicationCertificateClassificationFlag", l.classification_flag);
  v.date("LimitApplicationCertificateDate", l.issuance_date);
  v.date("LimitApplicationCertificateValidStartDate", l.valid_start);
  v.date("LimitApplicationCertificateValidEndDate", l.valid_end);
  v.date("LimitApplicationCertificateLongTermDate", l.long_term_date);
}

template <typename S, typename V>
void specific_disease(S& s, V& v) {
  v.text("SpecificDiseasesDiseaseCategory", s.disease_category);
  v.date("SpecificDiseasesCertificateDate", s.issuance_date);
  v.date("SpecificDiseasesValidStartDate", s.valid_start);
  v.date("SpecificDiseasesValidEndDate", s.valid_end);
  v.text("SpecificDiseasesSelfPay", s.self_pay);
}

// MedicalTicketInfo (医療扶助). "StatusOfInfection": one public parser spells it
// "StatusOfInfecton" (UNCERTAIN which the layout uses).
template <typename S, typename V>
void medical_ticket(S& t, V& v) {
  v.text("TicketType", t.ticket_type);
  v.date("MedicalTicketValidDate", t.valid_date);
  v.date("MedicalTicketExpirationDate", t.expiration_date);
  v.text("IssueNumber", t.issue_number);
  v.text("MedicalTreatmentMonth", t.medical_treatment_month);
  v.text("DesignatedMedicalInstitutionCode", t.designated_medical_institution_code);
  v.text("DesignatedMedicalInstitutionFlag", t.designated_medical_institution_flag);
  v.text("DesignatedMedicalInstitutionName", t.designated_medical_institution_name);
  v.text("PrescriptionIssuerMedicalInstitutionCode", t.prescription_issuer_medical_institution_code);
  v.text("PrescriptionIssuerMedicalInstitutionName", t.prescription_issuer_medical_institution_name);
  v.text("InjuryName1", t.injury_name1);
  v.text("InjuryName2", t.injury_name2);
  v.text("InjuryName3", t.injury_name3);
  v.text("MedicalTreatmentType", t.medical_treatment_type);
  v.text("SelfPayAmount", t.self_pay_amount);
  v.text("DistrictContactName", t.district_contact_name);
  v.text("HandlingContactName", t.handling_contact_name);
  v.text("SingleOrCombinedUse", t.single_or_combined_use);
  v.text("StatusOfSocialInsurance", t.status_of_social_insurance);
  v.text("ConsistencyFlag", t.consistency_flag);
  v.text("StatusOfInfection", t.status_of_infection);
  v.text("StatusOfElderlyMedicalCare", t.status_of_elderly_medical_care);
  v.text("StatusOfPrefecturalExpenses", t.status_of_prefectural_expenses);
  v.text("Remarks1", t.remarks1);
  v.text("Remarks2", t.remarks2);
  v.text("Remarks3", t.remarks3);
}

// ResultOfQualificationConfirmation.
template <typename S, typename V>
void qualification(S& q, V& v) {
  v.text("InsuredCardClassification", q.insured_card_classification);
  v.text("InsurerNumber", q.insurer_number);
  v.text("InsuredCardSymbol", q.insured_card_symbol);
  v.text("InsuredIdentificationNumber", q.insured_identification_number);
  v.text("InsuredBranchNumber", q.insured_branch_number);
  v.code("PersonalFamilyClassification", q.personal_family);
  v.text("InsuredName", q.insured_name);
  v.text("Name", q.name);
  v.text("NameOfOther", q.name_of_other);
  v.text("NameKana", q.name_kana);
  v.text("NameOfOtherKana", q.name_of_other_kana);
  v.code("Sex1", q.sex1);
  v.code("Sex2", q.sex2);
  v.date("Birthdate", q.birthdate);
  v.text("Address", q.address);
  v.text("PostNumber", q.post_number);
  v.date("QualificationDate", q.qualification_date);
  v.date("DisqualificationDate", q.disqualification_date);
  v.date("InsuredCertificateIssuanceDate", q.insured_certificate_issuance_date);
  v.date("InsuredCardValidDate", q.insured_card_valid_date);
  v.date("InsuredCardExpirationDate", q.insured_card_expiration_date);
  v.text("InsuredPartialContributionRatio", q.insured_partial_contribution_ratio);
  v.text("PreschoolClassification", q.preschool_classification);
  v.text("ReasonOfLoss", q.reason_of_loss);
  v.text("InsurerName", q.insurer_name);
  v.group("ElderlyRecipientCertificateInfo", q.elderly_recipient, [](auto& e, auto& vv) { elderly(e, vv); });
  consent(v, "LimitApplicationCertificateRelated", q.limit_application_consent, false);
  v.group("LimitApplicationCertificateRelatedInfo", q.limit_application,
          [](auto& l, auto& vv) { limit_application(l, vv); });
  consent(v, "SpecificDiseasesCertificateRelated", q.specific_diseases_consent, false);
  v.list("SpecificDiseasesCertificateList", "SpecificDiseasesCertificateInfo", q.specific_diseases,
         [](auto& s, auto& vv) { specific_disease(s, vv); });
  v.list("PublicExpenseResultList", "MedicalTicketInfo", q.public_expense_results,
         [](auto& t, auto& vv) { medical_ticket(t, vv); });
  consent(v, "SpecificHealthCheckupsInfo", q.specific_health_checkups, true);
  consent(v, "PharmacistsInfo", q.pharmacists, true);
  consent(v, "DiagnosisInfo", q.diagnosis, true);
  consent(v, "OperationInfo", q.operation, true);
}

// QualificationConfirmSearchInfo.
template <typename S, typename V>
void search_info(S& s, V& v) {
  v.text("InsurerNumber", s.insurer_number);
  v.text("InsuredCardSymbol", s.insured_card_symbol);
  v.text("InsuredIdentificationNumber", s.insured_identification_number);
  v.text("InsuredBranchNumber", s.insured_branch_number);
  v.date("Birthdate", s.birthdate);
  v.required("LimitApplicationCertificateRelatedConsFlg", s.limit_application_consent);
}

template <typename S, typename V>
void header(S& h, V& v) {
  v.time("ProcessExecutionTime", h.process_execution_time);
  v.date("QualificationConfirmationDate", h.qualification_confirmation_date);
  v.text("MedicalInstitutionCode", h.medical_institution_code);
  v.text("ArbitraryFileIdentifier", h.arbitrary_file_identifier);
  v.code("ReferenceClassification", h.reference_classification);
  v.text("SegmentOfResult", h.segment_of_result);
  v.text("ErrorCode", h.error_code);
  v.text("ErrorMessage", h.error_message);
  v.text("CharacterCodeIdentifier", h.character_code_identifier);
}

template <typename S, typename V>
void body(S& b, V& v) {
  v.group("QualificationConfirmSearchInfo", b.search_info, [](auto& s, auto& vv) { search_info(s, vv); });
  v.code("PrescriptionIssueSelect", b.prescription_issue_select);
  v.required("ProcessingResultStatus", b.processing_result_status);
  v.text("ProcessingResultCode", b.processing_result_code);
  v.text("ProcessingResultMessage", b.processing_result_message);
  v.code("QualificationValidity", b.qualification_validity);
  v.list("ResultList", "ResultOfQualificationConfirmation", b.results,
         [](auto& q, auto& vv) { qualification(q, vv); });
}

}  // namespace kiosk::core::eligibility::oqs
