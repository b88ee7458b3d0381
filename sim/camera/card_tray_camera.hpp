// The card-surface scanner's camera in the simulator: it looks at the card tray and shows the
// printed front of whatever card is placed there (sim/card_face renders it per
// card-face-layout.md) under scene conditions: rotation, tilt, blur, glare, a sleeve, a finger,
// light, noise. Each frame is composed afresh with a little movement and new sensor noise,
// as consecutive frames of a real camera differ. The simulator's card-surface scanner is the
// real reader (drivers/card_surface OcrCardSurfaceScanner) over this camera.
//
// Frames are handed out at once with timestamps 1/fps apart (simulated pacing, like
// VirtualCamera's): a scan takes the reader's time, not the camera's.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>

#include <opencv2/core/mat.hpp>

#include "hal/camera.hpp"
#include "sim/card_face/card_face_renderer.hpp"
#include "sim/card_face/card_scene.hpp"
#include "sim/card_face/document_renderer.hpp"

namespace kiosk::sim::card {
struct CardProfile;
}

namespace kiosk::sim::camera {

class CardTrayCamera final : public hal::Camera {
 public:
  struct Settings {
    cv::Size frame{1600, 1200};
    double fps = 10.0;
    double card_pixels_per_mm = 10.0;  // the card's scale on the frame (before tilt)
    std::uint32_t seed = 1;            // everything random (conditions, noise, movement)
    double jitter_mm = 0.4;            // how much the card moves between frames
  };

  CardTrayCamera();
  explicit CardTrayCamera(Settings settings);
  ~CardTrayCamera() override;

  // Puts a card on the tray, face up; the scene conditions are those set (or gentle ones: a
  // little rotation and tilt, even light). Throws std::invalid_argument for fields that
  // cannot be printed.
  void place(const card_face::PrintedFields& fields, const card_face::RenderOptions& options = {});
  // A card file's card: its printed fields and photo, in the layout of its generation (the
  // profile's "generation": today's card or the next-generation card).
  void place(const card::CardProfile& card);
  // A paper document instead of a card: a 資格確認書 or an old 健康保険証, printed in one of the
  // insurers' layouts (sim/card_face/document_renderer.hpp). Throws std::invalid_argument for
  // fields that cannot be printed.
  void place_document(const card_face::PrintedDocument& document, const card_face::DocumentRenderOptions& options = {});
  // The card face down (its back up).
  void place_back();
  // A smartphone (a token with nothing printed): dark glass, not card-shaped.
  void place_smartphone();
  void remove();
  // The scene for the next frames (the card's position on the tray, light, glare, finger...).
  void set_conditions(const card_face::SceneConditions& conditions);
  // Back to the gentle default.
  void clear_conditions();
  // Unplugs the camera (every next_frame throws Disconnected).
  void unplug() noexcept;

  const hal::CameraInfo& info() const override { return info_; }
  hal::CameraFrame next_frame(std::chrono::milliseconds timeout) override;

  std::uint64_t frames_delivered() const noexcept;

 private:
  card_face::SceneConditions gentle() const;

  Settings settings_;
  hal::CameraInfo info_;
  card_face::CardFaceRenderer renderer_;
  mutable std::mutex mutex_;
  cv::Mat card_;  // BGRA at settings_.card_pixels_per_mm... or the render's resolution
  double card_ppm_ = 12.0;
  std::optional<card_face::SceneConditions> conditions_;
  std::mt19937 rng_;
  std::chrono::steady_clock::time_point opened_;
  std::uint64_t next_index_ = 0;
  bool unplugged_ = false;
};

}  // namespace kiosk::sim::camera
