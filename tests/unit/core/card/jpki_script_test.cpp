// Byte-exact APDU scripts of each JPKI operation, run against the card emulator.
#include <catch2/catch.hpp>

#include "core/card/card_error.hpp"
#include "core/card/jpki_application.hpp"
#include "core/crypto/certificate.hpp"
#include "core/crypto/digest.hpp"
#include "core/crypto/signature.hpp"
#include "tests/unit/core/card/rig.hpp"

using namespace kiosk;
using namespace kiosk::core::card;
using kiosk::test::CardRig;
using Script = std::vector<std::string>;

namespace {
const std::string kSelectJpki = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01 -> 90 00";

std::string hex_length(std::size_t n) { return to_hex(Bytes{static_cast<Byte>(n >> 8), static_cast<Byte>(n)}); }
}  // namespace

TEST_CASE("auth certificate: SELECT AP + one extended READ BINARY by short EF id") {
  const auto profile = test::test_card_profile();
  CardRig rig(profile);
  JpkiApplication jpki(*rig.session);
  jpki.select();
  const Bytes cert = jpki.read_auth_certificate();
  CHECK(cert == profile.auth.certificate);
  CHECK(rig.script() == Script{kSelectJpki, "00 B0 8A 00 00 00 00 -> 90 00"});
  CHECK(rig.session->extended_length == true);
  CHECK(rig.session->short_ef_identifiers == true);
  CHECK(rig.session->counters().commands == 2);
  CHECK(rig.session->counters().bytes_received == 2 + cert.size() + 2);
  // The certificate parses and names no person (an opaque id).
  const auto parsed = core::crypto::Certificate::from_der(cert);
  CHECK(parsed.subject().find("CN=JPKISIM") != std::string::npos);
}

TEST_CASE("auth certificate without extended length: 256-byte chunks, exact remainder last") {
  auto profile = test::test_card_profile();
  profile.extended_length = false;
  CardRig rig(profile);
  JpkiApplication jpki(*rig.session);
  jpki.select();
  const Bytes cert = jpki.read_auth_certificate();
  CHECK(cert == profile.auth.certificate);
  Script expected{kSelectJpki, "00 B0 8A 00 00 00 00 -> 67 00", "00 B0 8A 00 00 -> 90 00"};
  std::size_t offset = 256;
  while (offset < cert.size()) {
    const std::size_t n = std::min<std::size_t>(256, cert.size() - offset);
    expected.push_back("00 B0 " + hex_length(offset) + " " + (n == 256 ? std::string("00") : to_hex(Bytes{static_cast<Byte>(n)})) +
                       " -> 90 00");
    offset += n;
  }
  CHECK(rig.script() == expected);
  CHECK(rig.session->extended_length == false);

  // Learnt once: the CA certificate goes straight to short reads.
  rig.session->clear_trace();
  CHECK(jpki.read_auth_ca_certificate() == profile.auth.ca_certificate);
  CHECK(rig.script().front() == "00 B0 8B 00 00 -> 90 00");
}

TEST_CASE("auth certificate from a card without short EF ids: SELECT EF then READ BINARY") {
  auto profile = test::test_card_profile();
  profile.short_ef_identifiers = false;
  CardRig rig(profile);
  JpkiApplication jpki(*rig.session);
  jpki.select();
  CHECK(jpki.read_auth_certificate() == profile.auth.certificate);
  CHECK(rig.script() == Script{kSelectJpki, "00 B0 8A 00 00 00 00 -> 6A 86", "00 A4 02 0C 02 00 0A -> 90 00",
                               "00 B0 00 00 00 00 00 -> 90 00"});
  // PIN commands follow suit: SELECT the key EF, P2 = 80.
  rig.session->clear_trace();
  CHECK(jpki.auth_pin_status().tries_left == 3);
  CHECK(rig.script() == Script{"00 A4 02 0C 02 00 18 -> 90 00", "00 20 00 80 -> 63 C3"});
}

