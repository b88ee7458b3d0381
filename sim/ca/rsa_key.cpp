#include "sim/ca/rsa_key.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "sim/ca/asn1_fields.hpp"

namespace kiosk::sim::ca {

namespace {

using hal::openssl::throw_error;

constexpr std::size_t kPkcs1Overhead = 11;
constexpr std::size_t kSha256Size = 32;

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

detail::EvpPkeyCtxPtr sign_context(EVP_PKEY* key, int padding) {
  detail::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx) throw_error<KeyError>("EVP_PKEY_CTX_new_from_pkey");
  if (EVP_PKEY_sign_init(ctx.get()) != 1) throw_error<KeyError>("EVP_PKEY_sign_init");
  if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), padding) != 1) {
    throw_error<KeyError>("EVP_PKEY_CTX_set_rsa_padding");
  }
  return ctx;
}

Bytes run_sign(EVP_PKEY_CTX* ctx, ByteView input) {
  std::size_t length = 0;
  if (EVP_PKEY_sign(ctx, nullptr, &length, input.data(), input.size()) != 1) {
    throw_error<KeyError>("RSA signature failed");
  }
  Bytes signature(length);
  if (EVP_PKEY_sign(ctx, signature.data(), &length, input.data(), input.size()) != 1) {
    throw_error<KeyError>("RSA signature failed");
  }
  signature.resize(length);
  return signature;
}

}  // namespace

RsaKey RsaKey::generate(int bits) {
  if (bits < 1024 || bits > 8192) {
    throw std::invalid_argument("RSA key size must be 1024..8192 bits, got " + std::to_string(bits));
  }
  detail::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!ctx) throw_error<KeyError>("EVP_PKEY_CTX_new_from_name(RSA)");
  if (EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1) {
    throw_error<KeyError>("RSA key generation set-up failed");
  }
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &key) != 1) throw_error<KeyError>("RSA key generation failed");
  return RsaKey(share(key));
}

RsaKey RsaKey::from_pem(std::string_view pem) {
  auto bio = detail::memory_bio(pem);
  detail::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw_error<KeyError>("not an unencrypted PEM private key");
  if (EVP_PKEY_is_a(key.get(), "RSA") != 1) throw KeyError("the PEM private key is not an RSA key");
  return RsaKey(share(key.release()));
}

std::string RsaKey::to_pem() const {
  auto bio = detail::output_bio();
  if (PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw_error<KeyError>("PEM_write_bio_PrivateKey");
  }
  return detail::bio_text(bio.get());
}

Bytes RsaKey::public_key_der() const {
  const int length = i2d_PUBKEY(key_.get(), nullptr);
  if (length <= 0) throw_error<KeyError>("i2d_PUBKEY");
  Bytes der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  if (i2d_PUBKEY(key_.get(), &out) != length) throw_error<KeyError>("i2d_PUBKEY");
  return der;
}

Bytes RsaKey::modulus() const {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_N, &raw) != 1) {
    throw_error<KeyError>("cannot read the RSA modulus");
  }
  detail::BignumPtr n(raw);
  Bytes out(size_bytes());
  if (BN_bn2binpad(n.get(), out.data(), static_cast<int>(out.size())) < 0) {
    throw_error<KeyError>("BN_bn2binpad");
  }
  return out;
}

Bytes RsaKey::public_exponent() const {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_E, &raw) != 1) {
    throw_error<KeyError>("cannot read the RSA public exponent");
  }
  detail::BignumPtr e(raw);
  Bytes out(static_cast<std::size_t>(BN_num_bytes(e.get())));
  BN_bn2bin(e.get(), out.data());
  return out;
}

std::string RsaKey::public_key_pem() const {
  auto bio = detail::output_bio();
  if (PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) throw_error<KeyError>("PEM_write_bio_PUBKEY");
  return detail::bio_text(bio.get());
}

int RsaKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

std::size_t RsaKey::size_bytes() const {
  return static_cast<std::size_t>(EVP_PKEY_get_size(key_.get()));
}

Bytes RsaKey::sign_pkcs1_raw(ByteView digest_info) const {
  const std::size_t limit = size_bytes() - kPkcs1Overhead;
  if (digest_info.empty() || digest_info.size() > limit) {
    throw SignInputError("PKCS#1 v1.5 input must be 1.." + std::to_string(limit) + " bytes, got " +
                         std::to_string(digest_info.size()));
  }
  // No signature digest set: the bytes are padded (type 1) and signed as given.
  auto ctx = sign_context(key_.get(), RSA_PKCS1_PADDING);
  return run_sign(ctx.get(), digest_info);
}

Bytes RsaKey::sign_pss_sha256(ByteView hash32) const {
  if (hash32.size() != kSha256Size) {
    throw SignInputError("RSASSA-PSS input must be a 32-byte SHA-256 hash, got " +
                         std::to_string(hash32.size()) + " bytes");
  }
  auto ctx = sign_context(key_.get(), RSA_PKCS1_PSS_PADDING);
  if (EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), static_cast<int>(kSha256Size)) != 1) {
    throw_error<KeyError>("cannot set RSA-PSS parameters");
  }
  return run_sign(ctx.get(), hash32);
}

}  // namespace kiosk::sim::ca
