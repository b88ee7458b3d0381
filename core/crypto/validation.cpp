#include "core/crypto/validation.hpp"

#include "hal/calendar.hpp"
#include "hal/calendar_months.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "core/crypto/openssl_util.hpp"

namespace kiosk::core::crypto {

namespace {

using Clock = std::chrono::system_clock;
using Days = std::chrono::days;

struct ChainResult {
  int error = X509_V_OK;
  std::vector<Certificate> chain;  // leaf first, when verification succeeded
};

ChainResult verify_chain(const Certificate& leaf, const TrustStore& trust, unsigned long flags) {
  auto store = trust.make_native_store();
  detail::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx) detail::throw_error<CryptoError>("X509_STORE_CTX_new");
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), nullptr) != 1) {
    detail::throw_error<CryptoError>("X509_STORE_CTX_init");
  }
  X509_STORE_CTX_set_flags(ctx.get(), flags);
  ChainResult result;
  if (X509_verify_cert(ctx.get()) == 1) {
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      result.chain.push_back(Certificate::from_native(sk_X509_value(chain, i)));
    }
  } else {
    result.error = X509_STORE_CTX_get_error(ctx.get());
    if (result.error == X509_V_OK) result.error = X509_V_ERR_UNSPECIFIED;
  }
  ERR_clear_error();
  return result;
}

ValidationReport& finish(ValidationReport& report, ValidationStatus status, std::string detail) {
  report.status = status;
  report.message = std::string(patient_message(status));
  if (!detail.empty()) {
    if (!report.detail.empty()) report.detail += "; ";
    report.detail += detail;
  }
  return report;
}

void set_verify_error(ValidationReport& report, int error) {
  report.verify_error = error;
  report.verify_error_string = X509_verify_cert_error_string(error);
}

}  // namespace

std::string_view to_string(ValidationStatus status) {
  switch (status) {
    case ValidationStatus::Valid: return "valid";
    case ValidationStatus::ExpiringSoon: return "expiring-soon";
    case ValidationStatus::ExpiredInGrace: return "expired-in-grace";
    case ValidationStatus::Expired: return "expired";
    case ValidationStatus::NotYetValid: return "not-yet-valid";
    case ValidationStatus::Revoked: return "revoked";
    case ValidationStatus::Untrusted: return "untrusted";
  }
  return "unknown";
}

std::string_view patient_message(ValidationStatus status) {
  switch (status) {
    case ValidationStatus::Valid:
      return "the card's user-authentication certificate is valid";
    case ValidationStatus::ExpiringSoon:
      return "the user-authentication certificate expires soon; renew it at the municipal office";
    case ValidationStatus::ExpiredInGrace:
      return "the user-authentication certificate has expired but can still be used for a short "
             "time; renew it at the municipal office";
    case ValidationStatus::Expired:
      return "the user-authentication certificate has expired; renew it at the municipal office";
    case ValidationStatus::NotYetValid:
      return "the user-authentication certificate is not valid yet; please ask the reception staff";
    case ValidationStatus::Revoked:
      return "the user-authentication certificate has been revoked; the card cannot be used here, "
             "please contact the municipal office";
    case ValidationStatus::Untrusted:
      return "the card's certificate could not be verified; please ask the reception staff";
  }
  return "unknown certificate status";
}

bool is_usable(ValidationStatus status) {
  return status == ValidationStatus::Valid || status == ValidationStatus::ExpiringSoon ||
         status == ValidationStatus::ExpiredInGrace;
}