TEST_CASE("filler after the certificate is not part of it") {
  auto profile = test::test_card_profile();
  profile.file_padding = 300;
  CardRig rig(profile);
  JpkiApplication jpki(*rig.session);
  jpki.select();
  CHECK(jpki.read_auth_certificate() == profile.auth.certificate);
}

TEST_CASE("token info tells a card from a smartphone") {
  {
    CardRig rig(test::test_card_profile());
    JpkiApplication jpki(*rig.session);
    jpki.select();
    const TokenInfo info = jpki.read_token_info();
    CHECK(info.label == "JPKIAPICCTOKEN2");
    CHECK(info.kind == TokenKind::MyNumberCard);
    CHECK(rig.script() == Script{kSelectJpki, "00 B0 86 00 20 -> 90 00"});
  }
  {
    CardRig rig(test::smartphone_profile());
    JpkiApplication jpki(*rig.session);
    jpki.select();
    CHECK(jpki.read_token_info().kind == TokenKind::AndroidSmartphone);
  }
  CHECK(parse_token_info(from_hex("4A 50 4B 49 41 50 49 43 43 54 4F 4B 45 4E 20 20")).kind == TokenKind::JukiCard);
  CHECK_THROWS_AS(parse_token_info(from_hex("4A 50 01 02")), CardProtocolError);
}

TEST_CASE("PIN tries are read without spending one, every time") {
  auto card = test::make_card(test::test_card_profile());
  CardRig rig(card);
  JpkiApplication jpki(*rig.session);
  jpki.select();
  for (int i = 0; i < 5; ++i) {
    const RetryStatus s = jpki.auth_pin_status();
    CHECK(s.state == RetryStatus::State::Ready);
    CHECK(s.tries_left == 3);
  }
  CHECK(rig.script() == Script{kSelectJpki, "00 20 00 98 -> 63 C3", "00 20 00 98 -> 63 C3", "00 20 00 98 -> 63 C3",
                               "00 20 00 98 -> 63 C3", "00 20 00 98 -> 63 C3"});
  CHECK(card->profile().auth.pin.tries_left == 3);
  CHECK(jpki.sign_pin_status().tries_left == 5);
}

TEST_CASE("whole PIN authentication: certificate, tries, VERIFY, signature in 5 APDUs") {
  const auto profile = test::test_card_profile();
  CardRig rig(profile);
  JpkiApplication jpki(*rig.session);
  jpki.select();
  const Bytes cert_der = jpki.read_auth_certificate();
  REQUIRE(jpki.auth_pin_status().tries_left == 3);
  const VerifyResult v = jpki.verify_auth_pin(Secret("1234"));
  CHECK(v.outcome == VerifyOutcome::Verified);

  const Bytes challenge = core::crypto::random_bytes(32);
  const Bytes digest_info = core::crypto::sha256_digest_info(core::crypto::sha256(challenge));
  const Bytes signature = jpki.sign_with_auth_key(digest_info);
  CHECK(signature.size() == 256);
  const auto cert = core::crypto::Certificate::from_der(cert_der);
  CHECK(core::crypto::verify_signature(cert, challenge, signature));
  CHECK(core::crypto::verify_digest_info_signature(cert, digest_info, signature));

  CHECK(rig.script() == Script{kSelectJpki, "00 B0 8A 00 00 00 00 -> 90 00", "00 20 00 98 -> 63 C3",
                               "00 20 00 98 04 ** ** ** ** -> 90 00",
                               "80 2A 00 97 33 " + to_hex(digest_info) + " 00 -> 90 00"});
  // The PIN never appears in the trace.
  for (const auto& e : rig.session->trace()) CHECK(e.command.find("31 32 33 34") == std::string::npos);
}

