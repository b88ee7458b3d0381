#include "firmware/kiosk/patient_camera.hpp"

#include <opencv2/core.hpp>

namespace kiosk::firmware {

PatientCamera::PatientCamera(sim::camera::Pacing pacing, std::function<void()> on_frame, std::uint32_t seed)
    : pacing_(pacing), on_frame_(std::move(on_frame)), seed_(seed), nobody_(make(std::nullopt, sim::camera::Presentation::Nobody)) {}

std::shared_ptr<sim::camera::VirtualCamera> PatientCamera::make(const std::optional<std::filesystem::path>& face,
                                                        sim::camera::Presentation presentation) const {
  sim::camera::SceneSettings settings;
  settings.seed = seed_;
  if (!face) {
    return std::make_shared<sim::camera::VirtualCamera>(
        sim::camera::Scene(sim::camera::FaceSource::image(cv::Mat(112, 112, CV_8UC3, cv::Scalar(128, 128, 128))),
                   {sim::camera::Segment{sim::camera::Presentation::Nobody, sim::camera::Condition::Normal, 3600}}, settings),
        pacing_, "simulated kiosk camera");
  }
  std::vector<sim::camera::Segment> script;
  if (presentation != sim::camera::Presentation::Live) script.push_back({presentation, sim::camera::Condition::Normal, 3600});
  return std::make_shared<sim::camera::VirtualCamera>(sim::camera::Scene(sim::camera::FaceSource::image(*face), script, settings), pacing_,
                                              "simulated kiosk camera");
}

void PatientCamera::show(const std::optional<std::filesystem::path>& face, sim::camera::Presentation presentation) {
  auto camera = make(face, presentation);
  std::lock_guard lock(mutex_);
  if (lost_) camera->unplug();
  current_ = std::move(camera);
}

void PatientCamera::lose() {
  std::lock_guard lock(mutex_);
  lost_ = true;
  nobody_->unplug();
  if (current_) current_->unplug();
}

const hal::CameraInfo& PatientCamera::info() const { return nobody_->info(); }

hal::CameraFrame PatientCamera::next_frame(std::chrono::milliseconds timeout) {
  std::shared_ptr<sim::camera::VirtualCamera> camera;
  {
    std::lock_guard lock(mutex_);
    camera = current_ ? current_ : nobody_;
  }
  hal::CameraFrame frame = camera->next_frame(timeout);
  if (on_frame_) on_frame_();
  return frame;
}

}  // namespace kiosk::firmware
