#include "core/face/quality.hpp"

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/face/wipe.hpp"

namespace kiosk::core::face {

const char* to_string(Guidance g) {
  switch (g) {
    case Guidance::Checking: return "checking";
    case Guidance::NoFace: return "no-face";
    case Guidance::OnePersonOnly: return "one-person-only";
    case Guidance::MoveCloser: return "move-closer";
    case Guidance::MoveBack: return "move-back";
    case Guidance::CentreFace: return "centre-face";
    case Guidance::LookAtCamera: return "look-at-camera";
    case Guidance::MoreLight: return "more-light";
    case Guidance::TooBright: return "too-bright";
    case Guidance::HoldStill: return "hold-still";
    case Guidance::TurnHeadSlightly: return "turn-head-slightly";
    case Guidance::TurnHeadLeft: return "turn-head-left";
    case Guidance::TurnHeadRight: return "turn-head-right";
    case Guidance::HoldTurn: return "hold-turn";
  }
  return "unknown";
}

const char* message_ja(Guidance g) {
  switch (g) {
    case Guidance::Checking: return "そのままカメラを見てください";
    case Guidance::NoFace: return "枠の中に顔を入れて、カメラを見てください";
    case Guidance::OnePersonOnly: return "お一人ずつカメラの前に立ってください";
    case Guidance::MoveCloser: return "もう少しカメラに近づいてください";
    case Guidance::MoveBack: return "もう少しカメラから離れてください";
    case Guidance::CentreFace: return "顔を枠の中央に合わせてください";
    case Guidance::LookAtCamera: return "正面を向いて、カメラを見てください";
    case Guidance::MoreLight: return "顔が暗く写っています。明るい位置に立つか、職員にお声がけください";
    case Guidance::TooBright: return "顔が明るすぎます。強い光が当たらない位置に立ってください";
    case Guidance::HoldStill: return "顔が揺れています。少しの間動かないでください";
    case Guidance::TurnHeadSlightly: return "ゆっくり顔を少し左右に動かしてください";
    case Guidance::TurnHeadLeft: return "ゆっくり顔を左に向けてください";
    case Guidance::TurnHeadRight: return "ゆっくり顔を右に向けてください";
    case Guidance::HoldTurn: return "顔をそのまま動かさずにお待ちください";
  }
  return "";
}

const char* message_en(Guidance g) {
  switch (g) {
    case Guidance::Checking: return "Keep looking at the camera";
    case Guidance::NoFace: return "Place your face in the frame and look at the camera";
    case Guidance::OnePersonOnly: return "One person at a time in front of the camera, please";
    case Guidance::MoveCloser: return "Please come a little closer to the camera";
    case Guidance::MoveBack: return "Please move back a little from the camera";
    case Guidance::CentreFace: return "Please centre your face in the frame";
    case Guidance::LookAtCamera: return "Please face the camera and look straight at it";
    case Guidance::MoreLight: return "Your face is too dark: stand in a brighter place or ask the staff";
    case Guidance::TooBright: return "Your face is too bright: avoid strong direct light";
    case Guidance::HoldStill: return "Please hold still for a moment";
    case Guidance::TurnHeadSlightly: return "Please turn your head slowly a little to the left and right";
    case Guidance::TurnHeadLeft: return "Please slowly turn your head to your left";
    case Guidance::TurnHeadRight: return "Please slowly turn your head to your right";
    case Guidance::HoldTurn: return "Hold your head there until the next instruction";
  }
  return "";
}

namespace {

cv::Rect clamp_box(const cv::Rect2f& box, const cv::Size& size) {
  const cv::Rect r(cv::Point(static_cast<int>(std::floor(box.x)), static_cast<int>(std::floor(box.y))),
                   cv::Point(static_cast<int>(std::ceil(box.x + box.width)), static_cast<int>(std::ceil(box.y + box.height))));
  return r & cv::Rect(cv::Point(0, 0), size);
}

void to_grey(const cv::Mat& src, cv::Mat& dst) {
  if (src.channels() == 3) {
    cv::cvtColor(src, dst, cv::COLOR_BGR2GRAY);
  } else {
    src.copyTo(dst);
  }
}

}  // namespace

QualityReport assess_geometry(const cv::Mat& frame, const std::vector<DetectedFace>& faces, const QualityLimits& limits) {
  QualityReport q;
  if (faces.empty()) {
    cv::Mat grey;
    to_grey(frame, grey);
    q.brightness = cv::mean(grey)[0];
    wipe(grey);
    // A face YuNet cannot see in a dark frame: ask for light rather than for a face.
    q.guidance = q.brightness < limits.min_brightness * 0.6 ? Guidance::MoreLight : Guidance::NoFace;
    return q;
  }
  q.face_index = 0;  // detections come largest first
  const DetectedFace& f = faces.front();
  const double width = frame.cols;
  const double height = frame.rows;
  q.face_width = f.box.width / width;
  const cv::Point2f eye_line = f.landmarks[1] - f.landmarks[0];
  const double iod = std::max(1e-3, static_cast<double>(std::hypot(eye_line.x, eye_line.y)));
  q.roll_degrees = std::atan2(eye_line.y, eye_line.x) * 180.0 / CV_PI;
  const cv::Point2f nose_offset = f.landmarks[2] - f.eye_centre();
  q.yaw = (nose_offset.x * eye_line.x + nose_offset.y * eye_line.y) / (iod * iod);

  for (std::size_t i = 1; i < faces.size(); ++i) {
    if (faces[i].box.width >= f.box.width * limits.second_face_ratio) {
      q.guidance = Guidance::OnePersonOnly;
      return q;
    }
  }
  if (q.face_width < limits.min_face_width) {
    q.guidance = Guidance::MoveCloser;
    return q;
  }
  if (q.face_width > limits.max_face_width) {
    q.guidance = Guidance::MoveBack;
    return q;
  }
  const double mx = limits.edge_margin * width;
  const double my = limits.edge_margin * height;
  if (f.box.x < mx || f.box.y < my || f.box.x + f.box.width > width - mx || f.box.y + f.box.height > height - my) {
    q.guidance = Guidance::CentreFace;
    return q;
  }
  if (std::abs(q.yaw) > limits.max_yaw || std::abs(q.roll_degrees) > limits.max_roll_degrees) {
    q.guidance = Guidance::LookAtCamera;
    return q;
  }
  q.guidance = Guidance::Checking;
  q.usable = true;
  return q;
}

void assess_photometry(QualityReport& q, const cv::Mat& frame, const DetectedFace& face, const cv::Mat& chip,
                       const QualityLimits& limits) {
  const cv::Rect box = clamp_box(face.box, frame.size());
  cv::Mat grey;
  if (box.area() > 0) {
    to_grey(frame(box), grey);
    cv::Scalar mean;
    cv::Scalar stddev;
    cv::meanStdDev(grey, mean, stddev);
    q.brightness = mean[0];
    q.contrast = stddev[0];
    wipe(grey);
  }
  if (!chip.empty()) {
    cv::Mat chip_grey;
    to_grey(chip, chip_grey);
    cv::Mat lap;
    cv::Laplacian(chip_grey, lap, CV_32F);
    cv::Scalar mean;
    cv::Scalar stddev;
    cv::meanStdDev(lap, mean, stddev);
    q.sharpness = stddev[0] * stddev[0];
    wipe(chip_grey);
    wipe(lap);
  }
  if (!q.usable) return;
  if (q.brightness < limits.min_brightness || q.contrast < limits.min_contrast) {
    q.guidance = Guidance::MoreLight;
    q.usable = false;
  } else if (q.brightness > limits.max_brightness) {
    q.guidance = Guidance::TooBright;
    q.usable = false;
  } else if (chip.empty() || q.sharpness < limits.min_sharpness) {
    q.guidance = Guidance::HoldStill;
    q.usable = false;
  }
}

}  // namespace kiosk::core::face
