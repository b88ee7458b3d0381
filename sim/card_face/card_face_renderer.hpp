// The printed front (and back) of a simulated My Number card, drawn per card-face-layout.md:
// today's card (Japanese-era birth date, sex line) and the next-generation card (Gregorian
// birth date, no sex line, furigana and romaji name, 日本国 JAPAN). Japanese text goes through
// FreeType and HarfBuzz (OpenCV's freetype module) with the CJK fonts of Debian packages
// (fonts-noto-cjk, fonts-ipafont-gothic, fonts-ipafont-mincho) on a pastel pattern, with the
// card photo.
//
// Positions follow the layout table (millimetres from the card's top-left corner, the top-left
// of each text line's ink); the table's heights are font sizes (the em: a full-width glyph is
// about that tall, digits about 0.75 of it).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "hal/card_surface_scanner.hpp"

namespace cv::freetype {
class FreeType2;
}

namespace kiosk::sim::card {
struct CardProfile;
}

namespace kiosk::sim::card_face {

using std::chrono::year_month_day;

// The typefaces cards are printed in: a Gothic or a Mincho face, from two font families.
enum class Typeface { NotoSans, NotoSerif, IpaGothic, IpaMincho };
const char* to_string(Typeface typeface);

// What is printed on the front.
struct PrintedFields {
  hal::CardGeneration generation = hal::CardGeneration::Current;
  std::string name;                        // 氏名, family and given name separated by U+3000
  std::string name_kana;                   // next generation: furigana (empty: not printed)
  std::string name_romaji;                 // next generation: "BANGO TARO" (empty: not printed)
  std::vector<std::string> address_lines;  // 住所: one or two lines
  year_month_day birth_date;
  char sex = '9';  // ISO 5218 (1 male, 2 female); today's card only
  year_month_day card_expiry;
  std::string security_code;  // 4 digits
  cv::Mat photo;              // the card photo (grey or BGR); empty: a drawn silhouette

  ~PrintedFields();  // wipes the security code
  PrintedFields() = default;
  PrintedFields(const PrintedFields&) = default;
  PrintedFields& operator=(const PrintedFields&) = default;
  PrintedFields(PrintedFields&&) = default;
  PrintedFields& operator=(PrintedFields&&) = default;
};

// The birth date as printed: "昭和55年 2月17日生" (year 1: "元年") on today's card,
// "1980年 2月17日生" on the next-generation card.
std::string birth_date_text(const PrintedFields& fields);
// "2035年 2月17日まで有効".
std::string expiry_text(const PrintedFields& fields);

struct RenderOptions {
  double pixels_per_mm = 12.0;
  Typeface typeface = Typeface::NotoSans;
  std::uint32_t pattern_seed = 0;          // the pastel background pattern
  double ink_grey = 35.0;                  // 0 black .. 255 white
  double shift_x_mm = 0.0, shift_y_mm = 0.0;  // the whole print shifted (print runs differ)
};

class CardFaceRenderer {
 public:
  // Loads every typeface whose font file is installed; throws std::runtime_error naming the
  // Debian package when none is.
  CardFaceRenderer();
  ~CardFaceRenderer();
  CardFaceRenderer(const CardFaceRenderer&) = delete;
  CardFaceRenderer& operator=(const CardFaceRenderer&) = delete;

  // The typefaces available on this machine (at least one).
  const std::vector<Typeface>& typefaces() const noexcept { return available_; }

  // The front: 8-bit BGRA, 85.60 x 53.98 mm at options.pixels_per_mm, transparent outside the
  // rounded corners (r = 3.18 mm). Throws std::invalid_argument for fields that cannot be
  // printed (a security code that is not 4 digits, an unknown generation); a typeface that is
  // not installed falls back to the first available one.
  cv::Mat front(const PrintedFields& fields, const RenderOptions& options) const;

  // The back, as a scanner must refuse it: the 個人番号 box with made-up digits (not a real
  // number, never any card's), a QR-like block and the issuer's lines. Same format as front().
  cv::Mat back(const RenderOptions& options) const;

  // Draws one line of text on an 8-bit BGR print with its ink's top-left at (x_mm, y_mm)
  // (plus options' shift), em height_mm, squeezed horizontally to max_width_mm when wider (0:
  // no limit), in ink of grey level `grey`. The document renderer prints with it too.
  void text(cv::Mat& card, const std::string& utf8, double x_mm, double y_mm, double height_mm, double max_width_mm,
            const RenderOptions& options, Typeface typeface, double grey) const;

 private:
  struct Font;
  const Font& font(Typeface typeface) const;

  std::vector<std::unique_ptr<Font>> fonts_;
  std::vector<Typeface> available_;
};

// An 8-bit BGR print of the card's size as BGRA with the card's rounded corners (r = 3.18 mm)
// transparent: what compose_scene() places on the tray.
cv::Mat with_rounded_corners(const cv::Mat& bgr, double pixels_per_mm);

// The printed fields of a simulated card: name, address, dates, security code and the photo
// (decoded from the card's JPEG 2000 face photo; a silhouette when it has none). The card
// generation is a parameter (the card file does not say it); furigana and romaji are not in the
// card file and are left out unless given.
PrintedFields printed_fields(const card::CardProfile& profile, hal::CardGeneration generation, const std::string& name_kana = {},
                             const std::string& name_romaji = {});

}  // namespace kiosk::sim::card_face
