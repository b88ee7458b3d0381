#include "firmware/kiosk/demo_world.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

#include "sim/ca/jpki_ca.hpp"
#include "sim/card/card_factory.hpp"
#include "sim/eligibility/fixture.hpp"
#include "sim/eligibility/service.hpp"

namespace kiosk::firmware {
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

}  // namespace

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
  sim::SimulatedJpkiCa ca = have_ca ? sim::SimulatedJpkiCa::open(w.ca_dir) : sim::SimulatedJpkiCa::create(w.ca_dir, now);
  if (!have_ca) log << "[sim] created a simulated JPKI CA in " << w.ca_dir.string() << "\n";

  // Which face-set images belong to which card (kept so the camera shows the right person).
  const auto faces_file = dir / "faces.json";
  nlohmann::json faces = nlohmann::json::object();
  if (std::ifstream in(faces_file); in) faces = nlohmann::json::parse(in, nullptr, false);
  const auto pairs = face_pairs(faces_dir);
  std::size_t next_pair = 0;
  for (const DemoPerson& p : kPeople) {
    DemoCard card{dir / "cards" / p.file, std::nullopt};
    if (!std::filesystem::exists(card.file)) {
      sim::CardOrder order;
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
      sim::issue_card(ca, order).save(card.file);
      log << "[sim] issued the demo card " << card.file.string() << " (PIN " << p.pin << ")\n";
    }
    if (faces.is_object() && faces.contains(p.file)) card.live_face = faces[p.file].get<std::string>();
    w.cards.push_back(card);
  }
  std::ofstream(faces_file) << faces.dump(2) << "\n";

  if (!std::filesystem::exists(w.service_dir / "service-ca.pem")) {
    sim::eligibility::init_service_directory(w.service_dir, "1312345678", now);
    log << "[sim] created the simulated eligibility service's certificates in " << w.service_dir.string() << "\n";
  }
  if (!std::filesystem::exists(w.fixture)) {
    sim::eligibility::SampleFixtureOptions options;
    options.fixture_dir = dir;
    options.jpki_ca = w.ca_dir;
    for (const auto& c : w.cards) options.card_files.push_back(c.file);
    options.today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)};
    std::ofstream(w.fixture) << sim::eligibility::sample_fixture(options);
    log << "[sim] wrote the eligibility fixture " << w.fixture.string() << "\n";
  }
  return w;
}

}  // namespace kiosk::firmware
