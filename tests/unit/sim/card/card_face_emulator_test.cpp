// The emulator's card-face proof (docs/genuine-card.md): EF 0004, DF24/DF28 in the record made by
// the simulated CA, the 券面AP key signing 80 2A 00 00 without a PIN; next-generation cards; card
// files made before any of it; the attack cards.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>

#include "sim/ca/card_face_ca.hpp"
#include "sim/ca/rsa_key.hpp"
#include "sim/card/card_face_record.hpp"
#include "sim/card/jpki_card.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/unit/sim/card/emulator_probe.hpp"

using namespace kiosk;
using test::ask;
using test::data;
using test::kSelectJpki;
using test::sw;

namespace {

const std::string kSelectCardFace = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02";
const std::string kSelectText = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";
const std::string kSelectNext = "00 A4 04 0C 0A D3 92 10 00 31 00 02 01 00 01";
const std::string kDigestInfo = "30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 " + to_hex(Bytes(32, 0x11));

}  // namespace

TEST_CASE("emulator: EF 0004 needs no key, the 券面AP key signs 80 2A 00 00 without any PIN") {
  const auto profile = test::test_card_profile();
  REQUIRE(profile.card_face);
  auto card = test::make_card(profile);
  CHECK(sw(*card, kSelectCardFace) == "90 00");
  CHECK(data(*card, "00 B0 84 00 00 00 00") == profile.card_face->certificate);
  CHECK(sw(*card, "00 84 00 00 10") == "90 00");
  const Bytes signature = data(*card, "80 2A 00 00 33 " + kDigestInfo + " 00");
  REQUIRE(signature.size() == 256);
  const sim::ca::RsaKey key = sim::ca::RsaKey::from_pem(profile.card_face->private_key_pem);
  CHECK(signature == key.sign_pkcs1_raw(from_hex(kDigestInfo)));  // PKCS#1 v1.5 is deterministic
  CHECK(sw(*card, "80 2A 00 80 33 " + kDigestInfo + " 00") == "6A 86");  // only the default key (P2 00)
  CHECK(sw(*card, "80 2A 02 00 20 " + to_hex(Bytes(32, 0x11)) + " 00") == "6A 86");  // P1 00 only
  // The JPKI auth key still wants its PIN.
  CHECK(sw(*card, kSelectJpki) == "90 00");
  CHECK(sw(*card, "80 2A 00 97 33 " + kDigestInfo + " 00") == "69 82");
}

TEST_CASE("emulator: the record served is the record the CA signed") {
  const auto profile = test::test_card_profile();
  auto card = test::make_card(profile);
  ask(*card, kSelectCardFace);
  CHECK(sw(*card, "00 20 00 92 0E " + to_hex(Bytes(profile.code_b.value->begin(), profile.code_b.value->end()))) == "90 00");
  CHECK(data(*card, "00 B0 82 00 00 00 00") == sim::card::card_face_record(profile));
  const auto groups = sim::card::card_face_signed_groups(profile);
  CHECK(groups[0].size() == 11 + 4 + 270);
  CHECK(groups[1].size() > 100);  // two PNG images
  CHECK(profile.card_face->record_card_key == sim::ca::rsa_key_objects(sim::ca::RsaKey::from_pem(profile.card_face->private_key_pem)));
  CHECK(profile.card_face->municipality_code == "13101");
}

TEST_CASE("emulator: a next-generation card answers the JPKI AP and a 券面等AP with nothing to read") {
  const auto profile = test::next_generation_card_profile();
  CHECK(profile.generation == sim::card::CardGeneration::Next);
  CHECK_FALSE(profile.card_face);
  auto card = test::make_card(profile);
  CHECK(sw(*card, kSelectCardFace) == "6A 82");
  CHECK(sw(*card, kSelectText) == "6A 82");
  CHECK(sw(*card, kSelectNext) == "90 00");
  CHECK(sw(*card, "00 A4 02 0C 02 00 02") == "6A 82");
  CHECK(sw(*card, "00 B0 82 00 00") == "6A 82");
  CHECK(sw(*card, kSelectJpki) == "90 00");
  CHECK(sw(*card, "00 20 00 98") == "63 C3");
  // Today's cards do not answer the provisional AID.
  auto today = test::make_card(test::test_card_profile());
  CHECK(sw(*today, kSelectNext) == "6A 82");
}

