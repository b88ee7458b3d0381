// face-eval documents: the document reader (drivers/card_surface OcrDocumentReader's one-frame
// reader) on generated camera images of 資格確認書 and old 健康保険証 (sim/card_face): every
// document type, layout and installed typeface, under clean, varied or bad scene conditions,
// each frame read alone (the kiosk additionally wants several frames to agree).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>

namespace kiosk::firmware::face_eval {

struct DocumentsOptions {
  int count = 60;             // documents generated
  std::uint32_t seed = 1;
  std::string scenes = "clean";  // clean | varied | bad
  std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  std::filesystem::path dump;  // write each camera image here (PNG), when set
  bool verbose = false;        // one line per document
};

// Prints per-layout counts, the read times and, last, exactly one line
// "documents: exact E/T, refused R, wrong W" (wrong: any field released that differs from the
// print). Returns 0.
int run_documents(const DocumentsOptions& options, std::ostream& out);

}  // namespace kiosk::firmware::face_eval
