#include "core/crypto/rsa_public_key.hpp"

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "core/crypto/digest.hpp"
#include "core/crypto/openssl_util.hpp"

namespace kiosk::core::crypto {
namespace {

using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, detail::Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, detail::Deleter<OSSL_PARAM_free>>;

std::shared_ptr<EVP_PKEY> shared(EVP_PKEY* key) { return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free); }

detail::BignumPtr bignum(ByteView big_endian) {
  detail::BignumPtr bn(BN_bin2bn(big_endian.data(), static_cast<int>(big_endian.size()), nullptr));
  if (!bn) detail::throw_error<CryptoError>("BN_bin2bn");
  return bn;
}

bool finish(int result) {
  if (result != 1) ERR_clear_error();
  return result == 1;
}

}  // namespace

RsaPublicKey RsaPublicKey::from_components(ByteView modulus, ByteView exponent) {
  if (modulus.empty() || modulus.size() > 1024 || (modulus.back() & 1) == 0) {
    throw CryptoError("an RSA modulus is a non-empty odd number");
  }
  if (exponent.empty() || exponent.size() > 8 || (exponent.back() & 1) == 0 ||
      (exponent.size() == 1 && exponent[0] == 1)) {
    throw CryptoError("an RSA public exponent is an odd number above 1");
  }
  auto n = bignum(modulus);
  auto e = bignum(exponent);
  ParamBldPtr build(OSSL_PARAM_BLD_new());
  if (!build || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    detail::throw_error<CryptoError>("cannot build RSA key parameters");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(build.get()));
  detail::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 || key == nullptr) {
    detail::throw_error<CryptoError>("cannot make an RSA public key from modulus and exponent");
  }
  return RsaPublicKey(shared(key));
}

RsaPublicKey RsaPublicKey::from_pem(std::string_view pem) {
  auto bio = detail::memory_bio<CryptoError>(pem);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) detail::throw_error<CryptoError>("not a PEM public key");
  auto owned = shared(key);
  if (EVP_PKEY_is_a(key, "RSA") != 1) throw CryptoError("the public key is not an RSA key");
  return RsaPublicKey(std::move(owned));
}

int RsaPublicKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

Bytes RsaPublicKey::spki_der() const {
  const int length = i2d_PUBKEY(key_.get(), nullptr);
  if (length <= 0) detail::throw_error<CryptoError>("i2d_PUBKEY");
  Bytes der(static_cast<std::size_t>(length));
  unsigned char* p = der.data();
  if (i2d_PUBKEY(key_.get(), &p) != length) detail::throw_error<CryptoError>("i2d_PUBKEY");
  return der;
}

std::string RsaPublicKey::pem() const {
  auto bio = detail::output_bio<CryptoError>();
  if (PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) detail::throw_error<CryptoError>("PEM_write_bio_PUBKEY");
  return detail::bio_text(bio.get());
}

bool RsaPublicKey::verify_digest_info(ByteView digest_info, ByteView signature) const {
  if (digest_info.empty() || signature.empty()) return false;
  detail::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (!ctx) detail::throw_error<CryptoError>("EVP_PKEY_CTX_new_from_pkey");
  if (EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    detail::throw_error<CryptoError>("EVP_PKEY_verify_init");
  }
  // No message digest set: OpenSSL recovers the type-1 payload and compares it byte for byte.
  return finish(EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest_info.data(), digest_info.size()));
}

bool RsaPublicKey::verify_sha256(ByteView message, ByteView signature) const {
  return verify_digest_info(sha256_digest_info(sha256(message)), signature);
}

}  // namespace kiosk::core::crypto
