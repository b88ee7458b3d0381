#include "sim/world/demo_world.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include "hal/files.hpp"
#include "sim/ca/card_face_ca.hpp"
#include "sim/ca/jpki_ca.hpp"
#include "sim/card/attack_cards.hpp"
#include "sim/card/card_factory.hpp"
#include "sim/eligibility/fixture.hpp"
#include "sim/eligibility/service.hpp"

namespace kiosk::sim::world {
namespace {

// Two images of each of the first people of the face set (sorted by name).
std::vector<std::pair<std::filesystem::path, std::filesystem::path>> face_pairs(const std::filesystem::path& faces_dir) {
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> out;
  std::error_code ec;
  const auto data = faces_dir / "data";
  if (!std::filesystem::is_directory(data, ec)) return out;
  std::vector<std::filesystem::path> people;
  for (const auto& e : std::filesystem::directory_iterator(data, ec)) {
    if (e.is_directory()) people.push_back(e.path());
  }
  std::sort(people.begin(), people.end());
  for (const auto& person : people) {
    std::vector<std::filesystem::path> images;
    for (const auto& e : std::filesystem::directory_iterator(person, ec)) {
      if (e.path().extension() == ".jpg") images.push_back(e.path());
    }
    std::sort(images.begin(), images.end());
    if (images.size() >= 2) out.emplace_back(images[0], images[1]);
  }
  return out;
}

struct DemoPerson {
  const char* file;
  const char* name;
  const char* birth;
  char sex;
  const char* pin;
  const char* security_code;
};
constexpr DemoPerson kPeople[] = {
    {"taro.card.json", "番号\u3000太郎", "19800217", '1', "1234", "2285"},
    {"hanako.card.json", "登録\u3000花子", "19920704", '2', "5678", "4413"},
};

// The world's faces.json (which face-set image belongs to which card): an object, or a fresh
// one when the file is missing, empty or damaged (an empty file became the literal
// "<discarded>" before, issue 18).
nlohmann::json read_faces(const std::filesystem::path& file, std::ostream& log, bool* usable = nullptr) {
  if (usable != nullptr) *usable = false;
  std::ifstream in(file);
  if (!in) return nlohmann::json::object();
  nlohmann::json faces = nlohmann::json::parse(in, nullptr, false);
  if (!faces.is_object()) {
    log << "[sim] " << file.string() << " is not a JSON object; starting it afresh\n";
    return nlohmann::json::object();
  }
  if (usable != nullptr) *usable = true;
  return faces;
}

}  // namespace

void write_crls(const sim::ca::SimulatedJpkiCa& ca, std::chrono::system_clock::time_point now) {
  for (const auto kind : {sim::ca::CaKind::UserAuthentication, sim::ca::CaKind::DigitalSignature}) {
    const Bytes der = ca.crl_der(kind, now);
    const auto path = ca.directory() / (std::string(sim::ca::to_string(kind)) + ".crl");
    hal::write_file_atomically(path, std::string_view(reinterpret_cast<const char*>(der.data()), der.size()), 0644);
  }
}

DemoWorld ensure_demo_world(const std::filesystem::path& dir, const std::filesystem::path& faces_dir, std::ostream& log) {
  DemoWorld w;
  w.dir = dir;
  w.ca_dir = dir / "ca";
  w.service_dir = dir / "service";
  w.fixture = dir / "fixture.json";
  w.outbox = dir / "outbox";
  w.journal = dir / "journal.sqlite";
  std::filesystem::create_directories(dir / "cards");
  std::filesystem::create_directories(w.outbox);
  const auto now = std::chrono::system_clock::now();

  const bool have_ca = std::filesystem::exists(w.ca_dir / "ca.json");
  sim::ca::SimulatedJpkiCa ca = have_ca ? sim::ca::SimulatedJpkiCa::open(w.ca_dir) : sim::ca::SimulatedJpkiCa::create(w.ca_dir, now);
  if (!have_ca) log << "[sim] created a simulated JPKI CA in " << w.ca_dir.string() << "\n";
  // The J-LIS card-face anchor (cardface-anchors.json), also for worlds made before it existed.
  sim::ca::SimulatedCardFaceCa::open_or_create(w.ca_dir);

  // Which face-set images belong to which card (kept so the camera shows the right person).
  const auto faces_file = dir / "faces.json";
  bool faces_usable = false;
  nlohmann::json faces = read_faces(faces_file, log, &faces_usable);
  const nlohmann::json faces_before = faces;
  const auto pairs = face_pairs(faces_dir);
  std::size_t next_pair = 0;
  for (const DemoPerson& p : kPeople) {
    DemoCard card{dir / "cards" / p.file, std::nullopt};
    // A demo card made before cards carried a provable card-face record: issued again (its
    // patient keeps the same face), or the face path would refuse it.
    bool outdated = false;
    if (std::filesystem::exists(card.file)) {
      const sim::card::CardProfile old = sim::card::CardProfile::load(card.file);
      outdated = old.token == sim::card::TokenType::Card && old.generation == sim::card::CardGeneration::Current && !old.card_face;
    }
    if (outdated && faces.is_object() && faces.contains(p.file) && faces[p.file].is_string()) {
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (pairs[i].second.string() == faces[p.file].get<std::string>()) next_pair = i;
      }
    }
    if (!std::filesystem::exists(card.file) || outdated) {
      sim::card::CardOrder order;
      order.holder_name = p.name;
      order.birth_date = p.birth;
      order.sex = p.sex;
      order.address = "東京都千代田区霞が関１－２－２";
      order.pin = p.pin;
      order.security_code = p.security_code;
      if (next_pair < pairs.size()) {
        order.photo = pairs[next_pair].first;
        faces[p.file] = pairs[next_pair].second.string();
        ++next_pair;
      }
      sim::card::issue_card(ca, order).save(card.file);
      log << "[sim] issued the demo card " << card.file.string() << " (PIN " << p.pin << ")"
          << (outdated ? ": the old one had no provable card-face record" : "") << "\n";
    }
    if (faces.contains(p.file) && faces[p.file].is_string()) card.live_face = faces[p.file].get<std::string>();
    w.cards.push_back(card);
    w.named[std::string(p.file).substr(0, std::string(p.file).find('.'))] = card;
  }
  if (faces != faces_before || !faces_usable) {
    hal::write_file_atomically(faces_file, faces.dump(2) + "\n", 0644);  // only when it changed, and whole
  }

