// The virtual camera: plays a Scene as a hal::Camera.
//
// Pacing::Simulated hands out every frame at once, with timestamps 1/fps apart from the
// moment the camera was opened (fast, deterministic tests: the session's time budget runs on
// those timestamps). Pacing::RealTime behaves like a real camera: frames are due at wall-clock
// times, a slow consumer gets the newest one (older ones are dropped, as a V4L2 queue does).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

#include "hal/camera.hpp"
#include "sim/camera/face_scene.hpp"

namespace kiosk::sim::camera {

enum class Pacing { Simulated, RealTime };

class VirtualCamera final : public hal::Camera {
 public:
  explicit VirtualCamera(Scene scene, Pacing pacing = Pacing::Simulated, std::string name = "virtual camera");

  const hal::CameraInfo& info() const override { return info_; }
  // Throws hal::CameraError Disconnected once the scene's camera has vanished (or unplug()
  // was called), Timeout while it stalls.
  hal::CameraFrame next_frame(std::chrono::milliseconds timeout) override;

  // The person in the scene is asked to turn the head now (from any thread): a live person
  // answers (Scene::ask_to_turn), a recording does not.
  void ask_to_turn(HeadTurn side);
  // The person is asked to hold the turn now (Scene::ask_to_hold).
  void ask_to_hold();
  // The same, from the face screen's guidance as the screen shows it ("turn-head-left",
  // "turn-head-right", "hold-turn": Scene::ask_to_hold); any other guidance changes nothing.
  void read_guidance(std::string_view guidance);

  // Unplugs the camera now (from any thread).
  void unplug() noexcept { unplugged_ = true; }
  std::uint64_t frames_delivered() const noexcept { return delivered_; }
  Scene& scene() noexcept { return scene_; }

 private:
  double scene_seconds() const;  // the scene's time now (real or simulated pacing)

  std::mutex scene_mutex_;  // ask_to_turn() from the screen's thread, render() from the camera's
  Scene scene_;
  Pacing pacing_;
  hal::CameraInfo info_;
  std::chrono::steady_clock::time_point opened_;
  std::atomic<std::uint64_t> next_index_{0};
  std::uint64_t delivered_ = 0;
  std::atomic<bool> unplugged_{false};
};

// Opens virtual cameras: each open() plays a scene made for the requested mode.
// Devices not in `present` (by their describe() text; empty: every device) give NotFound.
class VirtualCameraProvider final : public hal::CameraProvider {
 public:
  using SceneFactory = std::function<Scene(const hal::CameraMode& mode)>;
  explicit VirtualCameraProvider(SceneFactory make_scene, Pacing pacing = Pacing::Simulated,
                                 std::vector<std::string> present = {});

  std::unique_ptr<hal::Camera> open(const hal::CameraDevice& device, const hal::CameraMode& mode) override;

 private:
  SceneFactory make_scene_;
  Pacing pacing_;
  std::vector<std::string> present_;
};

}  // namespace kiosk::sim::camera