TEST_CASE("card files: generation and card-face proof saved and loaded, older files load without them") {
  test::TempDir dir;
  const auto file = dir.path() / "card.json";
  const auto profile = test::test_card_profile();
  profile.save(file);
  const sim::card::CardProfile loaded = sim::card::CardProfile::load(file);
  REQUIRE(loaded.card_face);
  CHECK(loaded.card_face->certificate == profile.card_face->certificate);
  CHECK(loaded.card_face->record_signature == profile.card_face->record_signature);
  CHECK(loaded.card_face->record_card_key == profile.card_face->record_card_key);
  CHECK(loaded.card_face->name_png == profile.card_face->name_png);
  CHECK(loaded.generation == sim::card::CardGeneration::Current);
  test::next_generation_card_profile().save(file);
  CHECK(sim::card::CardProfile::load(file).generation == sim::card::CardGeneration::Next);

  // A card file written before the card-face proof and the generation existed.
  profile.save(file);
  nlohmann::json j = nlohmann::json::parse(std::ifstream(file));
  j.erase("card_face");
  j.erase("generation");
  std::ofstream(file) << j.dump();
  const sim::card::CardProfile old = sim::card::CardProfile::load(file);
  CHECK_FALSE(old.card_face);
  CHECK(old.generation == sim::card::CardGeneration::Current);
  auto card = sim::card::JpkiCard::load(file);
  card->power_on();
  CHECK(sw(*card, kSelectCardFace) == "90 00");
  CHECK(sw(*card, "00 B0 84 00 00 00 00") == "6A 82");                 // no EF 0004
  CHECK(sw(*card, "80 2A 00 00 33 " + kDigestInfo + " 00") == "69 85");  // no 券面AP key
  j["generation"] = "future";
  std::ofstream(file) << j.dump();
  CHECK_THROWS_WITH(sim::card::CardProfile::load(file), Catch::Contains("unknown card generation"));
}

TEST_CASE("attack cards carry the victim's certificate and the attacker's PIN, never the victim's keys") {
  const auto victim = test::test_card_profile();
  for (const auto variant : {sim::card::CloneVariant::ForeignRoot, sim::card::CloneVariant::ForgedCertificate, sim::card::CloneVariant::ForgedRecord,
                             sim::card::CloneVariant::StolenRecord, sim::card::CloneVariant::OtherCard}) {
    DYNAMIC_SECTION(sim::card::to_string(variant)) {
      const auto clone = test::cloned_card_profile(variant);
      CHECK(clone.auth.certificate == victim.auth.certificate);
      CHECK(clone.auth.private_key_pem != victim.auth.private_key_pem);
      CHECK(*clone.auth.pin.value == "0000");
      REQUIRE(clone.card_face);
      // The chip key is never the victim's.
      CHECK(clone.card_face->private_key_pem != victim.card_face->private_key_pem);
      // The card answers its own 照合番号B.
      auto card = test::make_card(clone);
      ask(*card, kSelectCardFace);
      CHECK(sw(*card, "00 20 00 92 0E " + to_hex(Bytes(clone.code_b.value->begin(), clone.code_b.value->end()))) == "90 00");
      CHECK(sim::card::clone_variant_from_name(sim::card::to_string(variant)) == variant);
    }
  }
  CHECK(test::cloned_card_profile(sim::card::CloneVariant::StolenRecord).card_face->certificate == victim.card_face->certificate);
  CHECK(test::cloned_card_profile(sim::card::CloneVariant::StolenRecord).face_photo_jp2 == victim.face_photo_jp2);
  CHECK_THROWS_AS(sim::card::clone_variant_from_name("photocopy"), std::invalid_argument);
  sim::card::CloneOrder no_attacker;
  no_attacker.variant = sim::card::CloneVariant::OtherCard;
  CHECK_THROWS_AS(sim::card::make_cloned_card(victim, no_attacker), std::invalid_argument);
}

TEST_CASE("the card-face CA: one root and anchor file per CA directory, one issuer per municipality") {
  test::TempDir dir;
  auto face_ca = sim::ca::SimulatedCardFaceCa::open_or_create(dir.path());
  const auto anchors = dir.path() / sim::ca::SimulatedCardFaceCa::kAnchorsFile;
  REQUIRE(std::filesystem::exists(anchors));
  const auto j = nlohmann::json::parse(std::ifstream(anchors));
  CHECK(j.at("anchors").at(0).at("key_id") == "37303030303233080530303100000000");
  CHECK(j.at("anchors").at(0).at("name") == "7000023/001");
  const Bytes cvc = face_ca.issuer("13101").certificate;
  CHECK(cvc.size() == 568);  // 7F21 { 5F4E 297, 5F37 256 } (MYNA-GO reads 568 bytes)
  // Opened again: the same root, the same issuer certificate.
  auto again = sim::ca::SimulatedCardFaceCa::open_or_create(dir.path());
  CHECK(again.issuer("13101").certificate == cvc);
  CHECK(again.issuer("27100").certificate != cvc);
  CHECK_THROWS_AS(again.issuer("131"), std::invalid_argument);
  CHECK(sim::ca::make_key_id("7131011") == from_hex("37 31 33 31 30 31 31 08 05 30 30 31 00 00 00 00"));
}
