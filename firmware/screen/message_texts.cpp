#include "firmware/screen/message_texts.hpp"

#include <fstream>

namespace kiosk::firmware::screen {

nlohmann::json load_texts(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return {};
  auto texts = nlohmann::json::parse(in, nullptr, false);
  return texts.is_discarded() ? nlohmann::json{} : texts;
}

}  // namespace kiosk::firmware::screen
