// A camera's view of a card on the scanner's tray: the rendered card placed on a background
// with rotation, perspective tilt, focus and motion blur, glare spots, a transparent sleeve,
// a finger over an edge, lighting, vignetting, sensor noise and JPEG artefacts.
//
// Geometry is a pinhole camera looking down at the tray: the card plane is tilted about its
// own axes, turned in the tray's plane and moved, then projected. Everything is seeded, so a
// scene is reproducible from its conditions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

namespace kiosk::sim::card_face {

enum class Background { DarkTray, GreyTray, Wood, Cloth, Clutter, Paper };
const char* to_string(Background background);

// A specular reflection, in card millimetres (it moves with the card).
struct GlareSpot {
  cv::Point2d centre_mm;
  double radius_mm = 6.0;
  double strength = 0.8;  // 1: fully saturated at the centre
};

// A finger over one edge of the card.
struct Finger {
  int edge = 0;                 // 0 top, 1 right, 2 bottom, 3 left (of the card as printed)
  double along = 0.5;           // where on that edge, 0..1
  double depth_mm = 8.0;        // how far it reaches into the card
  double width_mm = 16.0;
};

struct SceneConditions {
  cv::Size frame{1280, 720};
  double card_width_fraction = 0.65;  // the card's width on the frame (before tilt), 0..1
  cv::Point2d offset{0.0, 0.0};       // the card centre's offset from the frame centre, in frame sizes
  double rotation_deg = 0.0;          // in the tray's plane
  double tilt_x_deg = 0.0;            // about the card's horizontal axis (top edge away)
  double tilt_y_deg = 0.0;            // about the card's vertical axis
  double field_of_view_deg = 60.0;    // horizontal
  Background background = Background::DarkTray;
  double focus_blur = 0.0;  // Gaussian sigma in pixels
  double motion_blur = 0.0; // length in pixels
  double motion_angle_deg = 0.0;
  std::vector<GlareSpot> glare;
  bool sleeve = false;  // a transparent plastic sleeve: haze, sheen, its own edge
  std::optional<Finger> finger;
  double exposure = 1.0;  // gain
  double gamma = 1.0;
  cv::Vec3d white_balance{1.0, 1.0, 1.0};  // B, G, R gains
  double light_gradient = 0.0;  // uneven light: 0 even .. 0.5 strong
  double vignette = 0.0;        // 0 none .. 0.6 strong
  double noise_sigma = 0.0;     // sensor noise (grey levels)
  int jpeg_quality = 0;         // 0: no JPEG artefacts; otherwise 1..100
  std::uint32_t seed = 0;       // background texture, noise
};

struct CardScene {
  cv::Mat frame;                        // 8-bit BGR
  std::array<cv::Point2f, 4> corners;   // the card's corners on the frame: top-left, top-right, bottom-right, bottom-left
  bool card_fully_visible = true;       // every corner inside the frame
};

// Where the card's millimetres land on the frame (a homography, card top-left at (0, 0)).
cv::Matx33d card_to_frame(const SceneConditions& conditions);

// Places the card (BGRA from CardFaceRenderer, alpha 0 outside its rounded corners; empty: no
// card, the bare tray) at pixels_per_mm on a scene.
CardScene compose_scene(const cv::Mat& card_bgra, double card_pixels_per_mm, const SceneConditions& conditions);

// How a generated scene is meant to be read.
enum class SceneKind {
  Readable,       // varied but honest conditions: every field can be read
  Covered,        // a finger or hand covers a field that 照合番号B needs
  GlareOnField,   // a saturated reflection over the security code or a date
  OutOfFocus,     // far too blurred to read digits
  NoCard,         // the tray only
  BackSide,       // the card face down
  CutOff,         // the card partly outside the view, across a field
};
const char* to_string(SceneKind kind);

// Random conditions of a kind (for the evaluation set and the tray camera). `label` gets a
// short description of the main condition ("sleeve", "finger", "glare", "tilt", ...).
SceneConditions random_conditions(std::mt19937& rng, SceneKind kind, std::string* label = nullptr);

}  // namespace kiosk::sim::card_face
