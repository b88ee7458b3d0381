// An X.509 certificate as read from the card (EF 000A/0001/000B/0002) or from a trust-anchor
// file. Immutable; copies share the OpenSSL object (X509_up_ref).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto/errors.hpp"
#include "hal/bytes.hpp"

// OpenSSL's type, so that this header does not pull in OpenSSL.
struct x509_st;

namespace kiosk::core::crypto {

// Total size (header + content) of the DER object at the start of `prefix`, once enough of the
// header is there: nullopt while more bytes are needed (fewer than 2, or a long-form length not
// yet complete). Throws CertificateError when the first byte is not a SEQUENCE (0x30) or the
// length is indefinite or longer than 4 bytes. Lets a card reader learn how much of an EF to read.
std::optional<std::size_t> der_object_size(ByteView prefix);

class Certificate {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // Parses the first DER object. Filler bytes 00/FF after it (a card EF is larger than the
  // certificate it holds) are ignored; any other trailing data, garbage, or a truncated
  // certificate throws CertificateError.
  static Certificate from_der(ByteView der);
  // The first "-----BEGIN CERTIFICATE-----" block of the text.
  static Certificate from_pem(std::string_view pem);
  // Shares ownership of an OpenSSL certificate (takes a new reference; `cert` stays the caller's).
  static Certificate from_native(x509_st* cert);

  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&&) noexcept;
  Certificate& operator=(Certificate&&) noexcept;
  ~Certificate();

  // The DER encoding, without any filler.
  const Bytes& der() const { return der_; }
  std::string pem() const;
  // One-line RFC 2253 ("OU=...,O=JPKI-SIM,C=JP": most specific first); non-ASCII stays UTF-8.
  std::string subject() const;
  std::string issuer() const;
  // Serial number as upper-case hex without leading zero bytes ("1A2B", "01").
  std::string serial_hex() const;
  TimePoint not_before() const;
  TimePoint not_after() const;
  // basicConstraints cA = TRUE.
  bool is_ca() const;
  // Subject and issuer names are equal and the certificate verifies with its own key.
  bool is_self_signed() const;
  // Size of the subject public key (2048 for JPKI).
  int public_key_bits() const;
  // SHA-256 of the DER encoding, for logs and diagnostics.
  Bytes sha256_fingerprint() const;

  // The OpenSSL object, owned by this Certificate (for the validator and tests).
  x509_st* native() const { return cert_; }

  friend bool operator==(const Certificate& a, const Certificate& b) { return a.der_ == b.der_; }

 private:
  Certificate(x509_st* owned, Bytes der) noexcept;

  x509_st* cert_ = nullptr;  // one reference owned
  Bytes der_;
};

}  // namespace kiosk::core::crypto
