// validate(): chain, revocation and dates of card certificates against the JPKI trust store.
#include <catch2/catch.hpp>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "core/crypto/certificate.hpp"
#include "core/crypto/digest.hpp"
#include "core/crypto/trust_store.hpp"
#include "core/crypto/validation.hpp"
#include "hal/calendar.hpp"
#include "hal/calendar_months.hpp"
#include "sim/ca/jpki_ca.hpp"

using namespace kiosk;
using namespace kiosk::core::crypto;
using namespace std::chrono;

namespace Catch {
template <>
struct StringMaker<ValidationStatus> {
  static std::string convert(ValidationStatus s) { return std::string(to_string(s)); }
};
}  // namespace Catch

namespace {

using TimePoint = system_clock::time_point;
const TimePoint kAt = sys_days{year{2026} / April / 1} + hours{10};
const TimePoint kCaCreated = kAt - days{365};

std::filesystem::path unique_dir(const char* tag) {
  return std::filesystem::temp_directory_path() /
         (std::string("kiosk-validate-") + tag + "-" + to_hex(random_bytes(8), '\0'));
}

struct CaDir {
  std::filesystem::path dir;
  sim::ca::SimulatedJpkiCa ca;
  CaDir(const char* tag, TimePoint created) : dir(unique_dir(tag)), ca(sim::ca::SimulatedJpkiCa::create(dir, created)) {}
  CaDir(const CaDir&) = delete;
  CaDir& operator=(const CaDir&) = delete;
  ~CaDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  Certificate root() const { return Certificate::from_der(ca.auth_ca_certificate_der()); }
};

// Keys and CAs are made lazily, once per test process.
CaDir& jpki() {
  static CaDir ca("a", kCaCreated);
  return ca;
}
// A second CA with the same DNs (like a new J-LIS generation), its own keys.
CaDir& other_generation() {
  static CaDir ca("b", kCaCreated);
  return ca;
}
const sim::ca::RsaKey& holder() {
  static const sim::ca::RsaKey key = sim::ca::RsaKey::generate();
  return key;
}

Certificate issue(CaDir& ca, TimePoint not_before, TimePoint not_after, const std::string& cn = "HOLDER0001") {
  return Certificate::from_der(ca.ca.issue_auth_certificate(holder(), cn, not_before, not_after));
}

TrustStore store_of(const CaDir& ca) {
  TrustStore store;
  store.add_ca(ca.root());
  return store;
}

ValidationReport check(const Certificate& leaf, const TrustStore& store, TimePoint at,
                       ValidationPolicy policy = {}) {
  auto report = validate(leaf, store, at, policy);
  INFO(to_string(report.status) << ": " << report.detail << " [" << report.verify_error_string << "]");
  CHECK(report.message == patient_message(report.status));
  CHECK_FALSE(report.message.empty());
  return report;
}

// A certificate without an authority key identifier, signed with the CA key in `ca_dir`:
// only its signature tells which CA generation issued it.
Certificate issue_without_akid(const CaDir& ca_dir, const Certificate& issuer) {
  std::ifstream in(ca_dir.dir / "auth-ca.key");
  const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const sim::ca::RsaKey ca_key = sim::ca::RsaKey::from_pem(pem);

  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  REQUIRE(cert);
  REQUIRE(X509_set_version(cert.get(), X509_VERSION_3) == 1);
  REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 777) == 1);
  REQUIRE(X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer.native())) == 1);
  std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)> name(X509_NAME_new(), X509_NAME_free);
  REQUIRE(X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("NOAKID"), -1, -1, 0) == 1);
  REQUIRE(X509_set_subject_name(cert.get(), name.get()) == 1);
  REQUIRE(ASN1_TIME_set(X509_getm_notBefore(cert.get()), system_clock::to_time_t(kAt - days{10})) != nullptr);
  REQUIRE(ASN1_TIME_set(X509_getm_notAfter(cert.get()), system_clock::to_time_t(kAt + days{1000})) != nullptr);
  REQUIRE(X509_set_pubkey(cert.get(), holder().native()) == 1);
  REQUIRE(X509_sign(cert.get(), ca_key.native(), EVP_sha256()) > 0);
  return Certificate::from_native(cert.get());
}

}  // namespace

