// Exceptions of the kiosk's certificate and signature checks (core/crypto).
#pragma once

#include <stdexcept>
#include <string>

namespace kiosk::core::crypto {

// Base of every core/crypto error: an OpenSSL operation failed or its input was unusable.
// Messages carry OpenSSL's reason string when OpenSSL gave one.
class CryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The bytes are not an X.509 certificate (garbage, truncated, trailing data that is not filler).
class CertificateError : public CryptoError {
 public:
  using CryptoError::CryptoError;
};

// A certificate revocation list could not be parsed.
class CrlError : public CryptoError {
 public:
  using CryptoError::CryptoError;
};

// A trust store could not be filled (unreadable directory or file, a non-CA anchor).
class TrustStoreError : public CryptoError {
 public:
  using CryptoError::CryptoError;
};

}  // namespace kiosk::core::crypto
