// One Tesseract engine (TessBaseAPI, LSTM) set up to read single text lines of a known
// alphabet: the card-surface reader keeps one for the digits ("eng", digits only) and one for
// the date lines ("jpn", digits and the few kanji of the dates).
//
// Tesseract keeps the last image and its recognition results inside the engine; read() clears
// them before returning. The returned text is the caller's, wiped when the OcrLine goes away.
// (Tesseract's own freed heap memory cannot be overwritten from here.)
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace tesseract {
class TessBaseAPI;
}

namespace kiosk::drivers::card_surface {

// Tesseract or its language data is missing or broken: an installation problem.
class OcrSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OcrSymbol {
  std::string text;         // one character, UTF-8
  float confidence = 0.0f;  // 0..100 (Tesseract's)
  cv::Rect box;             // in the image given to read()
};

struct OcrLine {
  OcrLine() = default;
  ~OcrLine();
  OcrLine(const OcrLine&) = delete;
  OcrLine& operator=(const OcrLine&) = delete;
  OcrLine(OcrLine&&) noexcept = default;
  OcrLine& operator=(OcrLine&&) noexcept = default;

  std::string text;  // every symbol, without spaces
  std::vector<OcrSymbol> symbols;

  float min_confidence() const noexcept;
};

// How the engine takes the image: as one line of text after its own layout analysis, or as a
// raw line without it (thin print, a Mincho title, can look like an empty page to the analysis),
// or as one character (a lone digit, which the line modes may return nothing for).
enum class LineMode { SingleLine, RawLine, SingleChar };

class TesseractLine {
 public:
  // language: "eng", "jpn", ...; whitelist: the only characters it may output (UTF-8);
  // tessdata: the language data directory (empty: Tesseract's default, Debian's
  // /usr/share/tesseract-ocr/5/tessdata). Throws OcrSetupError.
  TesseractLine(const std::string& language, const std::string& whitelist, const std::filesystem::path& tessdata = {});
  ~TesseractLine();
  TesseractLine(const TesseractLine&) = delete;
  TesseractLine& operator=(const TesseractLine&) = delete;

  // Reads one line from an 8-bit greyscale image (dark text on light ground).
  OcrLine read(const cv::Mat& grey);
  OcrLine read(const cv::Mat& grey, LineMode mode);

  const std::string& language() const noexcept { return language_; }

 private:
  std::string language_;
  std::unique_ptr<tesseract::TessBaseAPI> api_;
};

}  // namespace kiosk::drivers::card_surface