TEST_CASE("a current certificate chained to the JPKI root is Valid") {
  const auto leaf = issue(jpki(), kAt - days{30}, kAt + days{1500} + hours{5});
  const auto report = check(leaf, store_of(jpki()), kAt);
  CHECK(report.status == ValidationStatus::Valid);
  CHECK(report.usable());
  CHECK(report.days_to_expiry == 1500);
  CHECK(report.verify_error == 0);
  CHECK_FALSE(report.crl_checked);
  REQUIRE(report.chain.size() == 2);
  CHECK(report.chain[0] == leaf.subject());
  CHECK(report.chain[1] == jpki().root().subject());
  CHECK(report.not_after == kAt + days{1500} + hours{5});
}

// 23:59 on that date in Japan (14:59 UTC), and 00:00 of the next day in Japan.
TimePoint jst_end_of(const char* iso) { return sys_days{*kiosk::hal::calendar::parse_iso_date(iso)} + hours{14} + minutes{59}; }
TimePoint jst_start_of_next(const char* iso) { return jst_end_of(iso) + minutes{1}; }

TEST_CASE("expiry warning: ExpiringSoon from 3 calendar months before the Japan expiry date") {
  const TrustStore store = store_of(jpki());  // kAt is 2026-04-01 19:00 in Japan
  SECTION("60 days left") {
    const auto report = check(issue(jpki(), kAt - days{30}, kAt + days{60}), store, kAt);
    CHECK(report.status == ValidationStatus::ExpiringSoon);
    CHECK(report.usable());
    CHECK(report.days_to_expiry == 60);
  }
  SECTION("expiring on 2026-07-01 (Japan) is warned on 2026-04-01, 2026-07-02 is not") {
    const auto warned = check(issue(jpki(), kAt - days{30}, jst_end_of("2026-07-01")), store, kAt);
    CHECK(warned.status == ValidationStatus::ExpiringSoon);
    CHECK(warned.expiry_date == year{2026} / July / 1);
    const auto later = check(issue(jpki(), kAt - days{30}, jst_start_of_next("2026-07-01")), store, kAt);
    CHECK(later.status == ValidationStatus::Valid);
    CHECK(later.expiry_date == year{2026} / July / 2);
  }
  SECTION("end of month: expiring 2026-05-31 is warned from 2026-02-28, clamped") {
    const auto leaf = issue(jpki(), kAt - days{400}, jst_end_of("2026-05-31"));
    CHECK(check(leaf, store, jst_end_of("2026-02-27")).status == ValidationStatus::Valid);
    CHECK(check(leaf, store, jst_start_of_next("2026-02-27")).status == ValidationStatus::ExpiringSoon);
  }
  SECTION("the warning period follows the policy") {
    ValidationPolicy policy;
    policy.expiry_warning_months = 1;
    CHECK(check(issue(jpki(), kAt - days{30}, kAt + days{60}), store, kAt, policy).status == ValidationStatus::Valid);
    policy.expiry_warning_months = 0;
    CHECK(check(issue(jpki(), kAt - days{30}, kAt + days{1}), store, kAt, policy).status == ValidationStatus::Valid);
  }
  SECTION("the last second is still ExpiringSoon with 0 days") {
    const auto leaf = issue(jpki(), kAt - days{30}, kAt + days{5});
    const auto report = check(leaf, store, kAt + days{5});
    CHECK(report.status == ValidationStatus::ExpiringSoon);
    CHECK(report.days_to_expiry == 0);
  }
}

