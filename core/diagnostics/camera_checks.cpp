#include "core/diagnostics/camera_checks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <opencv2/imgproc.hpp>

#include "core/face/alignment.hpp"
#include "core/face/quality.hpp"
#include "core/face/wipe.hpp"

namespace kiosk::core::diagnostics {
namespace {

using std::chrono::duration;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr const char* kArea = "camera";

std::string fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string size_text(int width, int height) { return std::to_string(width) + "x" + std::to_string(height); }

// A frame, wiped when it goes.
struct WipedFrame {
  hal::CameraFrame frame;
  WipedFrame() = default;
  explicit WipedFrame(hal::CameraFrame f) : frame(std::move(f)) {}
  WipedFrame(WipedFrame&&) noexcept = default;
  WipedFrame& operator=(WipedFrame&& other) noexcept {
    core::face::wipe(frame.image);
    frame = std::move(other.frame);
    return *this;
  }
  WipedFrame(const WipedFrame&) = delete;
  WipedFrame& operator=(const WipedFrame&) = delete;
  ~WipedFrame() { core::face::wipe(frame.image); }
};

// Light over every frame of the rate measurement.
struct LightStats {
  double grey_sum = 0.0;
  double clipped = 0.0;
  double pixels = 0.0;
  int frames = 0;

