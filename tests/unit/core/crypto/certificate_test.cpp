// Parsing certificates as the card delivers them (DER, possibly followed by EF filler).
#include <catch2/catch.hpp>

#include <openssl/err.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "core/crypto/certificate.hpp"
#include "core/crypto/digest.hpp"
#include "sim/ca/jpki_ca.hpp"

using namespace kiosk;
using namespace kiosk::core::crypto;
using namespace std::chrono;

namespace {

const system_clock::time_point kAt = sys_days{year{2026} / April / 1} + hours{9};

// A CA in a fresh temporary directory and one issued user-authentication certificate, made
// once per test process (key generation is the slow part).
struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("kiosk-cert-test-" + to_hex(random_bytes(8), '\0'));
  sim::ca::SimulatedJpkiCa ca = sim::ca::SimulatedJpkiCa::create(dir, kAt - days{365});
  sim::ca::RsaKey holder = sim::ca::RsaKey::generate();
  system_clock::time_point not_before = kAt - days{30};
  system_clock::time_point not_after = kAt + days{1000};
  Bytes der = ca.issue_auth_certificate(holder, "997794E9AGCIEG13221003A", not_before, not_after);

  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

}  // namespace

TEST_CASE("a certificate issued by the simulated CA reads back field by field") {
  auto& f = fixture();
  REQUIRE(f.der.size() >= 256);
  CHECK(f.der[0] == 0x30);
  CHECK(f.der[1] == 0x82);

  const Certificate cert = Certificate::from_der(f.der);
  CHECK(cert.der() == f.der);
  CHECK(cert.subject() == "CN=997794E9AGCIEG13221003A,C=JP");
  CHECK(cert.issuer() == "OU=Kiosk simulator,OU=JPKI for user authentication,O=JPKI-SIM,C=JP");
  CHECK(cert.serial_hex() == "01");
  CHECK(cert.not_before() == f.not_before);
  CHECK(cert.not_after() == f.not_after);
  CHECK_FALSE(cert.is_ca());
  CHECK_FALSE(cert.is_self_signed());
  CHECK(cert.public_key_bits() == 2048);
  CHECK(cert.sha256_fingerprint() == sha256(f.der));

  const Certificate root = Certificate::from_der(f.ca.auth_ca_certificate_der());
  CHECK(root.is_ca());
  CHECK(root.is_self_signed());
  CHECK(root.subject() == root.issuer());
  CHECK(root.subject() == cert.issuer());
}

TEST_CASE("from_der ignores FF/00 filler after the certificate, as read from a card EF") {
  auto& f = fixture();
  Bytes ef = f.der;
  ef.resize(f.der.size() + 700, 0xFF);
  const Certificate with_ff = Certificate::from_der(ef);
  CHECK(with_ff.der() == f.der);
  CHECK(with_ff.subject() == "CN=997794E9AGCIEG13221003A,C=JP");

  Bytes zeros = f.der;
  zeros.resize(f.der.size() + 3, 0x00);
  CHECK(Certificate::from_der(zeros).der() == f.der);
}

TEST_CASE("from_der rejects garbage, truncation and trailing data") {
  auto& f = fixture();
  ERR_clear_error();
  SECTION("empty") { CHECK_THROWS_AS(Certificate::from_der({}), CertificateError); }
  SECTION("an erased EF (all FF)") {
    CHECK_THROWS_AS(Certificate::from_der(Bytes(2048, 0xFF)), CertificateError);
  }
  SECTION("random bytes") {
    CHECK_THROWS_AS(Certificate::from_der(Bytes{0x01, 0x02, 0x03, 0x04}), CertificateError);
  }
  SECTION("a SEQUENCE that is not a certificate") {
    CHECK_THROWS_AS(Certificate::from_der(Bytes{0x30, 0x03, 0x02, 0x01, 0x05}), CertificateError);
  }
  SECTION("truncated: the header announces more than is there") {
    const Bytes cut(f.der.begin(), f.der.begin() + static_cast<std::ptrdiff_t>(f.der.size() / 2));
    CHECK_THROWS_WITH(Certificate::from_der(cut), Catch::Contains("truncated"));
    const Bytes header_only(f.der.begin(), f.der.begin() + 3);
    CHECK_THROWS_AS(Certificate::from_der(header_only), CertificateError);
  }
  SECTION("a corrupted byte inside the certificate") {
    Bytes broken = f.der;
    broken[5] = 0x99;  // inside the TBSCertificate header
    CHECK_THROWS_AS(Certificate::from_der(broken), CertificateError);
  }
  SECTION("trailing data that is not filler") {
    Bytes trailing = f.der;
    trailing.insert(trailing.end(), {0xFF, 0xFF, 0x30, 0x00});
    CHECK_THROWS_WITH(Certificate::from_der(trailing), Catch::Contains("after the certificate"));
  }
  // OpenSSL's reasons went into the exception messages; the thread's error queue is clean.
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("PEM round trip and copies share one certificate") {
  auto& f = fixture();
  const Certificate cert = Certificate::from_der(f.der);
  const std::string pem = cert.pem();
  CHECK(pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  const Certificate back = Certificate::from_pem(pem);
  CHECK(back == cert);

  Certificate copy = cert;
  CHECK(copy.native() == cert.native());
  CHECK(copy.serial_hex() == "01");
  Certificate moved = std::move(copy);
  CHECK(moved.subject() == cert.subject());
  copy = moved;  // assignment to a moved-from object
  CHECK(copy == cert);

  CHECK_THROWS_AS(Certificate::from_pem("not a certificate"), CertificateError);
}
