// The fields of a paper insurance document (資格確認書, old 健康保険証) found BY THEIR LABELS in
// the lines the OCR read, wherever the insurer printed them: a label's value follows it on its
// line, or is the next line to its right on the same row, or the line under it. Insurers' layouts
// differ (label order and place, 記号 番号 枝番 on one line or three, the combined label
// 記号・番号（枝番） with "記号・番号（枝番）" as one value), so nothing here knows coordinates.
//
// The kind comes from the title: 資格確認書, or 被保険者証 (健康保険被保険者証, 国民健康保険被保険者証).
//
// Every value is checked as the reception would and stricter (a read that could be wrong is
// refused, not passed on): insurer number 6 or 8 digits with its check digit, symbol digits and
// hyphens, number digits, branch two digits, dates that exist (和暦 or Western), a birth date not
// in the future; every character of a value read with the confidence asked for. A label found
// twice is a refusal (which one is right?).
//
// Pure logic over OCR output: no images, no engine (unit-tested alone).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/types.hpp>

#include "drivers/card_surface/tesseract_line.hpp"
#include "hal/document_reader.hpp"

namespace kiosk::drivers::card_surface {

// One line of print on the rectified document and what the OCR read in it.
struct TextBox {
  cv::Rect box;
  std::vector<OcrSymbol> symbols;  // one character each; spaces are not symbols
};

// A field's value as read: ASCII digits (a hyphen in a symbol), dates as YYYYMMDD, and the lowest
// confidence (0..100) of the characters it was read from. Wiped on destruction.
struct FieldText {
  std::string text;
  float confidence = 0.0F;

  FieldText() = default;
  ~FieldText();
  FieldText(const FieldText&) = default;
  FieldText& operator=(const FieldText&) = default;
  FieldText(FieldText&&) noexcept = default;
  FieldText& operator=(FieldText&&) noexcept = default;
  bool operator==(const FieldText& other) const { return text == other.text; }
};

struct ParsedDocument {
  std::optional<hal::DocumentKind> kind;  // from the title; nothing: no title read
  int labels = 0;                         // labels of known fields found (a document's, or not)
  FieldText insurer_number;
  FieldText symbol;
  FieldText number;
  FieldText branch;
  FieldText birthdate;    // YYYYMMDD
  FieldText valid_until;  // YYYYMMDD; empty when not printed
  // Empty when every needed field was read and passed its checks; otherwise what failed, naming
  // the field, never its value ("insurer number: check digit").
  std::string problem;

  bool complete() const { return kind.has_value() && problem.empty(); }
  // The same fields (and kind) as another read: what several frames must agree on.
  bool same_as(const ParsedDocument& other) const;
};

struct FieldRules {
  double min_confidence = 80.0;       // every digit of a value
  double min_text_confidence = 60.0;  // its other characters (a symbol's hyphen, a date's era and kanji)
  std::chrono::year_month_day today{};
};

ParsedDocument parse_document(const std::vector<TextBox>& boxes, const FieldRules& rules);

}  // namespace kiosk::drivers::card_surface
