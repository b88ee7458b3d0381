// The simulated world of `kiosk sim`: a simulated JPKI CA and demo cards, made on first use.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <vector>

namespace kiosk::firmware {

struct DemoWorld {
  std::filesystem::path ca_dir;
  std::vector<std::filesystem::path> cards;
};

// Makes `dir`/ca and `dir`/cards/taro.card.json (PIN 1234) if they are missing. The card photo
// comes from the first image under `faces_dir` when there is one (the face set is never copied
// into the repository), otherwise a drawn silhouette.
DemoWorld ensure_demo_world(const std::filesystem::path& dir, const std::filesystem::path& faces_dir, std::ostream& log);

}  // namespace kiosk::firmware
