// Simulated cards for tests: one simulated JPKI CA per test program (in a temporary
// directory) and cards issued from it with the real card factory. RSA key generation is the
// slow part, so each kind of card is issued once and copied.
#pragma once

#include <filesystem>
#include <memory>

#include "sim/card/attack_cards.hpp"
#include "sim/card/card_factory.hpp"
#include "sim/card/jpki_card.hpp"

namespace kiosk::test {

// The directory of the test CA (its certificates are the kiosk's trust anchors in tests).
const std::filesystem::path& test_ca_directory();

// A card for Taro (PIN 1234, signing password ABC123, 照合番号B from his birth date
// 1980-02-17, card expiry and security code 2285), issued once with the given condition.
kiosk::sim::card::CardProfile test_card_profile(kiosk::sim::card::CertificateCondition condition = kiosk::sim::card::CertificateCondition::Valid);
// A PIN-less face-only card.
// The n-th of several cards of the same holder, each with a certificate of its own (a fixture
// lists a certificate once).
kiosk::sim::card::CardProfile numbered_card_profile(int n);
kiosk::sim::card::CardProfile face_only_card_profile();
// A JPKI token of an Android smartphone.
kiosk::sim::card::CardProfile smartphone_profile();
// Taro's next-generation card (次期個人番号カード; the simulator's assumptions).
kiosk::sim::card::CardProfile next_generation_card_profile();
// Hanako's genuine card (born 1992-07-04, female, PIN 5678): the attacker of the clone tests.
kiosk::sim::card::CardProfile attacker_card_profile();
// An attack card with Taro's certificate (sim/card/attack_cards.hpp); other-card uses Hanako's card,
// `same_holder_data` gives that attacker Taro's birth date and sex (a genuine card of someone born
// the same day: only the registered card key tells them apart).
kiosk::sim::card::CardProfile cloned_card_profile(kiosk::sim::card::CloneVariant variant, bool same_holder_data = false);

// A fresh, powered emulator of `profile`.
std::shared_ptr<kiosk::sim::card::JpkiCard> make_card(kiosk::sim::card::CardProfile profile);

// A unique empty temporary directory, removed when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace kiosk::test
