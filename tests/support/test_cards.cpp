#include "tests/support/test_cards.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>

#include "sim/ca/card_face_ca.hpp"
#include "sim/ca/jpki_ca.hpp"
#include "tests/support/test_paths.hpp"

namespace kiosk::test {
namespace {

namespace fs = std::filesystem;

// An exclusive flock(2) on <dir>/lock for as long as the object lives.
class WorldLock {
 public:
  explicit WorldLock(const fs::path& dir) : fd_(::open((dir / "lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600)) {
    if (fd_ < 0) throw std::runtime_error("test world: cannot open " + (dir / "lock").string() + ": " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        ::close(fd_);
        throw std::runtime_error("test world: cannot lock " + (dir / "lock").string() + ": " + std::strerror(errno));
      }
    }
  }
  ~WorldLock() { ::close(fd_); }  // closing the descriptor releases the lock
  WorldLock(const WorldLock&) = delete;
  WorldLock& operator=(const WorldLock&) = delete;

 private:
  int fd_;
};

// ctest runs every test case in a process of its own, and RSA key generation is most of a card
// test's time (73% natively; 10-40 s per test under qemu). So the test CA and the cards live in
// the build tree, shared by the processes of one test program: made by the first that needs
// them, under a file lock, and loaded by the others. A rebuilt program or a new day (the
// certificates' conditions count from the day they were issued) starts a new world.
fs::path world_directory() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const std::string program = ec ? std::string("tests") : exe.filename().string();
  std::uint64_t stamp = 1469598103934665603ULL;  // FNV-1a over what identifies this build and day
  const auto mix = [&stamp](const std::string& text) {
    for (const char c : text) stamp = (stamp ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  };
  if (!ec) {
    mix(exe.string());
    mix(std::to_string(fs::file_size(exe, ec)));
    mix(std::to_string(fs::last_write_time(exe, ec).time_since_epoch().count()));
  }
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  mix(std::to_string(today.time_since_epoch().count()));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(stamp));
  const fs::path root = binary_dir() / "test-world";
  const fs::path dir = root / (program + "-" + hex);
  fs::create_directories(dir);
  // Worlds of this program's earlier builds, untouched for a day, go.
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path() == dir || name.rfind(program + "-", 0) != 0) continue;
    std::error_code age_ec;
    const auto modified = fs::last_write_time(entry.path(), age_ec);
    if (!age_ec && fs::file_time_type::clock::now() - modified > std::chrono::hours(24)) fs::remove_all(entry.path(), age_ec);
  }
  return dir;
}

struct TestWorld {
  fs::path dir;
  fs::path ca_dir;
  std::map<int, sim::card::CardProfile> cards;  // issued or loaded by this process
  std::mutex mutex;

  TestWorld() : dir(world_directory()), ca_dir(dir / "ca") {
    const WorldLock lock(dir);
    if (!fs::exists(dir / "ca.complete")) {
      std::error_code ignored;
      fs::remove_all(ca_dir, ignored);  // what a process stopped half-way left
      sim::ca::SimulatedJpkiCa::create(ca_dir, std::chrono::system_clock::now());
      sim::ca::SimulatedCardFaceCa::open_or_create(ca_dir);  // cardface-anchors.json from the start
      std::ofstream(dir / "ca.complete") << "made by process " << ::getpid() << "\n";
    }
  }
};

TestWorld& world() {
  static TestWorld w;  // one world per test program build, opened on first use
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

// The card of kind `key`: from this process's map, else from the world's card file, else issued
// now (the CA reopened under the lock: ca.json's serials are shared by the processes).
sim::card::CardProfile issue_once(int key, const sim::card::CardOrder& order) {
  TestWorld& w = world();
  std::lock_guard guard(w.mutex);
  auto it = w.cards.find(key);
  if (it != w.cards.end()) return it->second;
  const fs::path file = w.dir / ("card-" + std::to_string(key) + ".json");
  const WorldLock lock(w.dir);
  if (fs::exists(file)) {
    it = w.cards.emplace(key, sim::card::CardProfile::load(file)).first;
  } else {
    auto ca = sim::ca::SimulatedJpkiCa::open(w.ca_dir);
    it = w.cards.emplace(key, sim::card::issue_card(ca, order)).first;
    it->second.save(file);
  }
  return it->second;
}

}  // namespace

const std::filesystem::path& test_ca_directory() { return world().ca_dir; }

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
