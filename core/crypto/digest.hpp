// Hashes, PKCS#1 DigestInfo and randomness for the JPKI signing protocol.
#pragma once

#include <cstddef>

#include "core/crypto/errors.hpp"
#include "hal/bytes.hpp"

namespace kiosk::core::crypto {

inline constexpr std::size_t kSha256Size = 32;
// DER prefix of a SHA-256 DigestInfo: SEQUENCE { AlgorithmIdentifier sha256 NULL, OCTET STRING(32) }.
inline constexpr Byte kSha256DigestInfoPrefix[] = {0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60,
                                                    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                                    0x01, 0x05, 0x00, 0x04, 0x20};
inline constexpr std::size_t kSha256DigestInfoSize = sizeof(kSha256DigestInfoPrefix) + kSha256Size;

Bytes sha256(ByteView data);
// prefix || hash32 (51 bytes): what COMPUTE DIGITAL SIGNATURE (80 2A 00 80) receives.
// Throws std::invalid_argument when the hash is not 32 bytes.
Bytes sha256_digest_info(ByteView hash32);
// A DigestInfo with the SHA-256 algorithm identifier around one or more concatenated 32-byte
// SHA-256 hashes (the card-face record's signature DF28 covers three: docs/genuine-card.md).
// Throws std::invalid_argument unless 1..7 whole hashes are given.
Bytes sha256_digest_info_of_hashes(ByteView hashes);
// Cryptographically secure random bytes (RAND_bytes); throws CryptoError if the DRBG fails.
Bytes random_bytes(std::size_t count);

}  // namespace kiosk::core::crypto
