// RAII handles and error helpers for OpenSSL, private to core/crypto (sim/ca has its own copy
// because the simulator must not depend on core).
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "hal/bytes.hpp"

namespace kiosk::crypto::detail {

template <auto Free>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

// Strings allocated by OpenSSL (BN_bn2hex, ...).
struct OpensslStringDeleter {
  void operator()(char* p) const noexcept { OPENSSL_free(p); }
};
using OpensslString = std::unique_ptr<char, OpensslStringDeleter>;

using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OsslDeleter<X509_CRL_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OsslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OsslDeleter<X509_STORE_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<BIO_free_all>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<EVP_MD_CTX_free>>;

// Pops every error of this thread's OpenSSL queue and joins their reason strings ("; ").
// Returns "no OpenSSL error reported" when the queue was empty. Leaves the queue clean.
std::string take_openssl_errors();

// Throws E(context + ": " + OpenSSL's reasons), clearing the error queue.
template <typename E>
[[noreturn]] void throw_openssl(std::string_view context) {
  throw E(std::string(context) + ": " + take_openssl_errors());
}

// A read-only memory BIO over the bytes (not copied: keep them alive while the BIO is used).
BioPtr memory_bio(ByteView bytes);
BioPtr memory_bio(std::string_view text);
// A growable memory BIO, and the text written into it.
BioPtr output_bio();
std::string bio_text(BIO* bio);

// ASN1_TIME (UTCTime or GeneralizedTime, always UTC) to a time point.
std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* time);

}  // namespace kiosk::crypto::detail
