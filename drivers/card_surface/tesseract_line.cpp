#include "drivers/card_surface/tesseract_line.hpp"

#include <algorithm>

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include "drivers/card_surface/wipe.hpp"

namespace kiosk::drivers::card_surface {

OcrLine::~OcrLine() {
  wipe(text);
  for (auto& s : symbols) wipe(s.text);
}

float OcrLine::min_confidence() const noexcept {
  float m = symbols.empty() ? 0.0f : 100.0f;
  for (const auto& s : symbols) m = std::min(m, s.confidence);
  return m;
}

TesseractLine::TesseractLine(const std::string& language, const std::string& whitelist,
                             const std::filesystem::path& tessdata)
    : language_(language), api_(std::make_unique<tesseract::TessBaseAPI>()) {
  // No dictionaries: the lines are dates and codes, not words; a dictionary would only pull
  // readings towards words.
  std::vector<std::string> names{"load_system_dawg", "load_freq_dawg", "load_punc_dawg", "load_number_dawg",
                                 "load_unambig_dawg", "load_bigram_dawg"};
  std::vector<std::string> values(names.size(), "0");
  const std::string dir = tessdata.empty() ? std::string() : tessdata.string();
  if (api_->Init(dir.empty() ? nullptr : dir.c_str(), language.c_str(), tesseract::OEM_LSTM_ONLY, nullptr, 0, &names,
                 &values, false) != 0) {
    throw OcrSetupError("Tesseract cannot load the '" + language + "' language data" +
                        (dir.empty() ? std::string() : " from " + dir) +
                        ": install tesseract-ocr-" + language + " (or fix the tessdata directory)");
  }
  api_->SetPageSegMode(tesseract::PSM_SINGLE_LINE);
  api_->SetVariable("tessedit_char_whitelist", whitelist.c_str());
  api_->SetVariable("debug_file", "/dev/null");  // no "Estimating resolution" chatter on stderr
}

TesseractLine::~TesseractLine() {
  if (api_) api_->End();
}

OcrLine TesseractLine::read(const cv::Mat& grey, LineMode mode) {
  if (mode == LineMode::SingleLine) return read(grey);
  api_->SetPageSegMode(mode == LineMode::RawLine ? tesseract::PSM_RAW_LINE : tesseract::PSM_SINGLE_CHAR);
  OcrLine line = read(grey);
  api_->SetPageSegMode(tesseract::PSM_SINGLE_LINE);
  return line;
}

OcrLine TesseractLine::read(const cv::Mat& grey) {
  CV_Assert(grey.type() == CV_8UC1);
  OcrLine line;
  line.text.reserve(128);  // appended to without reallocating (no stray copies of the text)
  api_->SetImage(grey.data, grey.cols, grey.rows, 1, static_cast<int>(grey.step));
  api_->SetSourceResolution(300);
  if (api_->Recognize(nullptr) != 0) {
    api_->Clear();
    return line;
  }
  std::unique_ptr<tesseract::ResultIterator> it(api_->GetIterator());
  if (it) {
    do {
      std::unique_ptr<char[]> sym(it->GetUTF8Text(tesseract::RIL_SYMBOL));
      if (!sym) continue;
      OcrSymbol s;
      s.text = sym.get();
      explicit_bzero(sym.get(), s.text.size());
      s.confidence = it->Confidence(tesseract::RIL_SYMBOL);
      int l = 0, t = 0, r = 0, b = 0;
      if (it->BoundingBox(tesseract::RIL_SYMBOL, &l, &t, &r, &b)) s.box = cv::Rect(l, t, r - l, b - t);
      line.text += s.text;
      line.symbols.push_back(std::move(s));
    } while (it->Next(tesseract::RIL_SYMBOL));
  }
  it.reset();
  api_->Clear();
  return line;
}

}  // namespace kiosk::drivers::card_surface