TEST_CASE("expired certificates: ExpiredInGrace through the grace months, Expired after") {
  const TrustStore store = store_of(jpki());
  const TimePoint not_after = kAt - days{10};  // 2026-03-22 19:00 in Japan
  const auto leaf = issue(jpki(), kAt - days{400}, not_after);
  ValidationPolicy policy;

  SECTION("no grace: one second late is Expired") {
    const auto report = check(leaf, store, not_after + seconds{1}, policy);
    CHECK(report.status == ValidationStatus::Expired);
    CHECK_FALSE(report.usable());
    CHECK(report.days_to_expiry == -1);
    CHECK(report.usable_until == year{2026} / March / 22);
    CHECK_THAT(report.message, Catch::Contains("municipal office"));
  }
  SECTION("ten days late, no grace") {
    const auto report = check(leaf, store, kAt, policy);
    CHECK(report.status == ValidationStatus::Expired);
    CHECK(report.days_to_expiry == -10);
  }
  SECTION("three months of grace: usable through 2026-06-22 in Japan, not on 06-23") {
    policy.grace_months_after_expiry = 3;
    const auto report = check(leaf, store, kAt, policy);
    CHECK(report.status == ValidationStatus::ExpiredInGrace);
    CHECK(report.usable());
    CHECK(report.days_to_expiry == -10);
    CHECK(report.expiry_date == year{2026} / March / 22);
    CHECK(report.usable_until == year{2026} / June / 22);
    CHECK_THAT(report.detail, Catch::Contains("usable through 2026-06-22"));
    // The chain is still checked in the grace period.
    CHECK(report.chain.size() == 2);
    CHECK(check(leaf, store, jst_end_of("2026-06-22"), policy).status == ValidationStatus::ExpiredInGrace);
    CHECK(check(leaf, store, jst_start_of_next("2026-06-22"), policy).status == ValidationStatus::Expired);
  }
  SECTION("exactly 3 calendar months after a 31st: 90 days would refuse a day early") {
    policy.grace_months_after_expiry = 3;
    const auto march = issue(jpki(), kAt - days{400}, jst_end_of("2026-03-31"));
    // 2026-03-31 + 90 days is 2026-06-29; the rule says through 2026-06-30.
    CHECK(check(march, store, jst_end_of("2026-06-30"), policy).status == ValidationStatus::ExpiredInGrace);
    CHECK(check(march, store, jst_start_of_next("2026-06-30"), policy).status == ValidationStatus::Expired);
  }
  SECTION("end of November before a leap year: through 2028-02-29 (90 days end on 02-28)") {
    policy.grace_months_after_expiry = 3;
    const auto november = issue(jpki(), kAt - days{400}, jst_end_of("2027-11-30"));
    const auto last_day = check(november, store, jst_end_of("2028-02-29"), policy);
    CHECK(last_day.status == ValidationStatus::ExpiredInGrace);
    CHECK(last_day.usable_until == year{2028} / February / 29);
    CHECK(check(november, store, jst_start_of_next("2028-02-29"), policy).status == ValidationStatus::Expired);
  }
  SECTION("end of November in a common year: through 2026-02-28") {
    policy.grace_months_after_expiry = 3;
    const auto november = issue(jpki(), kAt - days{800}, jst_end_of("2025-11-30"));
    CHECK(check(november, store, jst_end_of("2026-02-28"), policy).status == ValidationStatus::ExpiredInGrace);
    CHECK(check(november, store, jst_start_of_next("2026-02-28"), policy).status == ValidationStatus::Expired);
  }
  SECTION("expiring in the Japanese evening: the Japan date counts, not the UTC one") {
    policy.grace_months_after_expiry = 1;
    // 2026-01-31 16:00 UTC is 2026-02-01 01:00 in Japan: usable through 2026-03-01.
    const auto evening = issue(jpki(), kAt - days{400}, sys_days{year{2026} / January / 31} + hours{16});
    const auto report = check(evening, store, jst_end_of("2026-03-01"), policy);
    CHECK(report.status == ValidationStatus::ExpiredInGrace);
    CHECK(report.expiry_date == year{2026} / February / 1);
  }
  SECTION("grace does not make an untrusted certificate usable") {
    policy.grace_months_after_expiry = 3;
    const auto foreign = issue(other_generation(), kAt - days{400}, not_after);
    CHECK(check(foreign, store, kAt, policy).status == ValidationStatus::Untrusted);
  }
}

TEST_CASE("a certificate before its notBefore is NotYetValid") {
  const auto leaf = issue(jpki(), kAt + days{1}, kAt + days{1000});
  const auto report = check(leaf, store_of(jpki()), kAt);
  CHECK(report.status == ValidationStatus::NotYetValid);
  CHECK_FALSE(report.usable());
  CHECK(check(leaf, store_of(jpki()), kAt + days{1}).status == ValidationStatus::Valid);
}

