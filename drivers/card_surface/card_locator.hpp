// Finds the card in a camera frame and rectifies it to the ID-1 shape.
//
// The card is a light, flat quadrilateral with rounded corners, placed at any rotation and
// tilted up to ~15 degrees, on a tray that may be dark, light, textured or cluttered, perhaps
// with a finger over an edge. The locator segments the frame several ways (brightness, low
// saturation, closed edges), takes every region's convex hull (a finger's notch disappears),
// fits four straight sides to the region's outline away from the rounded corners, and keeps
// the quadrilateral whose shape fits a card seen in perspective best.
//
// Orientation: the corners come back with the long side first (landscape), in one of the two
// landscape orientations; which one is up is decided by the reader from the content
// (flip_corners() gives the other).
#pragma once

#include <array>
#include <optional>
#include <string>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

#include "drivers/card_surface/scanner_config.hpp"

namespace kiosk::drivers::card_surface {

using Corners = std::array<cv::Point2f, 4>;  // top-left, top-right, bottom-right, bottom-left

enum class LocateStatus {
  Found,
  NoCard,   // nothing card-shaped in view
  CutOff,   // a card-like shape runs out of the frame
  TooSmall, // a card, but too far away (smaller than min_card_area)
};
const char* to_string(LocateStatus status);

struct Located {
  LocateStatus status = LocateStatus::NoCard;
  Corners corners{};         // frame pixels (Found)
  double area_fraction = 0;  // the card's share of the frame
  double fit = 0;            // 0..1: how well four straight sides explain the outline
};

Located locate_card(const cv::Mat& bgr, const CardLayout& layout, const ImagingSettings& imaging);

// The same card turned by 180 degrees (the other landscape orientation).
Corners flip_corners(const Corners& corners);

// The card's face at pixels_per_mm: layout.card_width_mm x layout.card_height_mm, 8-bit BGR.
cv::Mat rectify(const cv::Mat& bgr, const Corners& corners, const CardLayout& layout, double pixels_per_mm);

}  // namespace kiosk::drivers::card_surface
