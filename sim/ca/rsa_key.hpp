// An RSA key pair of the simulated JPKI world: CA keys and the keys inside simulated cards,
// with the private-key operations the card performs for COMPUTE DIGITAL SIGNATURE.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hal/bytes.hpp"

struct evp_pkey_st;

namespace kiosk::sim::ca {

// Key generation, encoding or a private-key operation failed inside OpenSSL, or a PEM is not
// an RSA private key. Carries OpenSSL's reason string.
class KeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The data to sign does not fit the scheme (too long for the key, wrong hash size, empty).
// The card answers such a command with an error status word.
class SignInputError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class RsaKey {
 public:
  // A fresh key pair, e = 65537. Takes ~0.1-0.5 s for 2048 bits.
  static RsaKey generate(int bits = 2048);
  // PKCS#8 ("BEGIN PRIVATE KEY") or traditional ("BEGIN RSA PRIVATE KEY"), unencrypted.
  static RsaKey from_pem(std::string_view pem);

  // PKCS#8, unencrypted (test cards only).
  std::string to_pem() const;
  // DER SubjectPublicKeyInfo.
  Bytes public_key_der() const;
  // Big-endian modulus n, size_bytes() long.
  Bytes modulus() const;
  // Big-endian public exponent e, without leading zeros (01 00 01).
  Bytes public_exponent() const;
  // "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo).
  std::string public_key_pem() const;
  int bits() const;
  std::size_t size_bytes() const;  // k: the signature length

  // RSASSA-PKCS1-v1_5 signature primitive over the bytes as given (type-1 padding, no hashing):
  // the card receives a DigestInfo and signs it. At most k - 11 bytes, else SignInputError.
  Bytes sign_pkcs1_raw(ByteView digest_info) const;
  // RSASSA-PSS over a 32-byte SHA-256 hash, MGF1-SHA-256, salt 32 bytes. SignInputError when
  // the hash is not 32 bytes.
  Bytes sign_pss_sha256(ByteView hash32) const;

  // The OpenSSL key (shared by copies of this RsaKey).
  evp_pkey_st* native() const { return key_.get(); }

 private:
  explicit RsaKey(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace kiosk::sim::ca
