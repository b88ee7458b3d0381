// Bare RSA public keys (the J-LIS anchors, a CVC's key, the card's DF24) and the DigestInfo of
// several SHA-256 hashes that the card-face record's DF28 covers.
#include <catch2/catch.hpp>

#include "core/crypto/digest.hpp"
#include "core/crypto/rsa_public_key.hpp"
#include "sim/ca/rsa_key.hpp"

using namespace kiosk;
using namespace kiosk::core::crypto;

TEST_CASE("an RSA public key from modulus and exponent verifies what its private key signed") {
  const sim::ca::RsaKey key = sim::ca::RsaKey::generate(2048);
  const RsaPublicKey pub = RsaPublicKey::from_components(key.modulus(), key.public_exponent());
  CHECK(pub.bits() == 2048);
  CHECK(pub.spki_der() == key.public_key_der());
  CHECK(RsaPublicKey::from_pem(key.public_key_pem()) == pub);

  const Bytes message{'m', 's', 'g'};
  const Bytes digest_info = sha256_digest_info(sha256(message));
  const Bytes signature = key.sign_pkcs1_raw(digest_info);
  CHECK(pub.verify_digest_info(digest_info, signature));
  CHECK(pub.verify_sha256(message, signature));
  CHECK_FALSE(pub.verify_sha256(Bytes{'o', 't', 'h', 'e', 'r'}, signature));
  Bytes tampered = signature;
  tampered[10] ^= 0x01;
  CHECK_FALSE(pub.verify_digest_info(digest_info, tampered));
  CHECK_FALSE(pub.verify_digest_info(digest_info, {}));
  CHECK_FALSE(pub.verify_digest_info({}, signature));
  // Another key does not verify it.
  const sim::ca::RsaKey other = sim::ca::RsaKey::generate(2048);
  CHECK_FALSE(RsaPublicKey::from_components(other.modulus(), other.public_exponent()).verify_digest_info(digest_info, signature));
}

TEST_CASE("RSA public keys that cannot be are refused") {
  CHECK_THROWS_AS(RsaPublicKey::from_components({}, Bytes{0x01, 0x00, 0x01}), CryptoError);
  CHECK_THROWS_AS(RsaPublicKey::from_components(Bytes(256, 0xC2), Bytes{0x01, 0x00, 0x01}), CryptoError);  // even modulus
  CHECK_THROWS_AS(RsaPublicKey::from_components(Bytes(256, 0xC1), Bytes{0x01}), CryptoError);
  CHECK_THROWS_AS(RsaPublicKey::from_components(Bytes(256, 0xC1), Bytes{0x02}), CryptoError);
  CHECK_THROWS_AS(RsaPublicKey::from_pem("not a key"), CryptoError);
}

TEST_CASE("a DigestInfo around three SHA-256 hashes, as DF28 signs it") {
  const Bytes one = sha256_digest_info_of_hashes(Bytes(32, 0xAA));
  CHECK(one == sha256_digest_info(Bytes(32, 0xAA)));  // one hash: the ordinary DigestInfo
  const Bytes three = sha256_digest_info_of_hashes(Bytes(96, 0xAA));
  CHECK(three.size() == 115);
  CHECK(to_hex(Bytes(three.begin(), three.begin() + 19)) == "30 71 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 60");
  const Bytes four = sha256_digest_info_of_hashes(Bytes(128, 1));  // long-form lengths
  CHECK(to_hex(Bytes(four.begin(), four.begin() + 21)) == "30 81 92 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 81 80");
  CHECK(four.size() == 3 + 15 + 3 + 128);
  CHECK_THROWS_AS(sha256_digest_info_of_hashes(Bytes(31, 0)), std::invalid_argument);
  CHECK_THROWS_AS(sha256_digest_info_of_hashes({}), std::invalid_argument);
}
