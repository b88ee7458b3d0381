// Quality checks and the guidance the patient gets, on injected camera conditions.
#include <catch2/catch.hpp>

#include <map>

#include "core/face/face_verifier.hpp"
#include "sim/camera/face_scene.hpp"
#include "tests/unit/face/face_test_support.hpp"

using namespace kiosk;

namespace {

// The guidance given most often over a second of frames.
face::Guidance dominant_guidance(face::FaceVerifier& verifier, sim::Presentation p, sim::Condition c) {
  sim::Scene scene(sim::FaceSource::image(test::face_image("Daniel_Radcliffe", 1)), {sim::Segment{p, c, 100.0}});
  std::map<face::Guidance, int> count;
  for (int i = 0; i < 6; ++i) {
    const face::FrameAnalysis a = verifier.analyse(scene.render(0.2 * i, static_cast<std::uint64_t>(i)));
    ++count[a.quality.guidance];
    if (a.quality.usable) CHECK_FALSE(a.embedding.empty());
    if (!a.quality.usable) CHECK(a.embedding.empty());
  }
  return std::max_element(count.begin(), count.end(), [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

}  // namespace

TEST_CASE("quality: each injected condition gets its guidance") {
  face::FaceVerifier verifier(test::test_config());
  using sim::Condition;
  using sim::Presentation;
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::Normal) == face::Guidance::Checking);
  CHECK(dominant_guidance(verifier, Presentation::Nobody, Condition::Normal) == face::Guidance::NoFace);
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::TwoFaces) == face::Guidance::OnePersonOnly);
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::TooFar) == face::Guidance::MoveCloser);
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::TooNear) == face::Guidance::MoveBack);
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::TooDark) == face::Guidance::MoreLight);
  CHECK(dominant_guidance(verifier, Presentation::Live, Condition::Blurred) == face::Guidance::HoldStill);
}

TEST_CASE("quality: guidance has patient-facing text in Japanese and English") {
  for (int g = 0; g <= static_cast<int>(face::Guidance::TurnHeadSlightly); ++g) {
    const auto guidance = static_cast<face::Guidance>(g);
    CHECK(std::string(face::message_ja(guidance)).size() > 0);
    CHECK(std::string(face::message_en(guidance)).size() > 0);
    CHECK(std::string(face::to_string(guidance)) != "unknown");
  }
}

TEST_CASE("quality: geometry limits") {
  face::QualityLimits limits;
  const cv::Mat frame(480, 640, CV_8UC3, cv::Scalar::all(128));
  face::DetectedFace f;
  f.box = cv::Rect2f(240, 150, 160, 200);
  f.landmarks = {cv::Point2f(290, 220), cv::Point2f(350, 220), cv::Point2f(320, 260), cv::Point2f(295, 300),
                 cv::Point2f(345, 300)};
  f.score = 0.9f;
  auto q = face::assess_geometry(frame, {f}, limits);
  CHECK(q.usable);
  CHECK(q.yaw == Approx(0.0).margin(1e-6));
  CHECK(q.roll_degrees == Approx(0.0).margin(1e-6));

  face::DetectedFace turned = f;
  turned.landmarks[2].x = 350;  // nose far to one side: the head is turned
  CHECK(face::assess_geometry(frame, {turned}, limits).guidance == face::Guidance::LookAtCamera);

  face::DetectedFace edge = f;
  edge.box.x = 2;
  CHECK(face::assess_geometry(frame, {edge}, limits).guidance == face::Guidance::CentreFace);

  face::DetectedFace small = f;
  small.box.width = 40;
  CHECK(face::assess_geometry(frame, {f, small}, limits).usable);  // a small face far behind is ignored
  CHECK(face::assess_geometry(frame, {f, f}, limits).guidance == face::Guidance::OnePersonOnly);
  CHECK(face::assess_geometry(frame, {}, limits).guidance == face::Guidance::NoFace);
}
