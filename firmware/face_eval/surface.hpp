// face-eval surface: the card-surface reader (drivers/card_surface) on a set of camera images
// of card fronts, each read alone (single-image mode: no multi-frame agreement; the kiosk's
// scanner additionally wants several frames to agree).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

namespace kiosk::firmware::face_eval {

struct SurfaceOptions {
  std::filesystem::path manifest;  // path,expect,birth_yymmdd,expiry_year,security_code[,condition,...]
  std::optional<std::chrono::year_month_day> today;  // plausibility (default: today)
  std::filesystem::path settings;  // card-surface settings JSON (default: the built-in layout)
  bool verbose = false;            // one line per image
};

// Prints per-condition counts, the read times and, last, exactly one line
// "surface: exact E/T, refused R, wrong W". Returns 0, or 1 when the manifest cannot be read.
int run_surface(const SurfaceOptions& options, std::ostream& out);

}  // namespace kiosk::firmware::face_eval
