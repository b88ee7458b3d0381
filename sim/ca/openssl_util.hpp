// RAII handles and error helpers for OpenSSL, private to sim/ca (the simulator does not depend
// on core, so core/crypto's equivalents are not used here).
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "hal/bytes.hpp"

namespace kiosk::sim::detail {

template <auto Free>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

struct OpensslStringDeleter {
  void operator()(char* p) const noexcept { OPENSSL_free(p); }
};

using OpensslString = std::unique_ptr<char, OpensslStringDeleter>;
using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OsslDeleter<X509_NAME_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, OsslDeleter<X509_EXTENSION_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OsslDeleter<X509_CRL_free>>;
using X509RevokedPtr = std::unique_ptr<X509_REVOKED, OsslDeleter<X509_REVOKED_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OsslDeleter<ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OsslDeleter<ASN1_TIME_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslDeleter<BN_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<BIO_free_all>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<EVP_PKEY_CTX_free>>;

// Pops this thread's OpenSSL errors and joins their reason strings; leaves the queue clean.
std::string take_openssl_errors();

template <typename E>
[[noreturn]] void throw_openssl(std::string_view context) {
  throw E(std::string(context) + ": " + take_openssl_errors());
}

BioPtr memory_bio(std::string_view text);
BioPtr output_bio();
std::string bio_text(BIO* bio);

// Sets an ASN1_TIME field (UTCTime up to 2049, GeneralizedTime after, as RFC 5280 wants).
void set_time(ASN1_TIME* field, std::chrono::system_clock::time_point t);

// "1A2B" upper-case hex of a non-negative big number, without leading zeros ("01" for 1).
std::string bignum_hex(const BIGNUM* bn);
// Canonical form of a hex serial ("0x01a" / "001A" -> "1A"). Throws std::invalid_argument.
std::string normalize_serial_hex(std::string_view hex);

}  // namespace kiosk::sim::detail
