#include "firmware/kiosk/patient_camera.hpp"

#include <opencv2/core.hpp>

namespace kiosk::firmware {

PatientCamera::PatientCamera(sim::Pacing pacing, std::function<void()> on_frame, std::uint32_t seed)
    : pacing_(pacing), on_frame_(std::move(on_frame)), seed_(seed), nobody_(make(std::nullopt, sim::Presentation::Nobody)) {}

std::shared_ptr<sim::VirtualCamera> PatientCamera::make(const std::optional<std::filesystem::path>& face,
                                                        sim::Presentation presentation) const {
  sim::SceneSettings settings;
  settings.seed = seed_;
  if (!face) {
    return std::make_shared<sim::VirtualCamera>(
        sim::Scene(sim::FaceSource::image(cv::Mat(112, 112, CV_8UC3, cv::Scalar(128, 128, 128))),
                   {sim::Segment{sim::Presentation::Nobody, sim::Condition::Normal, 3600}}, settings),
        pacing_, "simulated kiosk camera");
  }
  std::vector<sim::Segment> script;
  if (presentation != sim::Presentation::Live) script.push_back({presentation, sim::Condition::Normal, 3600});
  return std::make_shared<sim::VirtualCamera>(sim::Scene(sim::FaceSource::image(*face), script, settings), pacing_,
                                              "simulated kiosk camera");
}

void PatientCamera::show(const std::optional<std::filesystem::path>& face, sim::Presentation presentation) {
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
  std::shared_ptr<sim::VirtualCamera> camera;
  {
    std::lock_guard lock(mutex_);
    camera = current_ ? current_ : nobody_;
  }
  hal::CameraFrame frame = camera->next_frame(timeout);
  if (on_frame_) on_frame_();
  return frame;
}

}  // namespace kiosk::firmware