TEST_CASE("signing before the PIN is refused by the card") {
  CardRig rig(test::test_card_profile());
  JpkiApplication jpki(*rig.session);
  jpki.select();
  try {
    jpki.sign_with_auth_key(core::crypto::sha256_digest_info(core::crypto::sha256(Bytes{1, 2, 3})));
    FAIL("signed without PIN");
  } catch (const CardProtocolError& e) {
    CHECK(e.failure() == CardFailure::SecurityStatusNotSatisfied);
    CHECK(e.status_word() == 0x6982);
  }
}

TEST_CASE("wrong PINs count down, a right one resets, the third wrong one locks") {
  auto card = test::make_card(test::test_card_profile());
  CardRig rig(card);
  JpkiApplication jpki(*rig.session);
  jpki.select();
  VerifyResult v = jpki.verify_auth_pin(Secret("0000"));
  CHECK(v.outcome == VerifyOutcome::Wrong);
  CHECK(v.tries_left == 2);
  CHECK(jpki.auth_pin_status().tries_left == 2);
  CHECK(jpki.verify_auth_pin(Secret("1234")).outcome == VerifyOutcome::Verified);
  CHECK(jpki.auth_pin_status().tries_left == 3);  // 63 C3 even after a successful VERIFY

  rig.session->clear_trace();
  CHECK(jpki.verify_auth_pin(Secret("1111")).tries_left == 2);
  CHECK(jpki.verify_auth_pin(Secret("2222")).tries_left == 1);
  v = jpki.verify_auth_pin(Secret("3333"));
  CHECK(v.outcome == VerifyOutcome::Blocked);
  CHECK(v.tries_left == 0);
  CHECK(jpki.verify_auth_pin(Secret("1234")).outcome == VerifyOutcome::Blocked);  // even the right PIN
  CHECK(jpki.auth_pin_status().state == RetryStatus::State::Blocked);
  CHECK(rig.script() == Script{"00 20 00 98 04 ** ** ** ** -> 63 C2", "00 20 00 98 04 ** ** ** ** -> 63 C1",
                               "00 20 00 98 04 ** ** ** ** -> 63 C0", "00 20 00 98 04 ** ** ** ** -> 69 84",
                               "00 20 00 98 -> 63 C0"});
  CHECK(card->profile().auth.pin.tries_left == 0);
}

TEST_CASE("a malformed PIN never reaches the card") {
  auto card = test::make_card(test::test_card_profile());
  CardRig rig(card);
  JpkiApplication jpki(*rig.session);
  jpki.select();
  CHECK_THROWS_AS(jpki.verify_auth_pin(Secret("123")), std::invalid_argument);
  CHECK_THROWS_AS(jpki.verify_auth_pin(Secret("12345")), std::invalid_argument);
  CHECK_THROWS_AS(jpki.verify_auth_pin(Secret("12a4")), std::invalid_argument);
  CHECK_THROWS_AS(jpki.verify_auth_pin(Secret("")), std::invalid_argument);
  CHECK(rig.script() == Script{kSelectJpki});
  CHECK(card->profile().auth.pin.tries_left == 3);
}

TEST_CASE("a PIN-less face-only card says its PIN is not set") {
  CardRig rig(test::face_only_card_profile());
  JpkiApplication jpki(*rig.session);
  jpki.select();
  CHECK(jpki.auth_pin_status().state == RetryStatus::State::NotSet);
  CHECK(rig.script().back() == "00 20 00 98 -> 69 84");
  CHECK_THROWS_AS(jpki.sign_pin_status(), CardProtocolError);  // no signing password at all
}

TEST_CASE("a reset forgets the verified PIN") {
  CardRig rig(test::test_card_profile());
  JpkiApplication jpki(*rig.session);
  jpki.select();
  REQUIRE(jpki.verify_auth_pin(Secret("1234")).outcome == VerifyOutcome::Verified);
  rig.session->reset();
  CHECK(rig.session->current_application() == Application::Unknown);
  jpki.select();
  CHECK_THROWS_AS(jpki.sign_with_auth_key(core::crypto::sha256_digest_info(core::crypto::sha256(Bytes{1}))), CardProtocolError);
}
