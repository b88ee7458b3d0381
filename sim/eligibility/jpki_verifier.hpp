// The simulated service's own checks of what a kiosk sends (sim/ may not use core/crypto): the
// card's user-authentication certificate against the simulated JPKI CA (signature chain, CA
// flags, key usage; dates and revocation are judged by the caller), the card's signature over
// the nonce, and the terminal's attestation signature against its TLS client certificate.
// OpenSSL directly, through the RAII handles of hal/openssl_handles.hpp.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "hal/bytes.hpp"
#include "hal/openssl_handles.hpp"
#include "sim/eligibility/records.hpp"

namespace kiosk::sim::eligibility {

// The bytes are not an X.509 certificate, or a CA/CRL file is unusable.
class CertificateParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CertificateInfo {
  std::string sha256;  // lower-case hex of the DER
  std::string subject;
  std::string issuer;
  std::string serial;  // upper-case hex without leading zeros
  TimePoint not_before{};
  TimePoint not_after{};
};

hal::openssl::X509Ptr parse_certificate_der(ByteView der);
// PEM ("-----BEGIN CERTIFICATE-----") or DER, recognised by the first bytes.
hal::openssl::X509Ptr parse_certificate_file(const std::filesystem::path& file);
CertificateInfo describe(X509* cert);
// The same, with the DER already at hand (no re-encoding).
CertificateInfo describe(X509* cert, ByteView der);
// RFC 2253 subject ("CN=kiosk-01,OU=1312345678,O=...,C=JP").
std::string subject_of(X509* cert);
Bytes certificate_der(X509* cert);
// Lower-case hex SHA-256.
std::string sha256_hex(ByteView bytes);

class JpkiVerifier {
 public:
  // Trust anchors: the simulated JPKI CA's user-authentication root certificates.
  explicit JpkiVerifier(const std::vector<std::filesystem::path>& ca_certificate_files);
  JpkiVerifier(JpkiVerifier&&) noexcept = default;
  JpkiVerifier& operator=(JpkiVerifier&&) noexcept = default;

  struct ChainCheck {
    bool trusted = false;
    std::string detail;  // OpenSSL's verify error when not trusted
  };
  // Chain to an anchor, signatures, CA flags; digitalSignature key usage and an RSA key. Time is
  // not checked here.
  ChainCheck check_chain(X509* cert) const;

  // The revoked serials of a CRL signed by one of the anchors. Throws CertificateParseError for
  // a CRL that does not parse or that no anchor signed.
  std::vector<RevocationRecord> read_crl(const std::filesystem::path& crl_file) const;

 private:
  std::vector<hal::openssl::X509Ptr> anchors_;
  std::unique_ptr<X509_STORE, hal::openssl::Deleter<X509_STORE_free>> store_;
};

// RSASSA-PKCS1-v1_5 over the SHA-256 DigestInfo of the nonce with the card certificate's key:
// exactly what the card returns for COMPUTE DIGITAL SIGNATURE of DigestInfo(SHA-256(nonce)).
bool verify_card_signature(X509* card_certificate, ByteView nonce, ByteView signature);
// SHA-256 signature by the key of the terminal certificate (ECDSA or RSA PKCS#1 v1.5).
bool verify_terminal_signature(X509* terminal_certificate, ByteView message, ByteView signature);

}  // namespace kiosk::sim::eligibility
