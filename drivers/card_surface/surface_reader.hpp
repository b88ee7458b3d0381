// Reads 照合番号B from one camera image of a card's printed front: finds and rectifies the
// card, finds the birth-date line, the card-expiry line and the security code by their content
// within the layout's search margins, OCRs them with Tesseract and checks the result
// (well-formed dates, plausible for today, every digit read with confidence).
//
// A read is either certain (status Read, with the 14 digits) or refused (NoCard, Unreadable)
// with a hint for the patient. One image never releases digits to the card: the scanner
// (OcrCardSurfaceScanner) wants several frames agreeing first; face-eval reads single images.
//
// Everything personal the reader handles (the rectified card, OCR text, dates, digits) is
// overwritten before it is released; the digits live in a CodeB, wiped on destruction.
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>

#include <opencv2/core/mat.hpp>

#include "drivers/card_surface/card_locator.hpp"
#include "drivers/card_surface/scanner_config.hpp"
#include "drivers/card_surface/second_opinion.hpp"
#include "drivers/card_surface/tesseract_line.hpp"
#include "hal/card_surface_scanner.hpp"

namespace kiosk::drivers::card_surface {

// 照合番号B: 14 ASCII digits in a fixed buffer, wiped on destruction and when moved from.
class CodeB {
 public:
  static constexpr std::size_t kLength = 14;
  CodeB() = default;
  ~CodeB() { clear(); }
  CodeB(const CodeB&) = delete;
  CodeB& operator=(const CodeB&) = delete;
  CodeB(CodeB&& other) noexcept { take(other); }
  CodeB& operator=(CodeB&& other) noexcept {
    if (this != &other) take(other);
    return *this;
  }

  // From the parts (era date, expiry year, 4-digit code); nothing set when they do not fit.
  bool assign(const hal::calendar::EraDate& birth, int expiry_year, std::string_view security_code) noexcept;
  bool empty() const noexcept { return !set_; }
  std::string_view view() const noexcept { return set_ ? std::string_view(digits_.data(), kLength) : std::string_view(); }
  bool same_as(const CodeB& other) const noexcept;
  void clear() noexcept;

 private:
  void take(CodeB& other) noexcept;
  std::array<char, kLength> digits_{};
  bool set_ = false;
};

// A run of digits [first, last) of a line another engine read from `image` (an ocr_image() of
// the line, whose print is about `em` pixels per em), read again by the digit engine `digits`
// from an image of just the glyphs that make it up: true when both engines agree and the digit
// engine is confident (policy). The document reader checks its digits this way too.
bool digits_confirmed(const cv::Mat& image, const OcrLine& line, std::size_t first, std::size_t last,
                      TesseractLine& digits, const ReadPolicy& policy, double em);

enum class ReadStatus { Read, NoCard, Unreadable };
const char* to_string(ReadStatus status);

struct SurfaceRead {
  ReadStatus status = ReadStatus::NoCard;
  hal::SurfaceScanHint hint = hal::SurfaceScanHint::None;
  std::string reason;  // what stopped the read, for logs and technicians; never any digit read
  hal::CardGeneration generation = hal::CardGeneration::Unknown;
  CodeB code_b;  // Read only
  double locate_ms = 0.0;
  double ocr_ms = 0.0;
  double total_ms = 0.0;
};

class CardSurfaceReader {
 public:
  // Loads Tesseract's "eng" (digits) and "jpn" (date lines) data. Throws OcrSetupError.
  explicit CardSurfaceReader(ScannerConfig config = {});

  // Reads one 8-bit BGR frame. `today` decides what is plausible.
  SurfaceRead read(const cv::Mat& frame, std::chrono::year_month_day today);

  const ScannerConfig& config() const noexcept { return config_; }
  // The second-opinion models that loaded, and those whose data is not installed.
  const SecondOpinions& second_opinions() const noexcept { return opinions_; }

 private:
  ScannerConfig config_;
  TesseractLine digits_;
  TesseractLine dates_;
  SecondOpinions opinions_;
};

}  // namespace kiosk::drivers::card_surface
