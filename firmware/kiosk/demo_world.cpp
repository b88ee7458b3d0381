#include "firmware/kiosk/demo_world.hpp"

#include <algorithm>
#include <chrono>
#include <ostream>

#include "sim/ca/jpki_ca.hpp"
#include "sim/card/card_factory.hpp"

namespace kiosk::firmware {
namespace {

std::optional<std::filesystem::path> first_face(const std::filesystem::path& faces_dir) {
  std::error_code ec;
  const auto data = faces_dir / "data";
  if (!std::filesystem::is_directory(data, ec)) return std::nullopt;
  std::vector<std::filesystem::path> images;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".jpg") images.push_back(entry.path());
  }
  if (images.empty()) return std::nullopt;
  std::sort(images.begin(), images.end());
  return images.front();
}

}  // namespace

DemoWorld ensure_demo_world(const std::filesystem::path& dir, const std::filesystem::path& faces_dir, std::ostream& log) {
  DemoWorld world{dir / "ca", {dir / "cards" / "taro.card.json"}};
  std::filesystem::create_directories(dir / "cards");
  const bool have_ca = std::filesystem::exists(world.ca_dir / "ca.json");
  sim::SimulatedJpkiCa ca = have_ca ? sim::SimulatedJpkiCa::open(world.ca_dir)
                                    : sim::SimulatedJpkiCa::create(world.ca_dir, std::chrono::system_clock::now());
  if (!have_ca) log << "[sim] created a simulated JPKI CA in " << world.ca_dir.string() << "\n";
  if (!std::filesystem::exists(world.cards.front())) {
    sim::CardOrder taro;
    taro.holder_name = "番号\u3000太郎";
    taro.birth_date = "19800217";
    taro.sex = '1';
    taro.address = "東京都千代田区霞が関１－２－２";
    taro.security_code = "2285";
    taro.photo = first_face(faces_dir);
    sim::issue_card(ca, taro).save(world.cards.front());
    log << "[sim] issued the demo card " << world.cards.front().string() << " (PIN 1234)\n";
  }
  return world;
}

}  // namespace kiosk::firmware
