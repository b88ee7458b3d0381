#include "sim/camera/virtual_camera.hpp"

#include <algorithm>
#include <cmath>
#include <thread>
#include <utility>

namespace kiosk::sim::camera {

using Clock = std::chrono::steady_clock;

VirtualCamera::VirtualCamera(Scene scene, Pacing pacing, std::string name)
    : scene_(std::move(scene)), pacing_(pacing), opened_(Clock::now()) {
  info_.name = std::move(name) + (pacing == Pacing::RealTime ? " (real time)" : " (simulated time)");
  info_.mode.width = scene_.settings().frame.width;
  info_.mode.height = scene_.settings().frame.height;
  info_.mode.fps = scene_.settings().fps;
}

hal::CameraFrame VirtualCamera::next_frame(std::chrono::milliseconds timeout) {
  const double fps = scene_.settings().fps;
  const auto period = std::chrono::duration<double>(1.0 / fps);
  std::uint64_t index = next_index_;
  if (pacing_ == Pacing::RealTime) {
    // The newest frame already captured, or wait for the next one.
    const double elapsed = std::chrono::duration<double>(Clock::now() - opened_).count();
    index = std::max(index, static_cast<std::uint64_t>(std::floor(elapsed * fps)));
  }
  const double seconds = static_cast<double>(index) / fps;
  const auto due = opened_ + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(index));
  const auto vanish = scene_.vanish_time();
  if (unplugged_ || (vanish && seconds >= *vanish)) {
    unplugged_ = true;
    throw hal::CameraError(hal::CameraErrorKind::Disconnected, info_.name + ": device disconnected");
  }
  const auto stall = scene_.stall_time();
  if (stall && seconds >= *stall) {
    if (pacing_ == Pacing::RealTime) std::this_thread::sleep_for(timeout);
    throw hal::CameraError(hal::CameraErrorKind::Timeout,
                           info_.name + ": no frame within " + std::to_string(timeout.count()) + " ms");
  }
  if (pacing_ == Pacing::RealTime) {
    if (due - Clock::now() > timeout) {
      std::this_thread::sleep_for(timeout);
      throw hal::CameraError(hal::CameraErrorKind::Timeout, info_.name + ": no frame in time");
    }
    std::this_thread::sleep_until(due);
  }
  hal::CameraFrame frame;
  {
    std::lock_guard lock(scene_mutex_);
    frame.image = scene_.render(seconds, index);
  }
  frame.timestamp = due;
  frame.sequence = index;
  next_index_ = index + 1;
  ++delivered_;
  return frame;
}

double VirtualCamera::scene_seconds() const {
  const double fps = scene_.settings().fps;
  double seconds = 0.0;
  if (pacing_ == Pacing::RealTime) {
    seconds = std::chrono::duration<double>(Clock::now() - opened_).count();
  } else {
    // Simulated time stands at the last frame handed out.
    const std::uint64_t next = next_index_;
    seconds = next == 0 ? 0.0 : static_cast<double>(next - 1) / fps;
  }
  return seconds;
}

void VirtualCamera::ask_to_turn(HeadTurn side) {
  const double seconds = scene_seconds();
  std::lock_guard lock(scene_mutex_);
  scene_.ask_to_turn(side, seconds);
}

void VirtualCamera::ask_to_hold() {
  const double seconds = scene_seconds();
  std::lock_guard lock(scene_mutex_);
  scene_.ask_to_hold(seconds);
}

void VirtualCamera::read_guidance(std::string_view guidance) {
  if (guidance == "turn-head-left") ask_to_turn(HeadTurn::Left);
  if (guidance == "turn-head-right") ask_to_turn(HeadTurn::Right);
  if (guidance == "hold-turn") ask_to_hold();
}

VirtualCameraProvider::VirtualCameraProvider(SceneFactory make_scene, Pacing pacing, std::vector<std::string> present)
    : make_scene_(std::move(make_scene)), pacing_(pacing), present_(std::move(present)) {}

std::unique_ptr<hal::Camera> VirtualCameraProvider::open(const hal::CameraDevice& device, const hal::CameraMode& mode) {
  const std::string name = device.describe();
  if (!present_.empty() && std::find(present_.begin(), present_.end(), name) == present_.end()) {
    throw hal::CameraError(hal::CameraErrorKind::NotFound, "no virtual camera " + name);
  }
  if (mode.width < 64 || mode.height < 48 || !(mode.fps > 0.0)) {
    throw hal::CameraError(hal::CameraErrorKind::Unsupported, "virtual camera: unusable mode");
  }
  return std::make_unique<VirtualCamera>(make_scene_(mode), pacing_, "virtual " + name);
}

}  // namespace kiosk::sim::camera
