// Second opinions on digits the card-surface reader's two engines disagree on.
//
// The reader accepts a run of digits at once when its two engines (Tesseract's "eng" model
// reading digits only, and its "jpn" model reading the whole date line) give the same digits
// with confidence. Each model has confusions of its own that it makes confidently: "jpn" reads
// the 0 of some Gothic faces as a 9 (2030 as 2039), "eng" reads a 7 as a 1 next to a shadow and
// drops a lone 1. When they disagree, the same image is read by further models trained on other
// print (by default Tesseract's Japanese script model, Simplified Chinese and Korean, Debian's
// tesseract-ocr-script-jpan, -chi-sim and -kor), each limited to digits, and a run is taken only
// when a clear majority of every reading says the same thing (consensus()). A split vote is a
// refusal, as before.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "drivers/card_surface/tesseract_line.hpp"

namespace kiosk::drivers::card_surface {

// One engine's reading of a run: its text (digits) and its least confident symbol.
struct Reading {
  std::string_view text;
  double min_confidence = 0.0;
};

struct VoteRule {
  int agree = 4;             // confident readings that must give the same digits
  int dissent = 1;           // readings that may say anything else (or nothing)
  double min_confidence = 80.0;
};

// The digits a clear majority of the readings gives: at least rule.agree confident readings of
// the same non-empty text and at most rule.dissent readings of anything else, or, when no
// reading gives other digits with confidence (the rest found nothing, were unsure, or read the
// same digits with some left out), one agreeing reading fewer (at least 2). Nothing otherwise.
std::optional<std::string_view> consensus(std::span<const Reading> readings, const VoteRule& rule);

class SecondOpinions {
 public:
  // Loads each model that is installed, reading digits only; a model whose data is missing is
  // left out (missing() names it), so fewer opinions make agreement harder, never easier.
  SecondOpinions(const std::vector<std::string>& models, const std::filesystem::path& tessdata);

  const std::vector<std::string>& members() const noexcept { return members_; }
  const std::vector<std::string>& missing() const noexcept { return missing_; }
  bool empty() const noexcept { return engines_.empty(); }

  // Every member's reading of a line image of digits (the caller wipes them).
  std::vector<OcrLine> read(const cv::Mat& image);

 private:
  std::vector<std::string> members_;
  std::vector<std::string> missing_;
  std::vector<std::unique_ptr<TesseractLine>> engines_;
};

}  // namespace kiosk::drivers::card_surface
