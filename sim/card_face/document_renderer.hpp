// The paper documents a patient without a registered My Number card brings to the kiosk, as
// printed: a 資格確認書 (issued since 2024-12-02) and an old 健康保険証 (健康保険被保険者証 or
// 国民健康保険被保険者証, usable until 2025-12-01), card-sized (85.60 x 53.98 mm), so that the
// card-surface camera sees them on the tray like a card (compose_scene()).
//
// Insurers print them in their own layouts; three plausible ones are drawn here, differing in
// the order and place of the labelled fields, in how 記号・番号・枝番 are printed, in the
// typeface and the ruling:
//   Inline   記号 / 番号 / （枝番） on one line, label then value, fields in rows (協会けんぽ-like)
//   Stacked  one field per line, a label column and a value column, 保険者番号 near the top
//            (国民健康保険-like)
//   Ruled    a ruled table, the combined label 記号・番号（枝番） with "記号・番号（枝番）" printed
//            as one value, small labels, Mincho (健康保険組合-like)
// Everything is made up (holders, insurers); the insurer numbers carry a valid check digit.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include <opencv2/core/mat.hpp>

#include "sim/card_face/card_face_renderer.hpp"

namespace kiosk::sim::card_face {

enum class DocumentType {
  EligibilityCertificate,   // 資格確認書
  EmployeeInsuranceCard,    // 健康保険被保険者証 (old)
  NationalInsuranceCard,    // 国民健康保険被保険者証 (old)
};
const char* to_string(DocumentType type);

enum class DocumentLayout { Inline, Stacked, Ruled };
const char* to_string(DocumentLayout layout);
inline constexpr DocumentLayout kDocumentLayouts[] = {DocumentLayout::Inline, DocumentLayout::Stacked, DocumentLayout::Ruled};

struct PrintedDocument {
  DocumentType type = DocumentType::EligibilityCertificate;
  std::string insurer_number;  // 8 digits (6 for 国民健康保険)
  std::string insurer_name;    // 保険者名称
  std::string symbol;          // 記号 (digits, maybe a hyphen)
  std::string number;          // 番号
  std::string branch;          // 枝番, two digits (empty: not printed)
  std::string name;            // 氏名
  std::chrono::year_month_day birth_date;
  char sex = '1';  // 1 male, 2 female
  std::optional<std::chrono::year_month_day> valid_until;  // 有効期限 (資格確認書)
  std::chrono::year_month_day issued;                      // 交付年月日
  std::chrono::year_month_day acquired;                    // 資格取得年月日 (old cards)
};

// "昭和50年11月30日" (year 1: "元年"); dates before 大正 cannot be printed this way.
std::string era_date_text(std::chrono::year_month_day date);

struct DocumentRenderOptions {
  double pixels_per_mm = 12.0;
  DocumentLayout layout = DocumentLayout::Inline;
  Typeface typeface = Typeface::NotoSans;  // Ruled prints its values in a Mincho face when one is installed
  std::uint32_t paper_seed = 0;            // the paper's tint and fibres
  double ink_grey = 30.0;
  double shift_x_mm = 0.0, shift_y_mm = 0.0;  // the whole print shifted (print runs differ)
};

class DocumentRenderer {
 public:
  // Prints with the card renderer's fonts (borrowed: it must outlive this).
  explicit DocumentRenderer(const CardFaceRenderer& fonts) : fonts_(fonts) {}

  // The document: 8-bit BGRA, 85.60 x 53.98 mm at options.pixels_per_mm, transparent outside
  // its rounded corners. Throws std::invalid_argument for fields that cannot be printed.
  cv::Mat render(const PrintedDocument& document, const DocumentRenderOptions& options) const;

 private:
  const CardFaceRenderer& fonts_;
};

// A made-up holder's document of `type`, issued before `today` (a 資格確認書 valid on `today`).
PrintedDocument random_document(std::mt19937& rng, std::chrono::year_month_day today, DocumentType type);

}  // namespace kiosk::sim::card_face
