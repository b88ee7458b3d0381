// Signatures made like the card makes them (sim RsaKey), checked like the kiosk checks them.
#include <catch2/catch.hpp>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string_view>

#include "core/crypto/certificate.hpp"
#include "core/crypto/digest.hpp"
#include "core/crypto/signature.hpp"
#include "sim/ca/jpki_ca.hpp"
#include "sim/ca/rsa_key.hpp"

using namespace kiosk;
using namespace kiosk::core::crypto;
using namespace std::chrono;

namespace {

const system_clock::time_point kAt = sys_days{year{2026} / April / 1};

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("kiosk-sig-test-" + to_hex(random_bytes(8), '\0'));
  sim::ca::SimulatedJpkiCa ca = sim::ca::SimulatedJpkiCa::create(dir, kAt - days{365});
  sim::ca::RsaKey card_key = sim::ca::RsaKey::generate();
  sim::ca::RsaKey other_key = sim::ca::RsaKey::generate();
  Certificate cert = Certificate::from_der(
      ca.issue_auth_certificate(card_key, "SIGTEST0001", kAt - days{1}, kAt + days{1000}));
  Certificate other_cert = Certificate::from_der(
      ca.issue_auth_certificate(other_key, "SIGTEST0002", kAt - days{1}, kAt + days{1000}));

  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

Bytes bytes_of(std::string_view text) { return Bytes(text.begin(), text.end()); }

}  // namespace

TEST_CASE("a card signature over a DigestInfo verifies as SHA256withRSA and as a DigestInfo signature") {
  auto& f = fixture();
  const Bytes message = bytes_of("nonce 3f9a: eligibility check at clinic 1234567");
  const Bytes digest_info = sha256_digest_info(sha256(message));
  const Bytes signature = f.card_key.sign_pkcs1_raw(digest_info);
  REQUIRE(signature.size() == 256);

  CHECK(verify_signature(f.cert, message, signature));
  CHECK(verify_digest_info_signature(f.cert, digest_info, signature));

  SECTION("a modified message is rejected") {
    Bytes changed = message;
    changed.back() ^= 0x01;
    CHECK_FALSE(verify_signature(f.cert, changed, signature));
    CHECK_FALSE(verify_digest_info_signature(f.cert, sha256_digest_info(sha256(changed)), signature));
  }
  SECTION("a modified signature is rejected") {
    Bytes changed = signature;
    changed[100] ^= 0x40;
    CHECK_FALSE(verify_signature(f.cert, message, changed));
    CHECK_FALSE(verify_digest_info_signature(f.cert, digest_info, changed));
    CHECK_FALSE(verify_signature(f.cert, message, ByteView(signature).first(255)));
    CHECK_FALSE(verify_signature(f.cert, message, {}));
    CHECK(ERR_peek_error() == 0);  // failures leave no OpenSSL errors behind
  }
  SECTION("another card's certificate does not verify it") {
    CHECK_FALSE(verify_signature(f.other_cert, message, signature));
    CHECK_FALSE(verify_digest_info_signature(f.other_cert, digest_info, signature));
  }
  SECTION("the DigestInfo must match byte for byte, not just the hash") {
    Bytes other_info = digest_info;
    other_info[1] = 0x32;  // a different DigestInfo around the same hash
    CHECK_FALSE(verify_digest_info_signature(f.cert, other_info, signature));
    CHECK_FALSE(verify_digest_info_signature(f.cert, sha256(message), signature));
  }
}

TEST_CASE("sign_pkcs1_raw equals OpenSSL's own SHA256withRSA and is deterministic") {
  auto& f = fixture();
  const Bytes message = bytes_of("same bytes, same signature");
  const Bytes ours = f.card_key.sign_pkcs1_raw(sha256_digest_info(sha256(message)));
  CHECK(f.card_key.sign_pkcs1_raw(sha256_digest_info(sha256(message))) == ours);

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, f.card_key.native()) == 1);
  std::size_t length = 0;
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()) == 1);
  Bytes reference(length);
  REQUIRE(EVP_DigestSign(ctx.get(), reference.data(), &length, message.data(), message.size()) == 1);
  reference.resize(length);
  CHECK(ours == reference);
}

TEST_CASE("sign_pkcs1_raw accepts at most k - 11 bytes") {
  auto& f = fixture();
  CHECK(f.card_key.sign_pkcs1_raw(Bytes(245, 0x5A)).size() == 256);
  CHECK_THROWS_AS(f.card_key.sign_pkcs1_raw(Bytes(246, 0x5A)), sim::ca::SignInputError);
  CHECK_THROWS_AS(f.card_key.sign_pkcs1_raw({}), sim::ca::SignInputError);
}

TEST_CASE("an RSASSA-PSS signature of the card verifies with OpenSSL") {
  auto& f = fixture();
  const Bytes hash = sha256(bytes_of("PSS, salt 32"));
  const Bytes signature = f.card_key.sign_pss_sha256(hash);
  REQUIRE(signature.size() == 256);
  CHECK(f.card_key.sign_pss_sha256(hash) != signature);  // randomised salt

  CHECK(verify_pss_sha256_signature(f.cert, hash, signature));
  Bytes other_hash = hash;
  other_hash[0] ^= 0x01;
  CHECK_FALSE(verify_pss_sha256_signature(f.cert, other_hash, signature));
  CHECK_FALSE(verify_pss_sha256_signature(f.other_cert, hash, signature));
  CHECK_FALSE(verify_signature(f.cert, hash, signature));  // not a PKCS#1 v1.5 signature

  // Independently of core/crypto: OpenSSL with explicit PSS parameters and the certificate key.
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(X509_get0_pubkey(f.cert.native()), nullptr), EVP_PKEY_CTX_free);
  REQUIRE(EVP_PKEY_verify_init(ctx.get()) == 1);
  REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) == 1);
  REQUIRE(EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1);
  REQUIRE(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) == 1);
  REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), 32) == 1);
  CHECK(EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), hash.data(), hash.size()) == 1);

  CHECK_THROWS_AS(f.card_key.sign_pss_sha256(Bytes(20, 1)), sim::ca::SignInputError);
}