TEST_CASE("a certificate from another CA with the same DN is Untrusted") {
  const auto foreign = issue(other_generation(), kAt - days{30}, kAt + days{1000});
  REQUIRE(foreign.issuer() == jpki().root().subject());  // same name, different key

  const auto report = check(foreign, store_of(jpki()), kAt);
  CHECK(report.status == ValidationStatus::Untrusted);
  CHECK_FALSE(report.usable());
  CHECK(report.verify_error != 0);
  CHECK_FALSE(report.verify_error_string.empty());
  CHECK_THAT(report.detail, Catch::Contains(report.verify_error_string));
  CHECK(ERR_peek_error() == 0);

  SECTION("an empty trust store trusts nothing") {
    CHECK(check(foreign, TrustStore{}, kAt).status == ValidationStatus::Untrusted);
  }
  SECTION("a self-signed certificate that is not in the store") {
    const auto root = other_generation().root();
    CHECK(check(root, store_of(jpki()), kAt).status == ValidationStatus::Untrusted);
  }
}

TEST_CASE("several CA generations under one DN: each leaf chains to the root that signed it") {
  TrustStore store;
  store.add_ca(jpki().root());
  store.add_ca(other_generation().root());
  store.add_ca(jpki().root());  // duplicates are ignored
  CHECK(store.ca_certificates().size() == 2);

  const auto leaf_a = issue(jpki(), kAt - days{30}, kAt + days{1000});
  const auto leaf_b = issue(other_generation(), kAt - days{30}, kAt + days{1000});
  CHECK(check(leaf_a, store, kAt).status == ValidationStatus::Valid);
  CHECK(check(leaf_b, store, kAt).status == ValidationStatus::Valid);

  SECTION("without an authority key id, the issuer is found by its signature") {
    // The second generation was added last: a look-up by name alone finds the first one.
    const auto no_akid = issue_without_akid(other_generation(), other_generation().root());
    const auto report = check(no_akid, store, kAt);
    CHECK(report.status == ValidationStatus::Valid);
    // ... and the other generation does not accept it.
    CHECK(check(no_akid, store_of(jpki()), kAt).status == ValidationStatus::Untrusted);
  }
}

TEST_CASE("revocation: Revoked once the CA's CRL lists the certificate") {
  auto& ca = jpki();
  const auto revoked = issue(ca, kAt - days{30}, kAt + days{1000}, "REVOKED0001");
  const auto good = issue(ca, kAt - days{30}, kAt + days{1000}, "GOOD0001");
  TrustStore store = store_of(ca);

  CHECK(check(revoked, store, kAt).status == ValidationStatus::Valid);  // no CRL yet
  ca.ca.revoke(revoked.serial_hex(), kAt - days{1});
  store.add_crl(ca.ca.crl_der(sim::ca::CaKind::UserAuthentication, kAt - hours{1}));

  const auto report = check(revoked, store, kAt);
  CHECK(report.status == ValidationStatus::Revoked);
  CHECK_FALSE(report.usable());
  CHECK(report.crl_checked);
  CHECK_THAT(report.detail, Catch::Contains(revoked.serial_hex()));

  const auto good_report = check(good, store, kAt);
  CHECK(good_report.status == ValidationStatus::Valid);
  CHECK(good_report.crl_checked);

  SECTION("revocation wins over expiry") {
    CHECK(check(revoked, store, kAt + days{2000}).status == ValidationStatus::Revoked);
  }
  SECTION("an older CRL added later does not replace the newer one") {
    CHECK(store.crls().size() == 1);
    const auto older = sim::ca::SimulatedJpkiCa::open(ca.dir).crl_der(sim::ca::CaKind::UserAuthentication, kAt - days{3});
    store.add_crl(older);
    CHECK(store.crls().size() == 1);
    CHECK(check(revoked, store, kAt).status == ValidationStatus::Revoked);
  }
  SECTION("require_crl with a CRL out of date is Untrusted") {
    ValidationPolicy policy;
    policy.require_crl = true;
    CHECK(check(good, store, kAt, policy).status == ValidationStatus::Valid);
    const auto report_late = check(good, store, kAt + days{3}, policy);
    CHECK(report_late.status == ValidationStatus::Untrusted);
    CHECK_THAT(report_late.detail, Catch::Contains("out of date"));
  }
}

