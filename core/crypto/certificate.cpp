#include "core/crypto/certificate.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <utility>

#include "core/crypto/digest.hpp"
#include "core/crypto/openssl_util.hpp"

namespace kiosk::core::crypto {

namespace {

using hal::openssl::throw_error;

std::string name_rfc2253(const X509_NAME* name) {
  auto bio = detail::output_bio<CryptoError>();
  // RFC 2253 without escaping bytes >= 0x80, so that UTF-8 names stay readable.
  const unsigned long flags = XN_FLAG_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    throw_error<CertificateError>("cannot print a certificate name");
  }
  return detail::bio_text(bio.get());
}

}  // namespace

std::optional<std::size_t> der_object_size(ByteView prefix) {
  if (prefix.empty()) return std::nullopt;
  if (prefix[0] != 0x30) {
    throw CertificateError("not a DER certificate: first byte is " + to_hex(prefix.first(1)) +
                           ", expected 30 (SEQUENCE)");
  }
  if (prefix.size() < 2) return std::nullopt;
  const Byte first_length = prefix[1];
  if (first_length < 0x80) return std::size_t{2} + first_length;
  const std::size_t count = first_length & 0x7Fu;
  if (count == 0) throw CertificateError("not a DER certificate: indefinite length");
  if (count > 4) throw CertificateError("not a DER certificate: length field too long");
  if (prefix.size() < 2 + count) return std::nullopt;
  std::size_t length = 0;
  for (std::size_t i = 0; i < count; ++i) length = (length << 8) | prefix[2 + i];
  return 2 + count + length;
}

Certificate::Certificate(x509_st* owned, Bytes der) noexcept : cert_(owned), der_(std::move(der)) {}

Certificate::Certificate(const Certificate& other) : cert_(other.cert_), der_(other.der_) {
  if (cert_ != nullptr) X509_up_ref(cert_);
}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) {
    Certificate copy(other);
    *this = std::move(copy);
  }
  return *this;
}

Certificate::Certificate(Certificate&& other) noexcept
    : cert_(std::exchange(other.cert_, nullptr)), der_(std::move(other.der_)) {}

Certificate& Certificate::operator=(Certificate&& other) noexcept {
  if (this != &other) {
    X509_free(cert_);
    cert_ = std::exchange(other.cert_, nullptr);
    der_ = std::move(other.der_);
  }
  return *this;
}

Certificate::~Certificate() { X509_free(cert_); }

Certificate Certificate::from_der(ByteView der) {
  if (der.empty()) throw CertificateError("not a certificate: no data");
  const auto size = der_object_size(der);
  if (!size) throw CertificateError("truncated certificate: header incomplete");
  if (*size > der.size()) {
    throw CertificateError("truncated certificate: the DER header announces " +
                           std::to_string(*size) + " bytes, only " + std::to_string(der.size()) +
                           " present");
  }
  if (*size > static_cast<std::size_t>(LONG_MAX)) throw CertificateError("certificate too large");
  const ByteView rest = der.subspan(*size);
  const auto not_filler = std::find_if(rest.begin(), rest.end(),
                                       [](Byte b) { return b != 0x00 && b != 0xFF; });
  if (not_filler != rest.end()) {
    const auto offset = *size + static_cast<std::size_t>(not_filler - rest.begin());
    throw CertificateError("unexpected data after the certificate at offset " +
                           std::to_string(offset) + " (only 00/FF filler is allowed)");
  }

  const unsigned char* p = der.data();
  detail::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(*size)));
  if (!cert) throw_error<CertificateError>("not a valid X.509 certificate");
  const auto consumed = static_cast<std::size_t>(p - der.data());
  if (consumed != *size) {
    throw CertificateError("malformed certificate: the DER object has " + std::to_string(*size) +
                           " bytes, the certificate inside it " + std::to_string(consumed));
  }
  return Certificate(cert.release(), Bytes(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(*size)));
}

Certificate Certificate::from_pem(std::string_view pem) {
  auto bio = detail::memory_bio<CryptoError>(pem);
  detail::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) throw_error<CertificateError>("no PEM certificate found");
  return from_native(cert.get());
}

Certificate Certificate::from_native(x509_st* cert) {
  if (cert == nullptr) throw CertificateError("no certificate");
  const int length = i2d_X509(cert, nullptr);
  if (length <= 0) throw_error<CertificateError>("cannot encode the certificate");
  Bytes der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  if (i2d_X509(cert, &out) != length) throw_error<CertificateError>("cannot encode the certificate");
  X509_up_ref(cert);
  return Certificate(cert, std::move(der));
}

std::string Certificate::pem() const {
  auto bio = detail::output_bio<CryptoError>();
  if (PEM_write_bio_X509(bio.get(), cert_) != 1) throw_error<CertificateError>("PEM_write_bio_X509");
  return detail::bio_text(bio.get());
}

std::string Certificate::subject() const { return name_rfc2253(X509_get_subject_name(cert_)); }

std::string Certificate::issuer() const { return name_rfc2253(X509_get_issuer_name(cert_)); }

std::string Certificate::serial_hex() const {
  std::unique_ptr<BIGNUM, detail::Deleter<BN_free>> bn(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_), nullptr));
  if (!bn) throw_error<CertificateError>("invalid serial number");
  detail::String hex(BN_bn2hex(bn.get()));
  if (!hex) throw_error<CertificateError>("BN_bn2hex");
  return std::string(hex.get());
}

Certificate::TimePoint Certificate::not_before() const {
  return detail::to_time_point(X509_get0_notBefore(cert_));
}

Certificate::TimePoint Certificate::not_after() const {
  return detail::to_time_point(X509_get0_notAfter(cert_));
}

bool Certificate::is_ca() const { return (X509_get_extension_flags(cert_) & EXFLAG_CA) != 0; }

bool Certificate::is_self_signed() const {
  const int result = X509_self_signed(cert_, 1);
  if (result < 0) ERR_clear_error();
  return result == 1;
}

int Certificate::public_key_bits() const {
  EVP_PKEY* key = X509_get0_pubkey(cert_);
  if (key == nullptr) throw_error<CertificateError>("unsupported public key");
  return EVP_PKEY_get_bits(key);
}

Bytes Certificate::sha256_fingerprint() const { return sha256(der_); }

}  // namespace kiosk::core::crypto
