// Finding a printed field by its content near where the layout puts it: the text lines inside
// a search window (the field's placement grown by the layout's margins) of the rectified card,
// nearest to the expected position first. The reader then OCRs them until one reads as the
// field it looks for (a birth date, a card expiry, a 4-digit code).
#pragma once

#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

#include "drivers/card_surface/scanner_config.hpp"

namespace kiosk::drivers::card_surface {

// The field's placement grown by the margins, in pixels of a card rectified at
// pixels_per_mm, clipped to the card.
cv::Rect search_window(const FieldPlacement& field, const CardLayout& layout, double pixels_per_mm);

// Dark text lines about em_px tall inside `window` of an 8-bit grey card image, as boxes in
// the image's coordinates, nearest (by their top-left) to `expected` first. Lines cut by the
// window's top or bottom edge are left out (they belong to a neighbouring field), and so are
// lines narrower than min_width_em ems (a document's one-digit number is narrower than the
// card's shortest line).
std::vector<cv::Rect> find_text_lines(const cv::Mat& grey, cv::Rect window, double em_px, cv::Point expected,
                                      double min_width_em = 1.2);

// The print of a box as Tesseract reads it best: the box grown by a quarter em, dark strokes
// on a flat white ground (morphological black-hat, which removes the pastel pattern and uneven
// light), scaled so that the box is `target_height` pixels tall, with a white border.
cv::Mat ocr_image(const cv::Mat& grey, cv::Rect box, double em_px, int target_height);

}  // namespace kiosk::drivers::card_surface