  void add(const cv::Mat& bgr) {
    cv::Mat grey;
    if (bgr.channels() == 3) {
      cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    } else {
      grey = bgr.clone();
    }
    grey_sum += cv::sum(grey)[0];
    clipped += static_cast<double>(cv::countNonZero(grey <= 5) + cv::countNonZero(grey >= 250));
    pixels += static_cast<double>(grey.total());
    ++frames;
    core::face::wipe(grey);
  }
  double mean() const { return pixels > 0 ? grey_sum / pixels : 0.0; }
  double clipped_share() const { return pixels > 0 ? clipped / pixels : 0.0; }
};

// The frame-reading outcome: the camera stopped (vanished, stalled) with this error.
struct Stopped {
  hal::CameraErrorKind kind;
  std::string what;
};

CheckResult open_failure(const std::string& where, const hal::CameraError& e) {
  return {kArea, "camera opens", Status::Fail, where + ": " + e.what() + " (" + hal::to_string(e.kind()) + ")", e.advice()};
}

CheckResult check_resolution(const hal::CameraMode& configured, const cv::Size& delivered) {
  const std::string measured =
      "delivers " + size_text(delivered.width, delivered.height) + ", configured " + size_text(configured.width, configured.height);
  if (delivered.width == configured.width && delivered.height == configured.height) {
    return {kArea, "resolution", Status::Pass, measured, ""};
  }
  // Face size limits are relative to the frame, but below 320x240 a face at arm's length is
  // too few pixels for the recogniser's 112x112 input.
  if (delivered.width < 320 || delivered.height < 240) {
    return {kArea, "resolution", Status::Fail, measured,
            "the picture is too small for face matching: " + std::string(hal::advice(hal::CameraErrorKind::Unsupported))};
  }
  return {kArea, "resolution", Status::Warn, measured, hal::advice(hal::CameraErrorKind::Unsupported)};
}

CheckResult check_rate(const CameraCheckSettings& s, int frames, double span_seconds, std::uint64_t dropped) {
  if (frames < 2 || span_seconds <= 0.0) {
    return {kArea, "frame rate", Status::Fail, std::to_string(frames) + " frame(s) with no time between them",
            hal::advice(hal::CameraErrorKind::Timeout)};
  }
  const double fps = (frames - 1) / span_seconds;
  const double ratio = fps / s.mode.fps;
  std::string measured = fixed(fps, 1) + " fps over " + std::to_string(frames) + " frames (" + fixed(span_seconds, 2) +
                         " s), configured " + fixed(s.mode.fps, 1) + " fps";
  if (dropped > 0) measured += ", " + std::to_string(dropped) + " frames skipped";
  if (ratio < s.fail_fps_ratio) {
    return {kArea, "frame rate", Status::Fail, measured,
            "the camera is far too slow for face matching: check the USB connection (a USB 2 port or hub shared with "
            "other devices), lower the configured resolution, or replace the camera"};
  }
  if (ratio < s.warn_fps_ratio) {
    return {kArea, "frame rate", Status::Warn, measured,
            "the camera is slower than configured (in low light many cameras lengthen the exposure): add light or "
            "configure a mode the camera sustains"};
  }
  return {kArea, "frame rate", Status::Pass, measured, ""};
}

CheckResult check_light(const CameraCheckSettings& s, const LightStats& light) {
  const double mean = light.mean();
  const double clipped = light.clipped_share();
  const std::string measured = "mean grey " + fixed(mean, 0) + "/255, " + fixed(clipped * 100.0, 1) +
                               "% of pixels clipped, over " + std::to_string(light.frames) + " frames";
  const std::string dark = "the picture is too dark: light the area in front of the kiosk (faces need even, frontal light)";
  const std::string bright =
      "the picture is over-exposed: keep direct sunlight and lamps out of the camera's view, or lower the exposure";
  const std::string clipping = "parts of the picture are black or white: a window or lamp behind the patient, or a "
                               "dark corner; move the kiosk or change the lighting";
  if (mean < s.fail_dark_mean) return {kArea, "brightness", Status::Fail, measured, dark};
  if (mean > s.fail_bright_mean) return {kArea, "brightness", Status::Fail, measured, bright};
  if (clipped > s.fail_clipped_share) return {kArea, "brightness", Status::Fail, measured, clipping};
  if (mean < s.warn_dark_mean) return {kArea, "brightness", Status::Warn, measured, dark};
  if (mean > s.warn_bright_mean) return {kArea, "brightness", Status::Warn, measured, bright};
  if (clipped > s.warn_clipped_share) return {kArea, "brightness", Status::Warn, measured, clipping};
  return {kArea, "brightness", Status::Pass, measured, ""};
}

// Face found in the frames, and the sharpness of the aligned faces.
struct FaceFindings {
  int frames = 0;
  int with_face = 0;
  double face_width = 0.0;  // of the last face found, relative to the frame
  std::vector<double> sharpness;
};

FaceFindings look_for_faces(std::vector<WipedFrame>& frames, const FaceCheckTools& tools) {
  FaceFindings found;
  for (auto& f : frames) {
    ++found.frames;
    const std::vector<core::face::DetectedFace> faces = tools.detector->detect(f.frame.image);
    if (faces.empty()) continue;
    ++found.with_face;
    core::face::QualityReport q = core::face::assess_geometry(f.frame.image, faces, tools.limits);
    found.face_width = q.face_width;
    cv::Mat chip = core::face::align_face(f.frame.image, faces.front());
    core::face::assess_photometry(q, f.frame.image, faces.front(), chip, tools.limits);
    if (!chip.empty()) found.sharpness.push_back(q.sharpness);
    core::face::wipe(chip);
  }
  tools.detector->scrub();
  return found;
}

CheckResult check_face_found(const FaceFindings& found) {
  if (found.with_face == 0) {
    return {kArea, "face detected", Status::Warn, "no face in " + std::to_string(found.frames) + " frames (nobody in front?)",
            "ask someone to stand in front of the kiosk, look at the screen, and run the check again; if nobody is "
            "found then either, check the camera's direction and the lighting"};
  }
  return {kArea, "face detected", Status::Pass,
          "a face in " + std::to_string(found.with_face) + " of " + std::to_string(found.frames) + " frames, " +
              fixed(found.face_width * 100.0, 0) + "% of the frame width",
          ""};
}

CheckResult check_focus(const CameraCheckSettings& s, const FaceFindings& found, const core::face::QualityLimits& limits,
                        const CheckResult& light) {
  if (found.sharpness.empty()) {
    return {kArea, "focus", Status::Skip, "no face to judge the focus on", "run the check again with someone in front of the camera"};
  }
  std::vector<double> values = found.sharpness;
  std::nth_element(values.begin(), values.begin() + static_cast<long>(values.size() / 2), values.end());
  const double median = values[values.size() / 2];
  const std::string measured = "face sharpness " + fixed(median, 0) + " (variance of the Laplacian, median of " +
                               std::to_string(found.sharpness.size()) + " faces), face matching needs " +
                               fixed(limits.min_sharpness, 0);
  const std::string action =
      "the picture is blurred: clean the lens, check the focus (fixed-focus cameras: the patient's distance), and "
      "that the camera is firmly mounted";
  // A dark or washed-out face has little contrast, hence a low Laplacian variance however sharp
  // the lens: the focus cannot be judged until the light is right.
  if (light.status == Status::Fail && median < limits.min_sharpness * s.warn_sharpness_factor) {
    return {kArea, "focus", Status::Skip, measured + "; not judged in this light", "fix the light first, then check again"};
  }
  if (median < limits.min_sharpness) return {kArea, "focus", Status::Fail, measured, action};
  if (median < limits.min_sharpness * s.warn_sharpness_factor) return {kArea, "focus", Status::Warn, measured, action};
  return {kArea, "focus", Status::Pass, measured, ""};
}

}  // namespace

std::vector<CheckResult> check_camera(hal::CameraProvider& cameras, const CameraCheckSettings& s, const FaceCheckTools& tools) {
  std::vector<CheckResult> out;
  const std::string where = s.device.describe();
  std::unique_ptr<hal::Camera> camera;
  const auto opening = std::chrono::steady_clock::now();
  try {
    camera = cameras.open(s.device, s.mode);
  } catch (const hal::CameraError& e) {
    out.push_back(open_failure(where, e));
    return out;
  } catch (const std::exception& e) {
    out.push_back(open_failure(where, hal::CameraError(hal::CameraErrorKind::Internal, e.what())));
    return out;
  }

  std::optional<Stopped> stopped;
  auto next = [&](milliseconds timeout) -> std::optional<WipedFrame> {
    try {
      return WipedFrame(camera->next_frame(timeout));
    } catch (const hal::CameraError& e) {
      stopped = Stopped{e.kind(), e.what()};
    } catch (const std::exception& e) {
      stopped = Stopped{hal::CameraErrorKind::Internal, e.what()};
    }
    return std::nullopt;
  };

  std::optional<WipedFrame> first = next(s.first_frame_timeout);
  if (!first) {
    out.push_back({kArea, "camera opens", Status::Fail,
                   where + " (" + camera->info().name + ") opened but gave no first frame: " + stopped->what,
                   hal::advice(stopped->kind)});
    return out;
  }
  const auto first_after = duration_cast<milliseconds>(std::chrono::steady_clock::now() - opening);
  out.push_back({kArea, "camera opens", Status::Pass,
                 where + " (" + camera->info().name + "), first frame after " + std::to_string(first_after.count()) + " ms",
                 ""});
  out.push_back(check_resolution(s.mode, first->frame.image.size()));

  // Frame rate from the frames' capture timestamps; light over the same frames.
  LightStats light;
  light.add(first->frame.image);
  const auto start = first->frame.timestamp;
  auto last_time = start;
  std::uint64_t last_sequence = first->frame.sequence;
  std::uint64_t dropped = 0;
  int frames = 1;
  const milliseconds frame_timeout = std::max(milliseconds{1000}, duration_cast<milliseconds>(duration<double>(4.0 / s.mode.fps)));
  first.reset();
  while (frames < s.max_frames && last_time - start < s.measure_for) {
    std::optional<WipedFrame> f = next(frame_timeout);
    if (!f) break;
    light.add(f->frame.image);
    if (f->frame.sequence > last_sequence + 1) dropped += f->frame.sequence - last_sequence - 1;
    last_sequence = f->frame.sequence;
    last_time = f->frame.timestamp;
    ++frames;
  }
  if (stopped) {
    const bool vanished = stopped->kind == hal::CameraErrorKind::Disconnected;
    out.push_back({kArea, "frame rate", Status::Fail,
                   std::string(vanished ? "the camera vanished" : "the camera stopped delivering frames") + " after " +
                       std::to_string(frames) + " frames: " + stopped->what,
                   hal::advice(stopped->kind)});
    out.push_back(check_light(s, light));
    return out;
  }
  out.push_back(check_rate(s, frames, duration<double>(last_time - start).count(), dropped));
  const CheckResult light_result = check_light(s, light);
  out.push_back(light_result);

  if (tools.detector == nullptr) {
    out.push_back({kArea, "face detected", Status::Skip, "face detector not loaded (face models missing or face off)",
                   "see the model checks above"});
    return out;
  }
  std::vector<WipedFrame> sample;
  for (int i = 0; i < s.face_frames; ++i) {
    std::optional<WipedFrame> f = next(frame_timeout);
    if (!f) break;
    sample.push_back(std::move(*f));
  }
  if (sample.empty()) {
    if (!stopped) {
      out.push_back({kArea, "face detected", Status::Skip, "no frames asked for (face_frames is 0)", ""});
    } else {
      out.push_back({kArea, "face detected", Status::Fail, "no frame for face detection: " + stopped->what,
                     hal::advice(stopped->kind)});
    }
    return out;
  }
  const FaceFindings found = look_for_faces(sample, tools);
  out.push_back(check_face_found(found));
  out.push_back(check_focus(s, found, tools.limits, light_result));
  return out;
}

}  // namespace kiosk::core::diagnostics
