// Camera checks: the camera opens and delivers frames of the configured size at the configured
// rate, the picture is neither too dark nor over-exposed, it is in focus, and a face is found
// when somebody stands in front of the kiosk. Device-free: the camera comes through
// hal::CameraProvider (the V4L2 driver or the virtual camera), faces through core/face.
//
// Frames are personal data: every frame looked at is wiped before the checks return; no frame
// is kept or written anywhere.
#pragma once

#include <chrono>
#include <vector>

#include "core/diagnostics/report.hpp"
#include "core/face/detector.hpp"
#include "core/face/face_config.hpp"
#include "hal/camera.hpp"

namespace kiosk::core::diagnostics {

struct CameraCheckSettings {
  hal::CameraDevice device;
  hal::CameraMode mode;  // as configured: the delivered size must match, the rate come close
  // The first frame may take a while (exposure settling, USB negotiation).
  std::chrono::milliseconds first_frame_timeout{3000};
  // The frame rate is measured over this span of frame timestamps, or `max_frames` frames.
  std::chrono::milliseconds measure_for{2000};
  int max_frames = 90;
  // Measured / configured frame rate. Face matching and the liveness check need consecutive
  // frames about 1/30 s apart; at half the rate head motion between frames doubles and the
  // parallax check sees fewer frames in its time budget: below 0.8 WARN, below 0.5 FAIL.
  double warn_fps_ratio = 0.8;
  double fail_fps_ratio = 0.5;
  // Mean grey level of the whole picture (0-255). The face check needs about 55 on the face
  // (core::face::QualityLimits::min_brightness); a room picture darker than 60 leaves faces at or
  // below that (WARN), below 35 YuNet loses faces altogether (FAIL). Above 200 faces wash out
  // (WARN, QualityLimits::max_brightness is 215 on the face), above 225 FAIL.
  double fail_dark_mean = 35.0;
  double warn_dark_mean = 60.0;
  double warn_bright_mean = 200.0;
  double fail_bright_mean = 225.0;
  // Share of clipped pixels (grey <= 5 or >= 250): a backlit entrance or a lamp in view.
  // Above 10% WARN, above 35% FAIL (the face itself is then likely clipped).
  double warn_clipped_share = 0.10;
  double fail_clipped_share = 0.35;
  // Focus, judged on the aligned face as face matching sees it (variance of the Laplacian of
  // the 112x112 chip, core::face::assess_photometry): below QualityLimits::min_sharpness FAIL (every
  // frame would be refused with "hold still"), below 1.5 times that WARN.
  double warn_sharpness_factor = 1.5;
  // Frames given to the face detector (the first ones after the rate measurement).
  int face_frames = 5;
};

// What the face checks need: a detector (nullptr: the face models are not installed, the face
// checks are skipped) and the quality limits face matching uses.
struct FaceCheckTools {
  core::face::FaceDetector* detector = nullptr;
  core::face::QualityLimits limits;
};

// Opens the camera through `cameras` and runs every camera check. Never throws for camera
// trouble: a camera that is missing, busy or vanishes is a FAIL with what to do.
std::vector<CheckResult> check_camera(hal::CameraProvider& cameras, const CameraCheckSettings& settings,
                                      const FaceCheckTools& faces);

}  // namespace kiosk::core::diagnostics
