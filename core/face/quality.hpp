// Quality of a camera frame for face matching, and what to tell the patient.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "core/face/detector.hpp"
#include "core/face/face_config.hpp"

namespace kiosk::core::face {

// What the kiosk screen asks of the patient. Checking: the face is good, matching is under
// way (keep looking at the camera).
enum class Guidance {
  Checking,
  NoFace,
  OnePersonOnly,
  MoveCloser,
  MoveBack,
  CentreFace,
  LookAtCamera,
  MoreLight,
  TooBright,
  HoldStill,
  TurnHeadSlightly,
  TurnHeadLeft,   // the active challenge (head_turn_challenge.hpp): the patient's own left
  TurnHeadRight,
  HoldTurn,       // the challenge's hold between the two sides: keep the head turned
};

const char* to_string(Guidance g);  // "move-closer", ...
const char* message_ja(Guidance g);  // for the kiosk screen
const char* message_en(Guidance g);

struct QualityReport {
  Guidance guidance = Guidance::NoFace;
  bool usable = false;      // the face can be matched (and observed for liveness)
  int face_index = -1;      // the face used, in the detections; -1 when none
  double face_width = 0.0;  // face box width / frame width
  double yaw = 0.0;         // nose offset from the eye midline / eye distance (signed)
  double roll_degrees = 0.0;
  double brightness = 0.0;  // mean grey level of the face (or of the frame when no face)
  double contrast = 0.0;
  double sharpness = 0.0;   // variance of the Laplacian of the aligned face
};

// Geometry: how many faces, size, position and pose of the main (largest) one.
QualityReport assess_geometry(const cv::Mat& frame, const std::vector<DetectedFace>& faces, const QualityLimits& limits);

// Light and sharpness of the main face, from the frame and its aligned 112x112 chip; updates
// `report` (guidance and usable).
void assess_photometry(QualityReport& report, const cv::Mat& frame, const DetectedFace& face, const cv::Mat& chip,
                       const QualityLimits& limits);

}  // namespace kiosk::core::face
