// Quality checks and the guidance the patient gets, on injected camera conditions.
#include <catch2/catch.hpp>

#include <map>

#include "core/face/face_verifier.hpp"
#include "sim/camera/face_scene.hpp"
#include "tests/unit/core/face/face_test_support.hpp"

using namespace kiosk;

namespace {

// The guidance given most often over a second of frames.
core::face::Guidance dominant_guidance(core::face::FaceVerifier& verifier, sim::camera::Presentation p, sim::camera::Condition c) {
  sim::camera::Scene scene(sim::camera::FaceSource::image(test::face_image("Daniel_Radcliffe", 1)), {sim::camera::Segment{p, c, 100.0}});
  std::map<core::face::Guidance, int> count;
  for (int i = 0; i < 6; ++i) {
    const core::face::FrameAnalysis a = verifier.analyse(scene.render(0.2 * i, static_cast<std::uint64_t>(i)));
    ++count[a.quality.guidance];
    if (a.quality.usable) CHECK_FALSE(a.embedding.empty());
    if (!a.quality.usable) CHECK(a.embedding.empty());
  }
  return std::max_element(count.begin(), count.end(), [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

}  // namespace

TEST_CASE("quality: each injected condition gets its guidance") {
  core::face::FaceVerifier verifier(test::test_config());
  using sim::camera::Condition;
  using sim::camera::Presentation;
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::Normal) == core::face::Guidance::Checking);
  CHECK(dominant_guidance(verifier, Presentation::Nobody, Condition::Normal) == core::face::Guidance::NoFace);
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::TwoFaces) == core::face::Guidance::OnePersonOnly);
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::TooFar) == core::face::Guidance::MoveCloser);
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::TooNear) == core::face::Guidance::MoveBack);
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::TooDark) == core::face::Guidance::MoreLight);
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::Blurred) == core::face::Guidance::HoldStill);
}

TEST_CASE("quality: guidance has patient-facing text in Japanese and English") {
  for (int g = 0; g <= static_cast<int>(core::face::Guidance::HoldTurn); ++g) {
    const auto guidance = static_cast<core::face::Guidance>(g);
    CHECK(std::string(core::face::message_ja(guidance)).size() > 0);
    CHECK(std::string(core::face::message_en(guidance)).size() > 0);
    CHECK(std::string(core::face::to_string(guidance)) != "unknown");
  }
}

TEST_CASE("quality: geometry limits") {
  core::face::QualityLimits limits;
  const cv::Mat frame(480, 640, CV_8UC3, cv::Scalar::all(128));
  core::face::DetectedFace f;
  f.box = cv::Rect2f(240, 150, 160, 200);
  f.landmarks = {cv::Point2f(290, 220), cv::Point2f(350, 220), cv::Point2f(320, 260), cv::Point2f(295, 300),
                 cv::Point2f(345, 300)};
  f.score = 0.9f;
  auto q = core::face::assess_geometry(frame, {f}, limits);
  CHECK(q.usable);
  CHECK(q.yaw == Approx(0.0).margin(1e-6));
  CHECK(q.roll_degrees == Approx(0.0).margin(1e-6));

  core::face::DetectedFace turned = f;
  turned.landmarks[2].x = 350;  // nose far to one side: the head is turned
  CHECK(core::face::assess_geometry(frame, {turned}, limits).guidance == core::face::Guidance::LookAtCamera);

  core::face::DetectedFace edge = f;
  edge.box.x = 2;
  CHECK(core::face::assess_geometry(frame, {edge}, limits).guidance == core::face::Guidance::CentreFace);

  core::face::DetectedFace small = f;
  small.box.width = 40;
  CHECK(core::face::assess_geometry(frame, {f, small}, limits).usable);  // a small face far behind is ignored
  CHECK(core::face::assess_geometry(frame, {f, f}, limits).guidance == core::face::Guidance::OnePersonOnly);
  CHECK(core::face::assess_geometry(frame, {}, limits).guidance == core::face::Guidance::NoFace);
}
