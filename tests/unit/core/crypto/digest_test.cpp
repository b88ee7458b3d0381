// sha256, the SHA-256 DigestInfo the card signs, random bytes, DER length parsing.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string_view>

#include "core/crypto/certificate.hpp"
#include "core/crypto/digest.hpp"

using namespace kiosk;
using namespace kiosk::core::crypto;

namespace {
Bytes bytes_of(std::string_view text) { return Bytes(text.begin(), text.end()); }
}  // namespace

TEST_CASE("sha256 matches the FIPS 180-2 test vectors") {
  CHECK(to_hex(sha256(bytes_of("abc")), '\0') ==
        "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  CHECK(to_hex(sha256({}), '\0') ==
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
}

TEST_CASE("sha256_digest_info wraps a 32-byte hash in the DER DigestInfo the card signs") {
  const Bytes hash = sha256(bytes_of("challenge from the eligibility service"));
  const Bytes info = sha256_digest_info(hash);
  REQUIRE(info.size() == 51);
  CHECK(to_hex(ByteView(info).first(19)) ==
        "30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20");
  CHECK(Bytes(info.begin() + 19, info.end()) == hash);
  // The DigestInfo is itself a complete DER SEQUENCE of 0x31 content bytes.
  CHECK(der_object_size(info) == std::optional<std::size_t>(51));

  CHECK_THROWS_AS(sha256_digest_info(Bytes(31, 0xAB)), std::invalid_argument);
  CHECK_THROWS_AS(sha256_digest_info(Bytes(33, 0xAB)), std::invalid_argument);
  CHECK_THROWS_AS(sha256_digest_info({}), std::invalid_argument);
}

TEST_CASE("random_bytes returns the requested amount of fresh randomness") {
  CHECK(random_bytes(0).empty());
  const Bytes a = random_bytes(32);
  const Bytes b = random_bytes(32);
  CHECK(a.size() == 32);
  CHECK(a != b);
  CHECK(random_bytes(1000).size() == 1000);
}

TEST_CASE("der_object_size reads short and long DER lengths") {
  CHECK_FALSE(der_object_size({}).has_value());
  CHECK_FALSE(der_object_size(Bytes{0x30}).has_value());
  CHECK(der_object_size(Bytes{0x30, 0x05}) == std::optional<std::size_t>(7));
  CHECK_FALSE(der_object_size(Bytes{0x30, 0x82, 0x04}).has_value());  // length incomplete
  CHECK(der_object_size(Bytes{0x30, 0x82, 0x04, 0x1A}) == std::optional<std::size_t>(4 + 0x041A));
  CHECK(der_object_size(Bytes{0x30, 0x81, 0x90}) == std::optional<std::size_t>(3 + 0x90));
  CHECK_THROWS_AS(der_object_size(Bytes{0xFF, 0xFF}), CertificateError);  // an empty EF
  CHECK_THROWS_AS(der_object_size(Bytes{0x30, 0x80}), CertificateError);  // indefinite length
  CHECK_THROWS_AS(der_object_size(Bytes{0x30, 0x85, 1, 2, 3, 4, 5}), CertificateError);
}