  if (!std::filesystem::exists(w.service_dir / "service-ca.pem")) {
    sim::eligibility::init_service_directory(w.service_dir, "1312345678", now);
    log << "[sim] created the simulated eligibility service's certificates in " << w.service_dir.string() << "\n";
  }
  if (std::filesystem::exists(w.fixture)) {
    // A sample made by an older generator (fixed dates that have run out, ratios in the wrong
    // field) is replaced by a current one; the old file is kept beside it. Edited fixtures stay.
    const nlohmann::json old = nlohmann::json::parse(std::ifstream(w.fixture), nullptr, false);
    const int generator = sim::eligibility::sample_generator(old);
    if (generator > 0 && generator < sim::eligibility::kSampleGenerator) {
      const auto kept = w.fixture.string() + ".generator-" + std::to_string(generator);
      std::filesystem::rename(w.fixture, kept);
      log << "[sim] the eligibility fixture was an older sample (kept as " << kept << "): making a current one\n";
    }
  }
  if (!std::filesystem::exists(w.fixture)) {
    sim::eligibility::SampleFixtureOptions options;
    options.fixture_dir = dir;
    options.jpki_ca = w.ca_dir;
    for (const auto& c : w.cards) options.card_files.push_back(c.file);
    options.today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)};
    hal::write_file_atomically(w.fixture, sim::eligibility::sample_fixture(options), 0644);
    log << "[sim] wrote the eligibility fixture " << w.fixture.string() << "\n";
  }
  return w;
}

