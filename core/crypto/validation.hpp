// Checking a card certificate: chain to a JPKI trust anchor, revocation, and the dates, with
// the kiosk's policy for warnings and a grace period.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/certificate.hpp"
#include "core/crypto/trust_store.hpp"

namespace kiosk::core::crypto {

enum class ValidationStatus {
  Valid,           // chain, revocation and dates all fine
  ExpiringSoon,    // valid, expires within ValidationPolicy::expiry_warning_months
  ExpiredInGrace,  // expired (the leaf, or a CA of its chain) but within the grace period: usable, warn
  Expired,         // the leaf expired beyond the grace period
  NotYetValid,     // the leaf's notBefore is after the check time
  Revoked,         // a CRL of the issuing CA lists the certificate
  Untrusted,       // no chain to a trust anchor, bad signature, expired CA, missing required CRL
};

// "valid", "expiring-soon", "expired-in-grace", "expired", "not-yet-valid", "revoked", "untrusted".
std::string_view to_string(ValidationStatus status);
// A short English sentence saying what the status means for the patient.
std::string_view patient_message(ValidationStatus status);
// Valid, ExpiringSoon and ExpiredInGrace: the certificate may be used.
bool is_usable(ValidationStatus status);

// Dates are judged in calendar months on Japan dates (hal::calendar::add_months, japan_date), as
// the rule and the eligibility service count them (docs/reception-rules.md §4): a certificate
// whose notAfter falls on 2025-11-30 (Japan) is usable with 3 months of grace through 2026-02-28.
struct ValidationPolicy {
  // ExpiringSoon from this many calendar months before the Japan date of notAfter (inclusive).
  int expiry_warning_months = 3;
  // An expired certificate (leaf or CA) stays usable through the Japan date of its notAfter plus
  // this many calendar months (inclusive). 0: not one second after notAfter.
  int grace_months_after_expiry = 0;
  // Untrusted unless a CRL of the issuing CA is in the store (and, then, not out of date).
  bool require_crl = false;
};

struct ValidationReport {
  using TimePoint = std::chrono::system_clock::time_point;

  ValidationStatus status = ValidationStatus::Untrusted;
  std::string message;  // patient_message(status)
  std::string detail;   // what exactly was found, for staff, the journal and technicians
  int verify_error = 0;             // OpenSSL X509_V_ERR_* of the chain check (0 = X509_V_OK)
  std::string verify_error_string;  // X509_verify_cert_error_string(verify_error)
  // floor((notAfter - at) / 1 day): 0 on the last day, negative once expired.
  int days_to_expiry = 0;
  TimePoint not_before{};
  TimePoint not_after{};
  // The Japan date of the leaf's notAfter, and the last day it may be used (that date plus the
  // grace months; the same date without grace).
  std::chrono::year_month_day expiry_date{};
  std::chrono::year_month_day usable_until{};
  bool crl_checked = false;          // a CRL of the issuer was consulted
  std::vector<std::string> chain;    // subjects from the leaf to the trust anchor, when built

  bool usable() const { return is_usable(status); }
};

// Validates `leaf` at time `at`. The chain (signatures, CA flags, revocation) is checked by
// OpenSSL with its time checks off; the dates are judged here, so a certificate in its grace
// period still gets its chain checked. Order of precedence: Untrusted, Revoked, then the
// leaf's dates. A certificate that fails a check gives a report, not an exception; throws
// CertificateError if the leaf's dates cannot be decoded, CryptoError if OpenSSL cannot run.
ValidationReport validate(const Certificate& leaf, const TrustStore& trust,
                          std::chrono::system_clock::time_point at,
                          const ValidationPolicy& policy = {});

}  // namespace kiosk::core::crypto
