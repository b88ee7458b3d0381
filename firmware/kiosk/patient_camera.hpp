// The camera in front of the simulated kiosk: it shows whichever patient stands there (a
// virtual camera made for each), an attack made of a person's face, or nobody; the camera can
// be lost (unplugged) at any time. Used by `kiosk sim` and the QA scenario player.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "hal/camera.hpp"
#include "sim/camera/virtual_camera.hpp"

namespace kiosk::firmware {

class PatientCamera final : public hal::Camera {
 public:
  // `on_frame` runs for every frame handed out (the scenario player charges the frame time to
  // its virtual clock).
  explicit PatientCamera(sim::camera::Pacing pacing = sim::camera::Pacing::RealTime, std::function<void()> on_frame = {},
                         std::uint32_t seed = 1);

  // Nobody (no face), or the person whose face image this is, presented live or as an attack.
  void show(const std::optional<std::filesystem::path>& face, sim::camera::Presentation presentation = sim::camera::Presentation::Live);
  // The camera is unplugged: every frame from now on fails as a lost camera.
  void lose();

  const hal::CameraInfo& info() const override;
  hal::CameraFrame next_frame(std::chrono::milliseconds timeout) override;

 private:
  std::shared_ptr<sim::camera::VirtualCamera> make(const std::optional<std::filesystem::path>& face,
                                           sim::camera::Presentation presentation) const;
  sim::camera::Pacing pacing_;
  std::function<void()> on_frame_;
  std::uint32_t seed_;
  std::mutex mutex_;
  std::shared_ptr<sim::camera::VirtualCamera> nobody_;
  std::shared_ptr<sim::camera::VirtualCamera> current_;
  bool lost_ = false;
};

}  // namespace kiosk::firmware
