#include "core/crypto/signature.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/crypto/digest.hpp"
#include "core/crypto/openssl_util.hpp"

namespace kiosk::core::crypto {

namespace {

// The certificate's RSA public key, or nullptr (queue cleared) when it has none.
EVP_PKEY* rsa_public_key(const Certificate& signer) {
  EVP_PKEY* key = X509_get0_pubkey(signer.native());
  if (key == nullptr || EVP_PKEY_is_a(key, "RSA") != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return key;
}

detail::EvpPkeyCtxPtr verify_context(EVP_PKEY* key) {
  detail::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx) detail::throw_error<CryptoError>("EVP_PKEY_CTX_new_from_pkey");
  if (EVP_PKEY_verify_init(ctx.get()) != 1) detail::throw_error<CryptoError>("EVP_PKEY_verify_init");
  return ctx;
}

bool finish(int result) {
  if (result != 1) ERR_clear_error();
  return result == 1;
}

}  // namespace

bool verify_signature(const Certificate& signer, ByteView message, ByteView signature) {
  EVP_PKEY* key = rsa_public_key(signer);
  if (key == nullptr || signature.empty()) return false;
  detail::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) detail::throw_error<CryptoError>("EVP_MD_CTX_new");
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
  if (EVP_DigestVerifyInit(ctx.get(), &pkey_ctx, EVP_sha256(), nullptr, key) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PADDING) != 1) {
    detail::throw_error<CryptoError>("EVP_DigestVerifyInit");
  }
  return finish(EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                                 message.size()));
}

bool verify_digest_info_signature(const Certificate& signer, ByteView digest_info,
                                  ByteView signature) {
  EVP_PKEY* key = rsa_public_key(signer);
  if (key == nullptr || signature.empty() || digest_info.empty()) return false;
  auto ctx = verify_context(key);
  // No message digest: OpenSSL recovers the PKCS#1 type-1 payload and compares it with
  // digest_info byte for byte.
  if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    detail::throw_error<CryptoError>("EVP_PKEY_CTX_set_rsa_padding");
  }
  return finish(EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest_info.data(),
                                digest_info.size()));
}

bool verify_pss_sha256_signature(const Certificate& signer, ByteView hash32, ByteView signature) {
  EVP_PKEY* key = rsa_public_key(signer);
  if (key == nullptr || signature.empty() || hash32.size() != kSha256Size) return false;
  auto ctx = verify_context(key);
  if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), static_cast<int>(kSha256Size)) != 1) {
    detail::throw_error<CryptoError>("cannot set RSA-PSS parameters");
  }
  return finish(EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), hash32.data(),
                                hash32.size()));
}

}  // namespace kiosk::core::crypto
