#include "tests/support/test_cards.hpp"

#include <openssl/rand.h>

#include <map>
#include <mutex>

#include "sim/ca/card_face_ca.hpp"
#include "sim/ca/jpki_ca.hpp"

namespace kiosk::test {
namespace {

struct TestWorld {
  TempDir dir;
  std::unique_ptr<sim::ca::SimulatedJpkiCa> ca;
  std::map<int, sim::card::CardProfile> cards;
  std::mutex mutex;

  TestWorld() {
    ca = std::make_unique<sim::ca::SimulatedJpkiCa>(sim::ca::SimulatedJpkiCa::create(dir.path() / "ca", std::chrono::system_clock::now()));
    sim::ca::SimulatedCardFaceCa::open_or_create(dir.path() / "ca");  // cardface-anchors.json from the start
  }
};

TestWorld& world() {
  static TestWorld w;  // one CA per test program, created on first use
  return w;
}

sim::card::CardOrder taro() {
  sim::card::CardOrder o;
  o.holder_name = "番号\u3000太郎";
  o.birth_date = "19800217";
  o.sex = '1';
  o.address = "東京都千代田区霞が関１－２－２";
  o.security_code = "2285";
  return o;
}

sim::card::CardProfile issue_once(int key, const sim::card::CardOrder& order) {
  TestWorld& w = world();
  std::lock_guard lock(w.mutex);
  auto it = w.cards.find(key);
  if (it == w.cards.end()) it = w.cards.emplace(key, sim::card::issue_card(*w.ca, order)).first;
  return it->second;
}

}  // namespace

const std::filesystem::path& test_ca_directory() { return world().ca->directory(); }

sim::card::CardProfile test_card_profile(sim::card::CertificateCondition condition) {
  sim::card::CardOrder o = taro();
  o.certificate = condition;
  return issue_once(static_cast<int>(condition), o);
}

sim::card::CardProfile numbered_card_profile(int n) { return issue_once(200 + n, taro()); }

sim::card::CardProfile face_only_card_profile() {
  sim::card::CardOrder o = taro();
  o.pin.reset();
  o.sign_password.reset();
  return issue_once(100, o);
}

sim::card::CardProfile smartphone_profile() {
  sim::card::CardOrder o = taro();
  o.token = sim::card::TokenType::AndroidSmartphone;
  return issue_once(101, o);
}

sim::card::CardProfile next_generation_card_profile() {
  sim::card::CardOrder o = taro();
  o.generation = sim::card::CardGeneration::Next;
  return issue_once(102, o);
}

sim::card::CardProfile attacker_card_profile() {
  sim::card::CardOrder o;
  o.holder_name = "登録\u3000花子";
  o.birth_date = "19920704";
  o.sex = '2';
  o.address = "東京都千代田区霞が関１－２－２";
  o.pin = "5678";
  o.security_code = "4413";
  return issue_once(103, o);
}

sim::card::CardProfile cloned_card_profile(sim::card::CloneVariant variant, bool same_holder_data) {
  sim::card::CloneOrder order;
  order.variant = variant;
  if (variant == sim::card::CloneVariant::OtherCard) {
    if (same_holder_data) {
      sim::card::CardOrder o = taro();
      o.holder_name = "別人\u3000太郎";
      o.security_code = "7777";
      order.attacker_card = issue_once(104, o);
    } else {
      order.attacker_card = attacker_card_profile();
    }
  }
  return sim::card::make_cloned_card(test_card_profile(), order);
}

std::shared_ptr<sim::card::JpkiCard> make_card(sim::card::CardProfile profile) {
  auto card = std::make_shared<sim::card::JpkiCard>(std::move(profile));
  card->power_on();
  return card;
}

TempDir::TempDir() {
  Bytes r(8);
  RAND_bytes(r.data(), static_cast<int>(r.size()));
  path_ = std::filesystem::temp_directory_path() / ("kiosk-test-" + to_hex(r, '\0'));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace kiosk::test
