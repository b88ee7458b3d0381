// The simulated national service's data, as the fixture describes it and the SQLite database
// stores it: people, their cards (by the SHA-256 of the user-authentication certificate),
// registration for insurance use, qualifications with their filing dates, 資格確認書, consents
// and revoked certificates. No My Number anywhere: people are keyed by a fixture id and cards
// by their certificate.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kiosk::sim::eligibility {

using Date = std::chrono::year_month_day;
using TimePoint = std::chrono::system_clock::time_point;

struct PersonRecord {
  std::int64_t id = 0;
  std::string key;  // the fixture's id, e.g. "taro"
  std::string name;
  std::string name_kana;  // half-width kana, as OQS returns it
  std::string name_of_other;
  std::string name_of_other_kana;
  std::string sex = "3";  // 1 男, 2 女, 3 未設定
  Date birth_date{};
  std::string address;
  std::string post_number;
  bool linkage_under_review = false;  // ひも付け確認中: medical information viewing suspended
  std::optional<Date> registered_for_insurance_use;  // 保険証利用登録 (date), or not registered
};

struct CardRecord {
  std::int64_t id = 0;
  std::optional<std::int64_t> person_id;
  std::string certificate_sha256;  // lower-case hex of the DER auth certificate
  std::string subject;
  std::string serial;  // upper-case hex
  std::string label;   // where the fixture took it from (card file, certificate file)
  // SHA-256 (hex) of the card's 券面AP key as written in its card-face record (DF24), registered at
  // issue: from a card file; empty when the fixture names the card by its certificate only.
  std::string card_face_key_sha256;
};

struct EligibilityCertificateRecord {  // 資格確認書
  Date issued_on{};
  Date valid_until{};  // last valid day
};

struct QualificationRecord {
  std::int64_t id = 0;
  std::int64_t person_id = 0;
  std::string key;  // fixture id
  std::string insurer_number;  // 8 digits
  std::string insurer_name;
  std::string symbol;
  std::string number;
  std::string branch;                      // 2 digits
  std::string card_classification = "01";  // InsuredCardClassification
  std::string personal_family = "1";       // 1 本人, 2 家族
  std::string insured_name;                // 被保険者（世帯主）氏名
  Date qualification_date{};               // 資格取得日
  Date filed_on{};                         // the insurer received the acquisition filing
  std::optional<Date> disqualification_date;  // 資格喪失日 (first day without qualification)
  std::optional<Date> loss_filed_on;          // the insurer received the loss filing
  std::string reason_of_loss;                 // 01 死亡, 02 生活保護, 03 他保険取得, 99 その他
  std::string contribution_ratio;             // "030"
  std::string preschool;                      // 1 未就学, 2 就学中
  std::optional<Date> certificate_issuance_date;
  std::optional<Date> card_valid_date;
  std::optional<Date> card_expiration_date;
  // Optional OQS sub-records, stored as OQS-named JSON objects (see the fixture documentation).
  nlohmann::json elderly;            // ElderlyRecipientCertificateInfo fields, or null
  nlohmann::json limit_application;  // LimitApplicationCertificateRelatedInfo fields, or null
  nlohmann::json specific_diseases;  // array of SpecificDiseasesCertificateInfo, or null
  nlohmann::json public_expense;     // array of MedicalTicketInfo (医療扶助), or null
  std::vector<EligibilityCertificateRecord> eligibility_certificates;
};

struct ConsentRecord {
  std::int64_t person_id = 0;
  std::string medical_institution_code;
  bool medical_information = false;  // 包括同意 given (false: declined)
  TimePoint consented_at{};
  TimePoint available_until{};  // consented_at + 24 h
};

struct RevocationRecord {
  std::string issuer;  // RFC 2253 of the issuing CA
  std::string serial;  // upper-case hex
  TimePoint revoked_at{};
  std::string source;  // "fixture" or the CRL file
};

}  // namespace kiosk::sim::eligibility
