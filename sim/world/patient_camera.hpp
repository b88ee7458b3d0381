// The camera in front of the simulated kiosk: it shows whichever patient stands there (a
// virtual camera made for each), an attack made of a person's face, or nobody; the camera can
// be lost (unplugged) at any time, and a condition of the world (dark, blurred, missing,
// vanishing) can hold for everyone. Used through PatientCameraProvider, the simulated board's
// camera provider: the reception opens the camera for a face attempt and closes it after.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hal/camera.hpp"
#include "sim/camera/virtual_camera.hpp"

namespace kiosk::sim::world {

// What the camera does, whoever stands there (diagnostics, QA).
enum class CameraCondition {
  Normal,     // shows the patient
  Nobody,     // shows nobody
  Dark,       // too little light
  Blurred,    // out of focus
  Missing,    // not attached: opening it fails
  Vanishing,  // unplugged half a second after it is opened
};

// "face", "nobody", "dark", "blurred", "missing", "vanishing" (the names diagnostics take).
const std::vector<std::string>& camera_condition_names();
// Throws std::invalid_argument for an unknown name.
CameraCondition camera_condition_from_name(const std::string& name);

class PatientCamera final : public hal::Camera {
 public:
  // `on_frame` runs for every frame handed out (the scenario player charges the frame time to
  // its virtual clock).
  explicit PatientCamera(camera::Pacing pacing = camera::Pacing::RealTime, std::function<void()> on_frame = {},
                         std::uint32_t seed = 1);

  // Nobody (no face), or the person whose face image this is, presented live or as an attack.
  void show(const std::optional<std::filesystem::path>& face, camera::Presentation presentation = camera::Presentation::Live);
  // The patient reads the face screen's guidance (core::face::to_string of the Guidance, as
  // the screen shows it): asked to turn the head to their left or right, a live patient does;
  // an attack (a replay, a photo) does not. Other guidance changes nothing here. Any thread.
  void read_guidance(std::string_view guidance);
  // The camera is unplugged: every frame from now on fails as a lost camera.
  void lose();
  void set_condition(CameraCondition condition);
  CameraCondition condition() const;

  const hal::CameraInfo& info() const override;
  hal::CameraFrame next_frame(std::chrono::milliseconds timeout) override;

 private:
  std::shared_ptr<camera::VirtualCamera> make(const std::optional<std::filesystem::path>& face,
                                              camera::Presentation presentation) const;
  camera::Pacing pacing_;
  std::function<void()> on_frame_;
  std::uint32_t seed_;
  mutable std::mutex mutex_;
  CameraCondition condition_ = CameraCondition::Normal;
  std::optional<std::filesystem::path> face_;
  camera::Presentation presentation_ = camera::Presentation::Live;
  std::shared_ptr<camera::VirtualCamera> nobody_;
  std::shared_ptr<camera::VirtualCamera> current_;
  bool lost_ = false;
};

// The simulated board's camera provider: owns the patient camera and hands out a view of it
// each time the reception opens "the face camera" (NotFound while the condition is Missing).
class PatientCameraProvider final : public hal::CameraProvider {
 public:
  PatientCameraProvider(camera::Pacing pacing, std::function<void()> on_frame, std::uint32_t seed)
      : camera_(pacing, std::move(on_frame), seed) {}
  PatientCamera& camera() { return camera_; }
  std::unique_ptr<hal::Camera> open(const hal::CameraDevice& device, const hal::CameraMode& mode) override;

 private:
  PatientCamera camera_;
};

}  // namespace kiosk::sim::world