TEST_CASE("a CRL of another CA generation does not revoke this CA's certificates") {
  // Both CAs count serials from 1: bring them level, then issue one serial number twice.
  auto& other = other_generation();
  while (other.ca.next_serial() < jpki().ca.next_serial()) issue(other, kAt - days{30}, kAt + days{1000});
  while (jpki().ca.next_serial() < other.ca.next_serial()) issue(jpki(), kAt - days{30}, kAt + days{1000});
  const auto leaf = issue(jpki(), kAt - days{30}, kAt + days{1000}, "LOCAL");
  const auto twin = issue(other, kAt - days{30}, kAt + days{1000}, "FOREIGN");
  REQUIRE(leaf.serial_hex() == twin.serial_hex());
  other.ca.revoke(twin.serial_hex(), kAt - days{1});

  TrustStore store = store_of(jpki());
  store.add_crl(other.ca.crl_der(sim::ca::CaKind::UserAuthentication, kAt));
  const auto report = check(leaf, store, kAt);
  CHECK(report.status == ValidationStatus::Valid);
  CHECK_FALSE(report.crl_checked);

  // With both generations trusted, the CRL applies to the one that signed it only.
  store.add_ca(other.root());
  CHECK(check(leaf, store, kAt).status == ValidationStatus::Valid);
  CHECK(check(twin, store, kAt).status == ValidationStatus::Revoked);
}

TEST_CASE("require_crl without a CRL of the issuer is Untrusted") {
  const auto leaf = issue(jpki(), kAt - days{30}, kAt + days{1000});
  ValidationPolicy policy;
  policy.require_crl = true;
  const auto report = check(leaf, store_of(jpki()), kAt, policy);
  CHECK(report.status == ValidationStatus::Untrusted);
  CHECK_THAT(report.detail, Catch::Contains("CRL"));
}

TEST_CASE("an expired CA certificate makes its leaves Untrusted unless within grace") {
  // The roots are valid for 10 years from kCaCreated.
  const Certificate root = jpki().root();
  const TimePoint ca_end = root.not_after();
  CHECK(ca_end == sys_days{year{2035} / April / 1} + hours{10});
  const auto leaf = issue(jpki(), kAt, ca_end + days{400});
  const TimePoint at = ca_end + days{5};

  ValidationPolicy policy;
  const auto report = check(leaf, store_of(jpki()), at, policy);
  CHECK(report.status == ValidationStatus::Untrusted);
  CHECK_THAT(report.detail, Catch::Contains("CA certificate") && Catch::Contains("expired"));

  policy.grace_months_after_expiry = 1;
  const auto in_grace = check(leaf, store_of(jpki()), at, policy);
  CHECK(in_grace.status == ValidationStatus::ExpiredInGrace);
  CHECK(in_grace.days_to_expiry == 395);
}

TEST_CASE("the trust store loads the CA directory and reports bad files") {
  auto& ca = jpki();
  TrustStore store;
  // auth-ca.pem and sign-ca.pem; the keys and ca.json are skipped.
  CHECK(store.add_directory(ca.dir) == 2);
  CHECK(store.ca_certificates().size() == 2);
  const auto leaf = issue(ca, kAt - days{30}, kAt + days{1000});
  CHECK(check(leaf, store, kAt).status == ValidationStatus::Valid);

  CHECK_THROWS_AS(store.add_directory(ca.dir / "no-such-dir"), TrustStoreError);
  CHECK_THROWS_AS(store.add_ca(leaf), TrustStoreError);  // not a CA

  const auto bad_dir = unique_dir("bad");
  std::filesystem::create_directories(bad_dir);
  std::ofstream(bad_dir / "broken.crt") << "garbage";
  CHECK_THROWS_WITH(TrustStore{}.add_directory(bad_dir), Catch::Contains("broken.crt"));
  std::filesystem::remove_all(bad_dir);

  CHECK_THROWS_AS(Crl::parse(Bytes{0x30, 0x03, 0x02, 0x01, 0x01}), CrlError);
}
