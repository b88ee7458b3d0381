// Camera interface: the kiosk's face camera.
//
// Implemented by drivers/camera (a V4L2 camera through OpenCV's VideoCapture) and sim/camera
// (a virtual camera that plays faces and injected conditions). core/face pulls frames through
// this interface only; it never opens a device itself.
//
// Frames are personal data. A frame handed out by next_frame() belongs to the caller, which
// overwrites its pixels when done (core/face does); an implementation keeps no other copy of a
// delivered frame and wipes any frame it drops.
//
// This header uses OpenCV's cv::Mat for the pixels: every user of a camera (core/face, the
// drivers, the simulator) links opencv_core.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>

#include <opencv2/core/mat.hpp>

namespace kiosk::hal {

// What went wrong with the camera. Each kind says what the technician (or the patient) can do.
enum class CameraErrorKind {
  NotFound,      // no such device (index or path), or it is not a video capture device
  Busy,          // the device exists but cannot be opened (used by another program, permissions)
  Unsupported,   // it opened but delivers no frames in a format/size the kiosk can use
  Disconnected,  // the device went away while in use (unplugged, USB reset, driver error)
  Timeout,       // no frame arrived within the time allowed (stalled camera)
  Internal,      // a bug or resource problem in the stack
};

constexpr const char* to_string(CameraErrorKind kind) {
  switch (kind) {
    case CameraErrorKind::NotFound: return "not-found";
    case CameraErrorKind::Busy: return "busy";
    case CameraErrorKind::Unsupported: return "unsupported";
    case CameraErrorKind::Disconnected: return "disconnected";
    case CameraErrorKind::Timeout: return "timeout";
    case CameraErrorKind::Internal: return "internal";
  }
  return "unknown";
}

// What to do about it. The patient is always offered the PIN instead of the face; these are
// for the technician (diagnostics, the journal).
constexpr const char* advice(CameraErrorKind kind) {
  switch (kind) {
    case CameraErrorKind::NotFound:
      return "connect the camera, check the configured device (index or /dev/v4l/by-id path) and restart the kiosk";
    case CameraErrorKind::Busy:
      return "close the other program using the camera (or fix the device permissions: group 'video') and try again";
    case CameraErrorKind::Unsupported:
      return "configure a resolution and frame rate the camera supports (v4l2-ctl --list-formats-ext)";
    case CameraErrorKind::Disconnected:
      return "reconnect the camera (check the USB cable); patients can use the PIN meanwhile";
    case CameraErrorKind::Timeout:
      return "the camera stopped delivering frames: reconnect it; if it happens again, replace it";
    case CameraErrorKind::Internal:
      return "restart the kiosk; if it happens again, call the technician";
  }
  return "call the technician";
}

class CameraError : public std::runtime_error {
 public:
  CameraError(CameraErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  CameraErrorKind kind() const noexcept { return kind_; }
  const char* advice() const noexcept { return hal::advice(kind_); }

 private:
  CameraErrorKind kind_;
};

// Which camera: an index as V4L2 numbers it (0 is /dev/video0) or a device path
// (/dev/video0, or a stable /dev/v4l/by-id/... link, which survives re-plugging).
struct CameraDevice {
  std::variant<int, std::string> id = 0;

  static CameraDevice index(int n) { return CameraDevice{n}; }
  static CameraDevice path(std::string p) { return CameraDevice{std::move(p)}; }
  // "/dev/video0" for a path, "camera #0" for an index.
  std::string describe() const {
    if (const auto* p = std::get_if<std::string>(&id)) return *p;
    return "camera #" + std::to_string(std::get<int>(id));
  }
};

// The mode asked for. A camera may deliver a different one; CameraInfo says what it delivers.
struct CameraMode {
  int width = 640;
  int height = 480;
  double fps = 30.0;
};

struct CameraInfo {
  std::string name;  // device and backend, for diagnostics
  CameraMode mode;   // as delivered
};

struct CameraFrame {
  cv::Mat image;  // 8-bit BGR, CameraInfo::mode size; owned by the caller
  std::chrono::steady_clock::time_point timestamp;  // when the frame was captured (monotonic)
  std::uint64_t sequence = 0;  // counts captured frames; a gap means frames were dropped
};

class Camera {
 public:
  virtual ~Camera() = default;
  Camera() = default;
  Camera(const Camera&) = delete;
  Camera& operator=(const Camera&) = delete;

  virtual const CameraInfo& info() const = 0;

  // The newest frame captured after the one last returned, waiting at most `timeout` for it
  // (older frames the caller was too slow for are dropped, so a slow consumer never falls
  // behind). Throws CameraError: Disconnected when the device has gone (every later call
  // throws it too), Timeout when no frame came in time.
  virtual CameraFrame next_frame(std::chrono::milliseconds timeout) = 0;
};

// Opens cameras. Throws CameraError (NotFound, Busy, Unsupported).
class CameraProvider {
 public:
  virtual ~CameraProvider() = default;
  CameraProvider() = default;
  CameraProvider(const CameraProvider&) = delete;
  CameraProvider& operator=(const CameraProvider&) = delete;

  virtual std::unique_ptr<Camera> open(const CameraDevice& device, const CameraMode& mode) = 0;
};

}  // namespace kiosk::hal
