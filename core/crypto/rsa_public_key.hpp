// A bare RSA public key (no certificate): the J-LIS trust anchors of the card-face records, the
// key inside a card-verifiable certificate, the card's own 券面AP key (DF24). Immutable; copies
// share the OpenSSL object.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/crypto/errors.hpp"
#include "hal/bytes.hpp"

struct evp_pkey_st;

namespace kiosk::core::crypto {

class RsaPublicKey {
 public:
  // From big-endian modulus and exponent. Throws CryptoError for an empty or even modulus, an
  // exponent that is not odd and > 1, or OpenSSL failing.
  static RsaPublicKey from_components(ByteView modulus, ByteView exponent);
  // "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo). Throws CryptoError when it is not one or
  // not an RSA key.
  static RsaPublicKey from_pem(std::string_view pem);

  int bits() const;
  // DER SubjectPublicKeyInfo and its PEM.
  Bytes spki_der() const;
  std::string pem() const;

  // RSASSA-PKCS1-v1_5 whose payload is exactly `digest_info` (what the card signs for
  // COMPUTE DIGITAL SIGNATURE P1 = 00). False when it does not verify; never throws for bad input.
  bool verify_digest_info(ByteView digest_info, ByteView signature) const;
  // RSASSA-PKCS1-v1_5 with SHA-256 over `message` (hashing done here).
  bool verify_sha256(ByteView message, ByteView signature) const;

  evp_pkey_st* native() const { return key_.get(); }
  friend bool operator==(const RsaPublicKey& a, const RsaPublicKey& b) { return a.spki_der() == b.spki_der(); }

 private:
  explicit RsaPublicKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace kiosk::core::crypto
