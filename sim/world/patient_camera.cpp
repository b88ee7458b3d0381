#include "sim/world/patient_camera.hpp"

#include <stdexcept>

#include <opencv2/core.hpp>

namespace kiosk::sim::world {

namespace {

// A view of the patient camera for one opening (the provider keeps the camera itself).
class OpenedPatientCamera final : public hal::Camera {
 public:
  explicit OpenedPatientCamera(PatientCamera& camera) : camera_(camera) {}
  const hal::CameraInfo& info() const override { return camera_.info(); }
  hal::CameraFrame next_frame(std::chrono::milliseconds timeout) override { return camera_.next_frame(timeout); }

 private:
  PatientCamera& camera_;
};

}  // namespace

const std::vector<std::string>& camera_condition_names() {
  static const std::vector<std::string> names{"face", "nobody", "dark", "blurred", "missing", "vanishing"};
  return names;
}

CameraCondition camera_condition_from_name(const std::string& name) {
  if (name == "face") return CameraCondition::Normal;
  if (name == "nobody") return CameraCondition::Nobody;
  if (name == "dark") return CameraCondition::Dark;
  if (name == "blurred") return CameraCondition::Blurred;
  if (name == "missing") return CameraCondition::Missing;
  if (name == "vanishing") return CameraCondition::Vanishing;
  throw std::invalid_argument("unknown camera condition '" + name + "' (face, nobody, dark, blurred, missing, vanishing)");
}

PatientCamera::PatientCamera(camera::Pacing pacing, std::function<void()> on_frame, std::uint32_t seed)
    : pacing_(pacing), on_frame_(std::move(on_frame)), seed_(seed), nobody_(make(std::nullopt, camera::Presentation::Nobody)) {}

std::shared_ptr<camera::VirtualCamera> PatientCamera::make(const std::optional<std::filesystem::path>& face,
                                                           camera::Presentation presentation) const {
  camera::SceneSettings settings;
  settings.seed = seed_;
  const bool nobody = !face || condition_ == CameraCondition::Nobody;
  camera::FaceSource person = nobody ? camera::FaceSource::image(cv::Mat(112, 112, CV_8UC3, cv::Scalar(128, 128, 128)))
                                     : camera::FaceSource::image(*face);
  camera::Segment segment;
  segment.presentation = nobody ? camera::Presentation::Nobody : presentation;
  if (condition_ == CameraCondition::Dark) segment.condition = camera::Condition::TooDark;
  if (condition_ == CameraCondition::Blurred) segment.condition = camera::Condition::Blurred;
  segment.seconds = 3600;
  std::vector<camera::Segment> script;
  if (nobody || segment.presentation != camera::Presentation::Live || segment.condition != camera::Condition::Normal) {
    script.push_back(segment);
  }
  camera::Scene scene(std::move(person), std::move(script), settings);
  if (condition_ == CameraCondition::Vanishing) scene.vanish_after(0.5);
  return std::make_shared<camera::VirtualCamera>(std::move(scene), pacing_, "simulated kiosk camera");
}

void PatientCamera::show(const std::optional<std::filesystem::path>& face, camera::Presentation presentation) {
  std::lock_guard lock(mutex_);
  face_ = face;
  presentation_ = presentation;
  auto camera = make(face, presentation);
  if (lost_) camera->unplug();
  current_ = std::move(camera);
}

void PatientCamera::read_guidance(std::string_view guidance) {
  std::shared_ptr<camera::VirtualCamera> camera;
  {
    std::lock_guard lock(mutex_);
    camera = current_;
  }
  if (camera) camera->read_guidance(guidance);
}

void PatientCamera::lose() {
  std::lock_guard lock(mutex_);
  lost_ = true;
  nobody_->unplug();
  if (current_) current_->unplug();
}

void PatientCamera::set_condition(CameraCondition condition) {
  std::lock_guard lock(mutex_);
  condition_ = condition;
  nobody_ = make(std::nullopt, camera::Presentation::Nobody);
  current_ = face_ ? make(face_, presentation_) : nullptr;
  if (lost_) {
    nobody_->unplug();
    if (current_) current_->unplug();
  }
}

CameraCondition PatientCamera::condition() const {
  std::lock_guard lock(mutex_);
  return condition_;
}

const hal::CameraInfo& PatientCamera::info() const {
  std::lock_guard lock(mutex_);
  return nobody_->info();
}

hal::CameraFrame PatientCamera::next_frame(std::chrono::milliseconds timeout) {
  std::shared_ptr<camera::VirtualCamera> camera;
  {
    std::lock_guard lock(mutex_);
    camera = current_ ? current_ : nobody_;
  }
  hal::CameraFrame frame = camera->next_frame(timeout);
  if (on_frame_) on_frame_();
  return frame;
}

std::unique_ptr<hal::Camera> PatientCameraProvider::open(const hal::CameraDevice& device, const hal::CameraMode&) {
  if (camera_.condition() == CameraCondition::Missing) {
    throw hal::CameraError(hal::CameraErrorKind::NotFound, device.describe() + ": no camera attached (simulated)");
  }
  return std::make_unique<OpenedPatientCamera>(camera_);
}

}  // namespace kiosk::sim::world
