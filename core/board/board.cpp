#include "core/board/board.hpp"

namespace kiosk::core::board {

std::vector<std::string> missing_members(const Board& b) {
  std::vector<std::string> missing;
  auto check = [&missing](bool present, const char* name) {
    if (!present) missing.emplace_back(name);
  };
  check(b.clock != nullptr, "clock");
  check(b.readers != nullptr, "readers");
  check(b.cameras != nullptr, "cameras");
  check(b.scanner != nullptr, "scanner");
  check(b.documents != nullptr, "documents");
  check(b.usb != nullptr, "usb");
  check(b.service_manager != nullptr, "service_manager");
  check(b.eligibility != nullptr, "eligibility");
  check(b.service_probe != nullptr, "service_probe");
  check(b.terminal != nullptr, "terminal");
  check(b.trust != nullptr, "trust");
  check(b.journal != nullptr, "journal");
  check(b.results != nullptr, "results");
  check(b.face != nullptr, "face");
  check(b.card_face_anchors != nullptr, "card_face_anchors");
  return missing;
}

std::vector<std::string> missing_essentials(const Board& b) {
  std::vector<std::string> missing;
  for (const auto& m : missing_members(b)) {
    if (m == "clock" || m == "readers" || m == "trust" || m == "journal" || m == "results") missing.push_back(m);
  }
  if (b.readers && !b.reader_policy().configured()) missing.emplace_back("reader (card_reader.reader or card_reader.accepted_models)");
  return missing;
}

void note(Board& board, std::string_view what, std::string_view why) {
  board.notes.push_back(std::string(what) + ": " + std::string(why));
}

}  // namespace kiosk::core::board
