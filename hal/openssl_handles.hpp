// RAII handles for OpenSSL objects and OpenSSL error text: vocabulary shared by every layer that
// uses OpenSSL (core/crypto, sim/ca, the HTTPS transport), like hal/bytes.hpp for byte buffers.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <climits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hal/bytes.hpp"

namespace kiosk::hal::openssl {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

struct StringDeleter {
  void operator()(char* p) const noexcept { OPENSSL_free(p); }
};

using String = std::unique_ptr<char, StringDeleter>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL_free>>;
using X509RevokedPtr = std::unique_ptr<X509_REVOKED, Deleter<X509_REVOKED_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;

// The reasons on this thread's OpenSSL error queue, "; "-separated; the queue is emptied.
inline std::string take_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    if (!out.empty()) out += "; ";
    out += buffer.data();
  }
  return out.empty() ? std::string("no OpenSSL error reported") : out;
}

// Throws E(context + ": " + OpenSSL's reasons), clearing the error queue.
template <typename E>
[[noreturn]] void throw_error(std::string_view context) {
  throw E(std::string(context) + ": " + take_errors());
}

// A read-only memory BIO over the bytes (not copied: keep them alive while the BIO is used).
template <typename E = std::runtime_error>
BioPtr memory_bio(ByteView bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) throw E("input too large");
  BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  if (!bio) throw_error<E>("BIO_new_mem_buf");
  return bio;
}

template <typename E = std::runtime_error>
BioPtr memory_bio(std::string_view text) {
  return memory_bio<E>(ByteView(reinterpret_cast<const Byte*>(text.data()), text.size()));
}

// A growable memory BIO, and the text written into it.
template <typename E = std::runtime_error>
BioPtr output_bio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throw_error<E>("BIO_new");
  return bio;
}

inline std::string bio_text(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  if (mem == nullptr || mem->data == nullptr) return {};
  return std::string(mem->data, mem->length);
}

}  // namespace kiosk::hal::openssl
