// Settings of the card-surface reader: where the fields are printed (with the margin the
// reader searches around them), what a plausible read is, and how frames are handled.
//
// Defaults follow card-face-layout.md. A field technician calibrates a reader model by writing
// a JSON object with any subset of these keys (unknown keys are errors, so typos show):
//
//   {
//     "layout": {
//       "card_mm": [85.60, 53.98],
//       "margin_mm": [4.0, 3.0],                 // searched around each field: x, y
//       "birth_date":    {"x_mm": 9.0,  "y_mm": 20.0, "width_mm": 33.0, "height_mm": 3.0},
//       "card_expiry":   {"x_mm": 9.0,  "y_mm": 25.5, "width_mm": 38.0, "height_mm": 3.0},
//       "security_code": {"x_mm": 64.0, "y_mm": 35.0, "width_mm": 10.0, "height_mm": 2.5},
//       "photo":         {"x_mm": 60.5, "y_mm": 5.0,  "width_mm": 22.0, "height_mm": 27.0}
//     },
//     "read": {
//       "frames_to_agree": 2, "min_digit_confidence": 80, "min_text_confidence": 60,
//       "expiry_max_years_ahead": 11, "expiry_max_years_past": 1, "min_years_birth_to_expiry": 5,
//       "expiry_on_birthday": true,
//       "second_opinion_models": ["Japanese", "chi_sim", "kor"], "second_opinion_agree": 4,
//       "second_opinion_dissent": 1
//     },
//     "imaging": {"pixels_per_mm": 10.0, "locate_width": 640, "min_card_area": 0.06,
//                 "max_glare_fraction": 0.02, "min_sharpness": 12.0},
//     "tessdata_dir": ""
//   }
//
// Field positions are the top-left of the printed line's ink in millimetres from the card's
// top-left corner; width_mm is the longest the line gets, height_mm its font size (em).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "drivers/card_surface/printed_date.hpp"

namespace kiosk::drivers::card_surface {

struct FieldPlacement {
  double x_mm = 0.0;
  double y_mm = 0.0;
  double width_mm = 0.0;
  double height_mm = 0.0;
};

struct CardLayout {
  double card_width_mm = 85.60;
  double card_height_mm = 53.98;
  double margin_x_mm = 4.0;
  double margin_y_mm = 3.0;
  FieldPlacement birth_date{9.0, 20.0, 33.0, 3.0};
  FieldPlacement card_expiry{9.0, 25.5, 38.0, 3.0};
  FieldPlacement security_code{64.0, 35.0, 10.0, 2.5};
  FieldPlacement photo{60.5, 5.0, 22.0, 27.0};
};

struct ReadPolicy {
  // Identical reads from this many frames in a row before the scanner releases the digits.
  int frames_to_agree = 2;
  // Tesseract's confidence (0-100) every digit of a field must reach; the era and the other
  // characters of the date lines must reach min_text_confidence.
  double min_digit_confidence = 80.0;
  double min_text_confidence = 60.0;
  // When the two engines disagree on digits: further Tesseract models read them, and digits
  // are taken when at least second_opinion_agree readings (both engines and these models)
  // give them with confidence and at most second_opinion_dissent say anything else. An empty
  // list keeps the two engines' unanimity.
  std::vector<std::string> second_opinion_models{"Japanese", "chi_sim", "kor"};
  int second_opinion_agree = 4;
  int second_opinion_dissent = 1;
  PlausibilityRules plausibility;
};

struct ImagingSettings {
  double pixels_per_mm = 10.0;  // the rectified card's resolution
  int locate_width = 640;       // frames are scaled to this width to find the card
  double min_card_area = 0.06;  // the card must cover at least this fraction of the frame
  // A field whose search area has more than this fraction of saturated pixels is under glare.
  double max_glare_fraction = 0.02;
  // Below this sharpness (variance of the Laplacian of the rectified card) it is too blurred.
  double min_sharpness = 12.0;
};

struct ScannerConfig {
  CardLayout layout;
  ReadPolicy read;
  ImagingSettings imaging;
  std::filesystem::path tessdata_dir;  // empty: Tesseract's default
};

// The settings from a JSON object (any subset of the keys above over the defaults). Throws
// std::invalid_argument naming the key ("layout.birth_date.x_mm: must be a number") for
// unknown keys, wrong types and impossible values.
ScannerConfig scanner_config_from_json(const nlohmann::json& json);
ScannerConfig load_scanner_config(const std::filesystem::path& file);
// Every key with its value (what a technician starts from).
nlohmann::json to_json(const ScannerConfig& config);

}  // namespace kiosk::drivers::card_surface