ValidationReport validate(const Certificate& leaf, const TrustStore& trust, Clock::time_point at,
                          const ValidationPolicy& policy) {
  ValidationReport report;
  report.not_before = leaf.not_before();
  report.not_after = leaf.not_after();
  report.days_to_expiry = static_cast<int>(std::chrono::floor<Days>(report.not_after - at).count());
  const auto today = std::chrono::sys_days{hal::calendar::japan_date(at)};
  // Past notAfter, a certificate is usable while today is no later than its Japan expiry date
  // plus the grace months (with no grace, not at all).
  auto within_grace = [&](Clock::time_point not_after) {
    if (policy.grace_months_after_expiry <= 0) return false;
    return today <= std::chrono::sys_days{
                        hal::calendar::add_months(hal::calendar::japan_date(not_after), policy.grace_months_after_expiry)};
  };
  report.expiry_date = hal::calendar::japan_date(report.not_after);
  report.usable_until = hal::calendar::add_months(report.expiry_date, std::max(policy.grace_months_after_expiry, 0));

  // 1. Chain and signatures, time checks off.
  const ChainResult chain = verify_chain(leaf, trust, X509_V_FLAG_NO_CHECK_TIME);
  set_verify_error(report, chain.error);
  if (chain.error != X509_V_OK) {
    return finish(report, ValidationStatus::Untrusted,
                  "no valid chain to a JPKI trust anchor: " + report.verify_error_string);
  }
  for (const auto& cert : chain.chain) report.chain.push_back(cert.subject());
  const Certificate& issuer = chain.chain.size() > 1 ? chain.chain[1] : chain.chain[0];

  // 2. Revocation, when the issuing CA has a CRL in the store (or one is required).
  const std::vector<Crl> crls = trust.crls_issued_by(issuer);
  if (!crls.empty() || policy.require_crl) {
    const ChainResult revocation =
        verify_chain(leaf, trust, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_CRL_CHECK);
    set_verify_error(report, revocation.error);
    report.crl_checked = !crls.empty();
    if (revocation.error == X509_V_ERR_CERT_REVOKED) {
      return finish(report, ValidationStatus::Revoked,
                    "serial " + leaf.serial_hex() + " is listed in the CRL of " + issuer.subject());
    }
    if (revocation.error == X509_V_ERR_UNABLE_TO_GET_CRL) {
      return finish(report, ValidationStatus::Untrusted,
                    "no revocation list (CRL) of " + issuer.subject() + " is available");
    }
    if (revocation.error != X509_V_OK) {
      return finish(report, ValidationStatus::Untrusted,
                    "revocation check failed: " + report.verify_error_string);
    }
    // Staleness: OpenSSL's CRL time check is off together with the certificate time checks.
    std::optional<Clock::time_point> newest_next;
    for (const auto& crl : crls) {
      const auto next = crl.next_update();
      if (next && (!newest_next || *next > *newest_next)) newest_next = next;
    }
    if (newest_next && *newest_next < at) {
      const std::string stale = "the CRL of " + issuer.subject() + " is out of date (nextUpdate " +
                                hal::calendar::format_iso8601_utc(*newest_next) + ")";
      if (policy.require_crl) return finish(report, ValidationStatus::Untrusted, stale);
      report.detail = stale;
    }
  }

  // 3. Dates of the CA certificates above the leaf.
  std::string ca_in_grace;
  for (std::size_t i = 1; i < chain.chain.size(); ++i) {
    const Certificate& ca = chain.chain[i];
    if (at < ca.not_before()) {
      return finish(report, ValidationStatus::Untrusted,
                    "the CA certificate " + ca.subject() + " is not valid before " +
                        hal::calendar::format_iso8601_utc(ca.not_before()));
    }
    if (at > ca.not_after()) {
      if (!within_grace(ca.not_after())) {
        return finish(report, ValidationStatus::Untrusted,
                      "the CA certificate " + ca.subject() + " expired on " +
                          hal::calendar::format_iso8601_utc(ca.not_after()) + "; install the current JPKI CA certificate");
      }
      ca_in_grace = "the CA certificate " + ca.subject() + " expired on " +
                    hal::calendar::format_iso8601_utc(ca.not_after()) + " (within the grace period)";
    }
  }

  // 4. Dates of the leaf.
  if (at < report.not_before) {
    return finish(report, ValidationStatus::NotYetValid,
                  "valid from " + hal::calendar::format_iso8601_utc(report.not_before));
  }
  if (at > report.not_after) {
    const bool in_grace = within_grace(report.not_after);
    return finish(report, in_grace ? ValidationStatus::ExpiredInGrace : ValidationStatus::Expired,
                  "expired on " + hal::calendar::format_iso8601_utc(report.not_after) +
                      (in_grace ? " (within the grace period, usable through " +
                                      hal::calendar::format_iso_date(report.usable_until) + ")"
                                : ""));
  }
  if (!ca_in_grace.empty()) return finish(report, ValidationStatus::ExpiredInGrace, ca_in_grace);
  const auto warn_from = std::chrono::sys_days{hal::calendar::add_months(report.expiry_date, -policy.expiry_warning_months)};
  if (policy.expiry_warning_months > 0 && today >= warn_from) {
    return finish(report, ValidationStatus::ExpiringSoon,
                  "expires on " + hal::calendar::format_iso8601_utc(report.not_after) + " (in " +
                      std::to_string(report.days_to_expiry) + " days)");
  }
  return finish(report, ValidationStatus::Valid, "valid until " + hal::calendar::format_iso8601_utc(report.not_after));
}

}  // namespace kiosk::core::crypto
