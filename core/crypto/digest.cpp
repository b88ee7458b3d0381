#include "core/crypto/digest.hpp"

#include <algorithm>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <stdexcept>
#include <string>

#include "core/crypto/openssl_util.hpp"

namespace kiosk::core::crypto {

Bytes sha256(ByteView data) {
  Bytes out(kSha256Size);
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != kSha256Size) {
    detail::throw_error<CryptoError>("SHA-256 failed");
  }
  return out;
}

Bytes sha256_digest_info(ByteView hash32) {
  if (hash32.size() != kSha256Size) {
    throw std::invalid_argument("a SHA-256 hash is 32 bytes, got " + std::to_string(hash32.size()));
  }
  // Sized once and filled by copies (GCC 12's -Warray-bounds misreads a range insert here).
  Bytes out(kSha256DigestInfoSize);
  const auto after_prefix = std::copy(std::begin(kSha256DigestInfoPrefix), std::end(kSha256DigestInfoPrefix), out.begin());
  std::copy(hash32.begin(), hash32.end(), after_prefix);
  return out;
}

Bytes sha256_digest_info_of_hashes(ByteView hashes) {
  if (hashes.empty() || hashes.size() % kSha256Size != 0 || hashes.size() > 7 * kSha256Size) {
    throw std::invalid_argument("1 to 7 SHA-256 hashes of 32 bytes, got " + std::to_string(hashes.size()) + " bytes");
  }
  // SEQUENCE { SEQUENCE { OID sha256, NULL }, OCTET STRING hashes }, DER lengths (at most 255).
  auto length = [](Bytes& out, std::size_t n) {
    if (n >= 0x80) out.push_back(0x81);
    out.push_back(static_cast<Byte>(n));
  };
  Bytes octets{0x04};
  length(octets, hashes.size());
  octets.insert(octets.end(), hashes.begin(), hashes.end());
  Bytes out{0x30};
  length(out, 15 + octets.size());
  out.insert(out.end(), std::begin(kSha256DigestInfoPrefix) + 2, std::begin(kSha256DigestInfoPrefix) + 17);
  out.insert(out.end(), octets.begin(), octets.end());
  return out;
}

Bytes random_bytes(std::size_t count) {
  if (count > static_cast<std::size_t>(INT_MAX)) throw std::invalid_argument("too many random bytes");
  Bytes out(count);
  if (count != 0 && RAND_bytes(out.data(), static_cast<int>(count)) != 1) {
    detail::throw_error<CryptoError>("RAND_bytes failed");
  }
  return out;
}

}  // namespace kiosk::core::crypto
