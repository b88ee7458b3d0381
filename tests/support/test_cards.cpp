#include "tests/support/test_cards.hpp"

#include <openssl/rand.h>

#include <map>
#include <mutex>

#include "sim/ca/jpki_ca.hpp"

namespace kiosk::test {
namespace {

struct TestWorld {
  TempDir dir;
  std::unique_ptr<sim::SimulatedJpkiCa> ca;
  std::map<int, sim::CardProfile> cards;
  std::mutex mutex;

  TestWorld() {
    ca = std::make_unique<sim::SimulatedJpkiCa>(sim::SimulatedJpkiCa::create(dir.path() / "ca", std::chrono::system_clock::now()));
  }
};

TestWorld& world() {
  static TestWorld w;  // one CA per test program, created on first use
  return w;
}

sim::CardOrder taro() {
  sim::CardOrder o;
  o.holder_name = "番号\u3000太郎";
  o.birth_date = "19800217";
  o.sex = '1';
  o.address = "東京都千代田区霞が関１－２－２";
  o.security_code = "2285";
  return o;
}

sim::CardProfile issue_once(int key, const sim::CardOrder& order) {
  TestWorld& w = world();
  std::lock_guard lock(w.mutex);
  auto it = w.cards.find(key);
  if (it == w.cards.end()) it = w.cards.emplace(key, sim::issue_card(*w.ca, order)).first;
  return it->second;
}

}  // namespace

const std::filesystem::path& test_ca_directory() { return world().ca->directory(); }

sim::CardProfile test_card_profile(sim::CertificateCondition condition) {
  sim::CardOrder o = taro();
  o.certificate = condition;
  return issue_once(static_cast<int>(condition), o);
}

sim::CardProfile face_only_card_profile() {
  sim::CardOrder o = taro();
  o.pin.reset();
  o.sign_password.reset();
  return issue_once(100, o);
}

sim::CardProfile smartphone_profile() {
  sim::CardOrder o = taro();
  o.token = sim::TokenType::AndroidSmartphone;
  return issue_once(101, o);
}

sim::CardProfile next_generation_card_profile() {
  sim::CardOrder o = taro();
  o.generation = sim::CardGeneration::Next;
  return issue_once(102, o);
}

sim::CardProfile attacker_card_profile() {
  sim::CardOrder o;
  o.holder_name = "登録\u3000花子";
  o.birth_date = "19920704";
  o.sex = '2';
  o.address = "東京都千代田区霞が関１－２－２";
  o.pin = "5678";
  o.security_code = "4413";
  return issue_once(103, o);
}

sim::CardProfile cloned_card_profile(sim::CloneVariant variant, bool same_holder_data) {
  sim::CloneOrder order;
  order.variant = variant;
  if (variant == sim::CloneVariant::OtherCard) {
    if (same_holder_data) {
      sim::CardOrder o = taro();
      o.holder_name = "別人\u3000太郎";
      o.security_code = "7777";
      order.attacker_card = issue_once(104, o);
    } else {
      order.attacker_card = attacker_card_profile();
    }
  }
  return sim::make_cloned_card(test_card_profile(), order);
}

std::shared_ptr<sim::JpkiCard> make_card(sim::CardProfile profile) {
  auto card = std::make_shared<sim::JpkiCard>(std::move(profile));
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
