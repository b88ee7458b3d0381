// Checking signatures made by the card's keys against the public key of its certificate.
// All functions return false for a signature that does not verify (wrong message, wrong key,
// wrong length, not RSA) and throw CryptoError only when OpenSSL itself cannot run.
#pragma once

#include "core/crypto/certificate.hpp"
#include "hal/bytes.hpp"

namespace kiosk::core::crypto {

// RSASSA-PKCS1-v1_5 with SHA-256 over the message (hashing done here).
bool verify_signature(const Certificate& signer, ByteView message, ByteView signature);

// RSASSA-PKCS1-v1_5 over a DigestInfo given as is: the signature must decode to exactly these
// bytes. This is what the card produces for COMPUTE DIGITAL SIGNATURE with P1 = 00.
bool verify_digest_info_signature(const Certificate& signer, ByteView digest_info,
                                  ByteView signature);

// RSASSA-PSS over a 32-byte SHA-256 hash, MGF1-SHA-256, salt length 32 (P1 = 04).
bool verify_pss_sha256_signature(const Certificate& signer, ByteView hash32, ByteView signature);

}  // namespace kiosk::core::crypto