namespace {

struct ScenarioCard {
  const char* name;
  const char* holder;
  const char* birth;  // YYYYMMDD, or nothing: `age` years old when the world is made
  int age;
  char sex;
  sim::card::CertificateCondition certificate;
  bool pin;
  sim::card::TokenType token;
  int photo;  // index of the face-set person (its first image on the card)
  sim::card::CardGeneration generation;
};

// After taro and hanako, in the order of the sample fixture's cases (review, lost, recent, elder,
// kouki, limit: sim/eligibility/fixture.hpp), then Taro's other cards.
constexpr sim::card::CardGeneration kCurrent = sim::card::CardGeneration::Current;
constexpr ScenarioCard kScenarioCards[] = {
    {"review", "確認\u3000中子", "19750310", 0, '2', sim::card::CertificateCondition::Valid, true, sim::card::TokenType::Card, 2, kCurrent},
    {"lost", "喪失\u3000三郎", "19681122", 0, '1', sim::card::CertificateCondition::Valid, true, sim::card::TokenType::Card, 3, kCurrent},
    {"recent", "新規\u3000四郎", "20010401", 0, '1', sim::card::CertificateCondition::Valid, true, sim::card::TokenType::Card, 4, kCurrent},
    {"elder", "高齢\u3000五郎", nullptr, 72, '1', sim::card::CertificateCondition::Valid, true, sim::card::TokenType::Card, 5, kCurrent},
    {"kouki", "後期\u3000六子", nullptr, 78, '2', sim::card::CertificateCondition::Valid, true, sim::card::TokenType::Card, 6, kCurrent},
    {"limit", "限度\u3000七海", "19850909", 0, '2', sim::card::CertificateCondition::Valid, true, sim::card::TokenType::Card, 7, kCurrent},
    {"taro-expiring-soon", "番号\u3000太郎", "19800217", 0, '1', sim::card::CertificateCondition::ExpiringSoon, true, sim::card::TokenType::Card, 0, kCurrent},
    {"taro-expired-in-grace", "番号\u3000太郎", "19800217", 0, '1', sim::card::CertificateCondition::ExpiredInGrace, true, sim::card::TokenType::Card, 0, kCurrent},
    {"taro-expired", "番号\u3000太郎", "19800217", 0, '1', sim::card::CertificateCondition::Expired, true, sim::card::TokenType::Card, 0, kCurrent},
    {"taro-revoked", "番号\u3000太郎", "19800217", 0, '1', sim::card::CertificateCondition::Revoked, true, sim::card::TokenType::Card, 0, kCurrent},
    {"taro-face-only", "番号\u3000太郎", "19800217", 0, '1', sim::card::CertificateCondition::Valid, false, sim::card::TokenType::Card, 0, kCurrent},
    {"taro-android", "番号\u3000太郎", "19800217", 0, '1', sim::card::CertificateCondition::Valid, true, sim::card::TokenType::AndroidSmartphone, 0, kCurrent},
    {"taro-iphone", "番号\u3000太郎", "19800217", 0, '1', sim::card::CertificateCondition::Valid, true, sim::card::TokenType::IPhone, 0, kCurrent},
    // Taro's 次期個人番号カード: its photo cannot be opened by the kiosk (docs/genuine-card.md).
    {"taro-next-generation", "番号\u3000太郎", "19800217", 0, '1', sim::card::CertificateCondition::Valid, true, sim::card::TokenType::Card, 0,
     sim::card::CardGeneration::Next},
};
constexpr int kScenarioWorldLayout = 5;  // bump when the cards or files of the world change (4: attack cards say so; 5: the fixture's age cases)

// Attack cards of the scenario world (docs/genuine-card.md): Taro's certificate on a card
// emulator. Their certificate is Taro's, so the fixture does not list them.
struct AttackCard {
  const char* name;
  sim::card::CloneVariant variant;
  const char* face_of;  // whose face the record shows and the camera sees: the attacker (hanako), or taro
};
constexpr AttackCard kAttackCards[] = {
    {"taro-clone", sim::card::CloneVariant::ForeignRoot, "hanako"},            // Hanako's photo under a foreign root
    {"taro-stolen-record", sim::card::CloneVariant::StolenRecord, "taro"},     // Taro's record copied onto another chip
    {"taro-other-card", sim::card::CloneVariant::OtherCard, "hanako"},         // Hanako's own genuine record and chip
};

// taro, hanako, review, lost, recent, elder, kouki, limit: one person each (the sample's cases).
constexpr std::size_t kBaseFixtureCards = sim::eligibility::kSampleCardCases;

// YYYYMMDD of the birth date of someone `age` years old, with a birthday 100 days ago (so the age
// holds for the 14 days the world is kept).
std::string birth_for_age(int age, std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  year_month_day d{floor<days>(now) - days{100}};
  d = d - years{age};
  if (!d.ok()) d = d.year() / d.month() / last;
  char out[16];
  std::snprintf(out, sizeof out, "%04d%02u%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return out;
}

// An exclusive lock on a file, released when the object goes.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& file) : fd_(::open(file.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {
    if (fd_ < 0) throw std::runtime_error("cannot open the lock file " + file.string());
    ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace

DemoWorld ensure_scenario_world(const std::filesystem::path& dir, const std::filesystem::path& faces_dir, std::ostream& log) {
  std::filesystem::create_directories(dir);
  FileLock lock(dir / ".lock");
  const auto now = std::chrono::system_clock::now();
  const auto stamp = dir / "scenario-world.json";
  if (std::filesystem::exists(stamp)) {
    nlohmann::json made = nlohmann::json::parse(std::ifstream(stamp), nullptr, false);
    const auto age = std::chrono::duration_cast<std::chrono::hours>(now.time_since_epoch()).count() -
                     (made.is_object() ? made.value("made_hours", 0LL) : 0LL);
    const bool with_faces = !face_pairs(faces_dir).empty();  // card photos from the face set, or silhouettes
    const bool same_layout = made.is_object() && made.value("layout", 0) == kScenarioWorldLayout &&
                             made.value("faces", false) == with_faces;
    if (age > 14 * 24 || !same_layout) {
      log << "[sim] the scenario world in " << dir.string() << " is " << age / 24 << " days old, of an older layout or made with(out) the face set: making it again\n";
      for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().filename() != ".lock") std::filesystem::remove_all(e.path());
      }
    }
  }
  const bool fresh = !std::filesystem::exists(stamp);
  if (fresh) std::filesystem::remove(dir / "fixture.json");  // made below, with every card
  DemoWorld w = ensure_demo_world(dir, faces_dir, log);
  w.other_service_dir = dir / "other-service";
  if (fresh) {
    sim::ca::SimulatedJpkiCa ca = sim::ca::SimulatedJpkiCa::open(w.ca_dir);
    const auto pairs = face_pairs(faces_dir);
    nlohmann::json faces = read_faces(dir / "faces.json", log);
    if (!faces.is_object()) faces = nlohmann::json::object();
    for (const ScenarioCard& c : kScenarioCards) {
      sim::card::CardOrder order;
      order.holder_name = c.holder;
      order.birth_date = c.birth != nullptr ? std::string(c.birth) : birth_for_age(c.age, now);
      order.sex = c.sex;
      order.address = "東京都千代田区霞が関１－２－２";
      if (!c.pin) {
        order.pin.reset();
        order.sign_password.reset();
      }
      order.certificate = c.certificate;
      order.token = c.token;
      order.generation = c.generation;
      order.security_code = "2285";
      const std::string file = std::string(c.name) + ".card.json";
      if (static_cast<std::size_t>(c.photo) < pairs.size()) {
        order.photo = pairs[static_cast<std::size_t>(c.photo)].first;
        faces[file] = pairs[static_cast<std::size_t>(c.photo)].second.string();
      }
      sim::card::issue_card(ca, order).save(dir / "cards" / file);
    }
    for (const AttackCard& a : kAttackCards) {
      sim::card::CloneOrder clone;
      clone.variant = a.variant;
      const std::string face_file = std::string(a.face_of) + ".card.json";
      const std::size_t pair = std::string(a.face_of) == "taro" ? 0 : 1;
      if (pair < pairs.size()) clone.photo = pairs[pair].first;
      if (a.variant == sim::card::CloneVariant::OtherCard) clone.attacker_card = sim::card::CardProfile::load(dir / "cards" / face_file);
      const std::string file = std::string(a.name) + ".card.json";
      sim::card::make_cloned_card(sim::card::CardProfile::load(dir / "cards" / "taro.card.json"), clone).save(dir / "cards" / file);
      if (faces.is_object() && faces.contains(face_file)) faces[file] = faces[face_file];
    }
    write_crls(ca, now);  // taro-revoked is on the CRL
    hal::write_file_atomically(dir / "faces.json", faces.dump(2) + "\n", 0644);
    sim::eligibility::SampleFixtureOptions options;
    options.fixture_dir = dir;
    options.jpki_ca = w.ca_dir;
    for (const auto& c : w.cards) options.card_files.push_back(c.file);
    for (std::size_t i = 0; i + w.cards.size() < kBaseFixtureCards; ++i) {
      options.card_files.push_back(dir / "cards" / (std::string(kScenarioCards[i].name) + ".card.json"));
    }
    options.today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)};
    nlohmann::json fixture = nlohmann::json::parse(sim::eligibility::sample_fixture(options));
    // Taro's other cards (expiring, smartphones, ...) belong to Taro.
    for (std::size_t i = kBaseFixtureCards - w.cards.size(); i < std::size(kScenarioCards); ++i) {
      fixture["people"][0]["cards"].push_back({{"card_file", std::string("cards/") + kScenarioCards[i].name + ".card.json"}});
    }
    hal::write_file_atomically(w.fixture, fixture.dump(2) + "\n", 0644);
    if (!std::filesystem::exists(w.other_service_dir / "service-ca.pem")) {
      sim::eligibility::init_service_directory(w.other_service_dir, "1312345678", now);
    }
    const auto made_hours = std::chrono::duration_cast<std::chrono::hours>(now.time_since_epoch()).count();
    hal::write_file_atomically(
        stamp, nlohmann::json{{"layout", kScenarioWorldLayout}, {"faces", !pairs.empty()}, {"made_hours", made_hours}}.dump() + "\n",
        0644);
    log << "[sim] made the scenario world in " << dir.string() << "\n";
  }
  nlohmann::json faces = read_faces(dir / "faces.json", log);
  std::vector<std::string> names;
  for (const ScenarioCard& c : kScenarioCards) names.emplace_back(c.name);
  for (const AttackCard& a : kAttackCards) names.emplace_back(a.name);
  for (const std::string& name : names) {
    const std::string file = name + ".card.json";
    DemoCard card{dir / "cards" / file, std::nullopt};
    if (faces.is_object() && faces.contains(file) && faces[file].is_string()) card.live_face = faces[file].get<std::string>();
    w.named[name] = card;
  }
  return w;
}

}  // namespace kiosk::sim::world
