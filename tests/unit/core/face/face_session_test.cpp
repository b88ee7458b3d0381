// Whole face sessions: the card photo against the virtual camera, through run_attempt().
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>
#include <unistd.h>

#include "core/face/face_error.hpp"
#include "core/face/face_session.hpp"
#include "sim/camera/face_scene.hpp"
#include "sim/camera/virtual_camera.hpp"
#include "sim/card/card_factory.hpp"
#include "tests/unit/core/face/face_test_support.hpp"

using namespace kiosk;
using core::face::FaceOutcome;
using core::face::NextStep;

namespace {

const std::string kHolder = "Daniel_Radcliffe";
const std::string kOther = "Christian_Slater";

// The holder's card photo: image 0 through the card factory (greyscale, margin, JPEG 2000).
Bytes holder_card_photo() { return sim::card::make_card_photo_jp2(test::face_image(kHolder, 0)); }

sim::camera::VirtualCamera camera(const std::filesystem::path& shown, sim::camera::Presentation p, sim::camera::Condition c = sim::camera::Condition::Normal,
                          std::uint32_t seed = 1) {
  sim::camera::SceneSettings s;
  s.fps = 10.0;
  s.seed = seed;
  return sim::camera::VirtualCamera(sim::camera::Scene(sim::camera::FaceSource::image(shown), {sim::camera::Segment{p, c, 100.0}}, s));
}

// The holder presented as `p`, the head swaying by +-`yaw_degrees`, on a screen of `density`
// screen pixels per camera pixel (screen replays).
sim::camera::VirtualCamera holder_swaying(sim::camera::Presentation p, double yaw_degrees, double density = 2.3) {
  sim::camera::SceneSettings s;
  s.fps = 10.0;
  s.yaw_degrees = yaw_degrees;
  s.screen_density = density;
  return sim::camera::VirtualCamera(sim::camera::Scene(sim::camera::FaceSource::image(test::face_image(kHolder, 1)),
                                                       {sim::camera::Segment{p, sim::camera::Condition::Normal, 100.0}}, s));
}

// The person before the camera reads the screen: asked to turn the head, they turn it (a live
// person does; the scene ignores the request for a recording or a photo).
void follow_turns(sim::camera::VirtualCamera& cam, const core::face::Progress& p) {
  cam.read_guidance(core::face::to_string(p.guidance));
}

// Follows the turns; with `shown`, also keeps every guidance the screen showed.
core::face::CameraLoopOptions following(sim::camera::VirtualCamera& cam, std::vector<core::face::Guidance>* shown = nullptr) {
  core::face::CameraLoopOptions options;
  options.on_progress = [&cam, shown](const core::face::Progress& p) {
    if (shown) shown->push_back(p.guidance);
    follow_turns(cam, p);
  };
  return options;
}

}  // namespace

TEST_CASE("face session: the card holder in front of the camera is accepted once the head turns the asked way") {
  core::face::FaceVerifier verifier(test::test_config());
  REQUIRE(verifier.config().liveness.head_turn_challenge);  // on by default
  const std::uint32_t seed = GENERATE(1u, 2u, 3u, 4u);      // both sides get asked
  core::face::FaceSession session(verifier, holder_card_photo());
  session.set_challenge_seed(seed);
  auto cam = camera(test::face_image(kHolder, 1), sim::camera::Presentation::Live);
  std::vector<core::face::Guidance> shown;
  const core::face::Decision d = core::face::run_attempt(session, cam, following(cam, &shown));
  INFO(d.reason);
  CHECK(d.outcome == FaceOutcome::Matched);
  CHECK(d.authenticated());
  CHECK(d.next == NextStep::Proceed);
  CHECK(d.match);
  CHECK(d.liveness_passed);
  CHECK(d.score >= d.threshold);
  CHECK(d.threshold == Approx(verifier.threshold()));
  CHECK(d.challenge == core::face::ChallengeState::Passed);
  REQUIRE(d.challenge_side.has_value());
  CHECK(d.challenge_turned >= verifier.config().liveness.challenge_span);
  const bool left_first = *d.challenge_side == core::face::TurnSide::Left;
  const auto first = left_first ? core::face::Guidance::TurnHeadLeft : core::face::Guidance::TurnHeadRight;
  const auto second = left_first ? core::face::Guidance::TurnHeadRight : core::face::Guidance::TurnHeadLeft;
  const auto first_shown = std::find(shown.begin(), shown.end(), first);
  REQUIRE(first_shown != shown.end());
  CHECK(std::find(first_shown, shown.end(), second) != shown.end());  // then the other side
  REQUIRE(d.face_to_decision.has_value());
  // Simulated time, 10 fps: the question at once, the person's reactions (0.4-0.8 s) and turns,
  // and the hold in between (0.4-1.0 s once the head is still).
  CHECK(d.face_to_decision->count() <= 4000);
  // Between the two sides the patient was asked to hold the turn.
  const auto hold_shown = std::find(first_shown, shown.end(), core::face::Guidance::HoldTurn);
  CHECK(hold_shown != shown.end());
  CHECK(std::find(hold_shown, shown.end(), second) != shown.end());
  CHECK(d.challenge_response.count() >= 300);
  CHECK(d.usable_frames >= 3);
  CHECK(static_cast<int>(shown.size()) == d.frames);
}

TEST_CASE("face session: a patient who turns further than a face can be matched at still answers the question") {
  auto config = test::test_config();
  // Faces turned by more than 0.10 are not matched, so every frame of the turns is one the
  // matcher refuses: only the face followed from the frame before counts for the question.
  config.quality.max_yaw = 0.10;
  // The tests' attempt budget (3 s) runs out while the patient still holds the turn: the
  // attempt waits for them to turn back.
  core::face::FaceVerifier verifier(config);
  const std::uint32_t seed = GENERATE(1u, 2u);
  core::face::FaceSession session(verifier, holder_card_photo());
  session.set_challenge_seed(seed);
  sim::camera::SceneSettings s;
  s.fps = 10.0;
  s.yaw_degrees = 2.0;     // a calm patient, frontal between the turns
  s.turn_degrees = 30.0;   // who turns well past the matching limit
  sim::camera::VirtualCamera cam(sim::camera::Scene(sim::camera::FaceSource::image(test::face_image(kHolder, 1)), {}, s));
  std::vector<core::face::Guidance> shown;
  const core::face::Decision d = core::face::run_attempt(session, cam, following(cam, &shown));
  std::string guidance;
  for (const auto g : shown) guidance += std::string(core::face::to_string(g)) + " ";
  INFO(d.reason << "; challenge " << core::face::to_string(d.challenge) << "; guidance " << guidance);
  CHECK(d.outcome == FaceOutcome::Matched);
  CHECK(d.challenge == core::face::ChallengeState::Passed);
  CHECK(d.challenge_turned >= verifier.config().liveness.challenge_span);
  // While the question is under way the patient sees it, never "look at the camera" (after it,
  // turned away, they do: that brings them back to the front for the decision).
  const auto asking = [](core::face::Guidance g) {
    return g == core::face::Guidance::TurnHeadLeft || g == core::face::Guidance::TurnHeadRight ||
           g == core::face::Guidance::HoldTurn;
  };
  const auto asked = std::find_if(shown.begin(), shown.end(), asking);
  REQUIRE(asked != shown.end());
  const auto last_asked = std::find_if(shown.rbegin(), shown.rend(), asking).base();
  CHECK(std::find(asked, last_asked, core::face::Guidance::LookAtCamera) == last_asked);
}

TEST_CASE("face session: a patient who turns and comes straight back, not holding the turn, fails the question") {
  core::face::FaceVerifier verifier(test::test_config());
  core::face::FaceSession session(verifier, holder_card_photo());
  session.set_challenge_seed(2);
  sim::camera::SceneSettings s;
  s.fps = 10.0;
  s.turn_hold = 0.2;  // turns, and is back to the front 0.6 s later
  sim::camera::VirtualCamera cam(sim::camera::Scene(sim::camera::FaceSource::image(test::face_image(kHolder, 1)), {}, s));
  // Reads the questions to turn but not the one to hold.
  core::face::CameraLoopOptions options;
  options.on_progress = [&cam](const core::face::Progress& p) {
    if (p.guidance != core::face::Guidance::HoldTurn) follow_turns(cam, p);
  };
  const core::face::Decision d = core::face::run_attempt(session, cam, options);
  INFO(d.reason);
  CHECK(d.outcome == FaceOutcome::LivenessFailed);
  CHECK(d.match);
  CHECK(d.challenge == core::face::ChallengeState::Failed);
  CHECK(d.reason.find("came back") != std::string::npos);
  CHECK(d.next == NextStep::RetryFace);
}

TEST_CASE("face session: both sides are asked, at random") {
  core::face::FaceVerifier verifier(test::test_config());
  int left = 0;
  int right = 0;
  for (std::uint32_t seed = 1; seed <= 6; ++seed) {
    core::face::FaceSession session(verifier, holder_card_photo());
    session.set_challenge_seed(seed);
    auto cam = camera(test::face_image(kHolder, 1), sim::camera::Presentation::Live, sim::camera::Condition::Normal, seed);
    const core::face::Decision d = core::face::run_attempt(session, cam, following(cam));
    INFO(d.reason);
    CHECK(d.authenticated());
    REQUIRE(d.challenge_side.has_value());
    (*d.challenge_side == core::face::TurnSide::Left ? left : right) += 1;
  }
  CHECK(left > 0);
  CHECK(right > 0);
}

TEST_CASE("face session: a patient who does not turn the head is not accepted, and the next attempt asks again") {
  core::face::FaceVerifier verifier(test::test_config());
  core::face::FaceSession session(verifier, holder_card_photo());
  session.set_challenge_seed(5);
  // Someone who stands fairly still (+-5 degrees) and ignores the question: nobody relays it.
  auto cam = holder_swaying(sim::camera::Presentation::Live, 5.0);
  const core::face::Decision d1 = core::face::run_attempt(session, cam);
  INFO(d1.reason);
  CHECK(d1.outcome == FaceOutcome::LivenessFailed);
  CHECK(d1.match);
  CHECK(d1.challenge != core::face::ChallengeState::Passed);
  CHECK_FALSE(d1.liveness_passed);
  CHECK((d1.reason.find("turn") != std::string::npos || d1.reason.find("liveness") != std::string::npos));
  CHECK(d1.next == NextStep::RetryFace);
  REQUIRE(session.retry());
  auto again = camera(test::face_image(kHolder, 1), sim::camera::Presentation::Live, sim::camera::Condition::Normal, 2);
  const core::face::Decision d2 = core::face::run_attempt(session, again, following(again));
  INFO(d2.reason);
  CHECK(d2.authenticated());
  CHECK(d2.attempt == 2);
}

TEST_CASE("face session: a replay on a high-density screen passes the passive cues but not the head-turn challenge") {
  core::face::FaceVerifier verifier(test::test_config());
  core::face::FaceSession session(verifier, holder_card_photo());
  session.set_challenge_seed(3);
  // A current tablet (5 screen pixels per camera pixel: no visible pixel grid) held close (no
  // bezel), playing a recording of the holder moving the head by +-7 degrees: real parallax, but
  // a swing short of the question's span (a recording of wider movements passes at times:
  // face-eval attacks).
  auto cam = holder_swaying(sim::camera::Presentation::CloseScreenReplay, 7.0, 5.0);
  const core::face::Decision d = core::face::run_attempt(session, cam, following(cam));  // the recording cannot follow
  INFO(d.reason);
  CHECK(d.outcome == FaceOutcome::LivenessFailed);
  CHECK_FALSE(d.authenticated());
  CHECK(d.match);
  CHECK(d.liveness.verdict == core::face::LivenessVerdict::Live);  // the passive cues let it through
  CHECK(d.challenge != core::face::ChallengeState::Passed);
  CHECK(d.challenge_turned < verifier.config().liveness.challenge_span);
}

TEST_CASE("face session: someone else is rejected, and after the last attempt the PIN is offered") {
  auto config = test::test_config();
  config.policy.max_attempts = 2;
  core::face::FaceVerifier verifier(config);
  core::face::FaceSession session(verifier, holder_card_photo());
  auto first = camera(test::face_image(kOther, 1), sim::camera::Presentation::Live);
  const core::face::Decision d1 = core::face::run_attempt(session, first);
  INFO(d1.reason);
  CHECK(d1.outcome == FaceOutcome::NotMatched);
  CHECK_FALSE(d1.match);
  CHECK(d1.score < d1.threshold);
  CHECK(d1.next == NextStep::RetryFace);
  CHECK(d1.attempt == 1);
  CHECK(d1.attempts_left == 1);
  REQUIRE(session.retry());
  auto second = camera(test::face_image(kOther, 2), sim::camera::Presentation::Live, sim::camera::Condition::Normal, 2);
  const core::face::Decision d2 = core::face::run_attempt(session, second);
  CHECK(d2.outcome == FaceOutcome::NotMatched);
  CHECK(d2.attempt == 2);
  CHECK(d2.attempts_left == 0);
  CHECK(d2.next == NextStep::OfferPin);
  CHECK_FALSE(session.retry());
}

TEST_CASE("face session: nobody in front of the camera: time-out, the PIN is offered") {
  core::face::FaceVerifier verifier(test::test_config());
  core::face::FaceSession session(verifier, holder_card_photo());
  auto cam = camera(test::face_image(kHolder, 1), sim::camera::Presentation::Nobody);
  const core::face::Decision d = core::face::run_attempt(session, cam);
  CHECK(d.outcome == FaceOutcome::NoFace);
  CHECK(d.next == NextStep::OfferPin);
  CHECK_FALSE(d.match);
  CHECK(d.usable_frames == 0);
  CHECK(d.elapsed >= verifier.config().policy.no_face_budget);
  CHECK_FALSE(d.face_to_decision.has_value());
}

TEST_CASE("face session: a patient who steps in late gets the whole attempt, counted from the first face") {
  core::face::FaceVerifier verifier(test::test_config());
  const auto budget = verifier.config().policy.attempt_budget;
  core::face::FaceSession session(verifier, holder_card_photo());
  sim::camera::SceneSettings settings;
  settings.fps = 10.0;
  // Nobody for most of the attempt's budget, then the holder.
  const double late = 0.8 * std::chrono::duration<double>(budget).count();
  sim::camera::VirtualCamera cam(sim::camera::Scene(
      sim::camera::FaceSource::image(test::face_image(kHolder, 1)),
      {sim::camera::Segment{sim::camera::Presentation::Nobody, sim::camera::Condition::Normal, late},
       sim::camera::Segment{sim::camera::Presentation::Live, sim::camera::Condition::Normal, 100.0}},
      settings));
  const core::face::Decision d = core::face::run_attempt(session, cam, following(cam));
  INFO(d.reason);
  CHECK(d.outcome == FaceOutcome::Matched);
  CHECK(d.elapsed > std::chrono::milliseconds(static_cast<long>(late * 1000)));
  REQUIRE(d.face_to_decision.has_value());
  // The attempt ran past its budget counted from its start: the clock started with the face.
  CHECK(d.elapsed > budget);
  CHECK(d.elapsed - *d.face_to_decision >= std::chrono::milliseconds(static_cast<long>(late * 1000)));
}

TEST_CASE("face session: a printed photo of the holder is rejected") {
  core::face::FaceVerifier verifier(test::test_config());
  const auto presentation = GENERATE(sim::camera::Presentation::PrintedPhoto, sim::camera::Presentation::LifeSizePhoto);
  INFO(sim::camera::to_string(presentation));
  core::face::FaceSession session(verifier, holder_card_photo());
  auto cam = camera(test::face_image(kHolder, 1), presentation);
  const core::face::Decision d = core::face::run_attempt(session, cam);
  INFO(d.reason);
  CHECK(d.outcome == FaceOutcome::LivenessFailed);
  CHECK_FALSE(d.authenticated());
  CHECK(d.match);  // it is the holder's face: only liveness stops it
  CHECK_FALSE(d.liveness_passed);
  CHECK(d.liveness.parallax < verifier.config().liveness.min_parallax);
  CHECK(d.next == NextStep::RetryFace);
}

TEST_CASE("face session: a screen replay of the holder with the tablet in view is rejected") {
  core::face::FaceVerifier verifier(test::test_config());
  core::face::FaceSession session(verifier, holder_card_photo());
  auto cam = camera(test::face_image(kHolder, 1), sim::camera::Presentation::ScreenReplay);
  const core::face::Decision d = core::face::run_attempt(session, cam);
  INFO(d.reason);
  CHECK(d.outcome == FaceOutcome::LivenessFailed);
  CHECK_FALSE(d.authenticated());
  CHECK(d.liveness.verdict == core::face::LivenessVerdict::Spoof);
}

TEST_CASE("face session: the camera vanishing mid-session is a typed outcome and offers the PIN") {
  core::face::FaceVerifier verifier(test::test_config());
  SECTION("unplugged") {
    core::face::FaceSession session(verifier, holder_card_photo());
    auto cam = camera(test::face_image(kHolder, 1), sim::camera::Presentation::Live);
    cam.scene().vanish_after(0.15);
    const core::face::Decision d = core::face::run_attempt(session, cam);
    CHECK(d.outcome == FaceOutcome::CameraLost);
    REQUIRE(d.camera_error.has_value());
    CHECK(*d.camera_error == hal::CameraErrorKind::Disconnected);
    CHECK(d.next == NextStep::OfferPin);
    CHECK(d.frames == 2);
    CHECK_FALSE(session.retry());
    // The camera stays gone.
    CHECK_THROWS_AS(cam.next_frame(std::chrono::milliseconds(100)), hal::CameraError);
  }
  SECTION("stalled") {
    core::face::FaceSession session(verifier, holder_card_photo());
    auto cam = camera(test::face_image(kHolder, 1), sim::camera::Presentation::Live);
    cam.scene().stall_after(0.15);
    const core::face::Decision d = core::face::run_attempt(session, cam);
    CHECK(d.outcome == FaceOutcome::CameraLost);
    REQUIRE(d.camera_error.has_value());
    CHECK(*d.camera_error == hal::CameraErrorKind::Timeout);
    CHECK(d.next == NextStep::OfferPin);
  }
}

TEST_CASE("face session: a stop request cancels the attempt") {
  core::face::FaceVerifier verifier(test::test_config());
  core::face::FaceSession session(verifier, holder_card_photo());
  auto cam = camera(test::face_image(kHolder, 1), sim::camera::Presentation::Nobody);
  std::stop_source stop;
  core::face::CameraLoopOptions options;
  options.stop = stop.get_token();
  int frames = 0;
  options.on_progress = [&](const core::face::Progress&) {
    if (++frames == 3) stop.request_stop();
  };
  const core::face::Decision d = core::face::run_attempt(session, cam, options);
  CHECK(d.outcome == FaceOutcome::Cancelled);
  CHECK(d.frames == 3);
  CHECK(d.next == NextStep::OfferPin);
}

TEST_CASE("face session: frames fed by hand, the time budget runs on frame timestamps") {
  core::face::FaceVerifier verifier(test::test_config());
  core::face::FaceSession session(verifier, holder_card_photo());
  sim::camera::Scene scene(sim::camera::FaceSource::image(test::face_image(kHolder, 1)), {sim::camera::Segment{sim::camera::Presentation::Nobody}});
  const auto t0 = std::chrono::steady_clock::now();
  const core::face::Progress p1 = session.feed(scene.render(0.0, 0), t0);
  CHECK_FALSE(p1.decision.has_value());
  CHECK(p1.guidance == core::face::Guidance::NoFace);
  const core::face::Progress p2 = session.feed(scene.render(0.1, 1), t0 + std::chrono::milliseconds(2999));
  CHECK_FALSE(p2.decision.has_value());
  const core::face::Progress p3 = session.feed(scene.render(0.2, 2), t0 + std::chrono::milliseconds(3000));
  REQUIRE(p3.decision.has_value());
  CHECK(p3.decision->outcome == FaceOutcome::NoFace);
  CHECK(p3.decision->elapsed == std::chrono::milliseconds(3000));
  // Decided: more frames change nothing.
  const core::face::Progress p4 = session.feed(scene.render(0.3, 3), t0 + std::chrono::milliseconds(3100));
  REQUIRE(p4.decision.has_value());
  CHECK(p4.decision->frames == 3);
}

TEST_CASE("face session: a patient who keeps perfectly still is asked to turn the head, else liveness fails") {
  auto config = test::test_config();
  config.liveness.head_turn_challenge = false;  // the passive prompt (with the challenge: the question is the prompt)
  core::face::FaceVerifier verifier(config);
  core::face::FaceSession session(verifier, holder_card_photo());
  sim::camera::SceneSettings s;
  s.fps = 10.0;
  s.yaw_degrees = 0.0;  // the head moves sideways and breathes, but never turns or nods
  s.pitch_degrees = 0.0;
  sim::camera::VirtualCamera cam(sim::camera::Scene(sim::camera::FaceSource::image(test::face_image(kHolder, 1)), {}, s));
  bool asked = false;
  core::face::CameraLoopOptions options;
  options.on_progress = [&](const core::face::Progress& p) { asked = asked || p.guidance == core::face::Guidance::TurnHeadSlightly; };
  const core::face::Decision d = core::face::run_attempt(session, cam, options);
  INFO(d.reason);
  CHECK(asked);
  CHECK(d.outcome == FaceOutcome::LivenessFailed);
  CHECK(d.match);
  CHECK(d.liveness.verdict == core::face::LivenessVerdict::Pending);
  CHECK(d.next == NextStep::RetryFace);
}

namespace {

// A faulty camera: frames keep coming, their timestamps never advance.
class FrozenClockCamera final : public hal::Camera {
 public:
  explicit FrozenClockCamera(sim::camera::Scene scene) : scene_(std::move(scene)) {}
  const hal::CameraInfo& info() const override { return info_; }
  hal::CameraFrame next_frame(std::chrono::milliseconds) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return {scene_.render(0.0, ++n_), frozen_, n_};
  }

 private:
  sim::camera::Scene scene_;
  hal::CameraInfo info_{"frozen", {}};
  std::chrono::steady_clock::time_point frozen_ = std::chrono::steady_clock::now();
  std::uint64_t n_ = 0;
};

}  // namespace

TEST_CASE("face session: a camera whose timestamps stop advancing is a lost camera") {
  core::face::FaceVerifier verifier(test::test_config());
  core::face::FaceSession session(verifier, holder_card_photo());
  FrozenClockCamera cam(sim::camera::Scene(sim::camera::FaceSource::image(test::face_image(kHolder, 1)),
                                   {sim::camera::Segment{sim::camera::Presentation::Nobody}}));
  core::face::CameraLoopOptions options;
  options.frame_timeout = std::chrono::milliseconds(100);
  const core::face::Decision d = core::face::run_attempt(session, cam, options);
  CHECK(d.outcome == FaceOutcome::CameraLost);
  REQUIRE(d.camera_error.has_value());
  CHECK(*d.camera_error == hal::CameraErrorKind::Internal);
  CHECK(d.next == NextStep::OfferPin);
}

namespace {

// A small score cohort of people who are neither the holder nor the other: their first three
// images as card photos (card factory) and as still camera frames.
std::filesystem::path write_test_cohort(core::face::FaceVerifier& verifier, const std::filesystem::path& file) {
  std::vector<core::face::Embedding> card_side;
  std::vector<core::face::Embedding> camera_side;
  std::vector<int> identity;
  int person = 0;
  for (const std::string name : {"Amaury_Nolasco", "Annie_Ilonzeh", "Ashley_Jones", "Candace_Cameron_Bure", "Charlie_Sheen",
                                 "Chris_Kattan", "Courteney_Cox", "David_Wenham"}) {
    for (std::size_t k = 0; k < 3; ++k) {
      const auto image = test::face_image(name, k);
      card_side.push_back(verifier.enroll_card_photo(sim::card::make_card_photo_jp2(image)));
      sim::camera::SceneSettings s;
      s.yaw_degrees = 0.0;
      s.pitch_degrees = 0.0;
      const cv::Mat frame = sim::camera::Scene(sim::camera::FaceSource::image(image), {sim::camera::Segment{}}, s).render(0.0, 0);
      const core::face::FrameAnalysis a = verifier.analyse(frame);
      REQUIRE_FALSE(a.faces.empty());
      camera_side.push_back(verifier.embed_face(frame, a.faces.front()));
      identity.push_back(person);
    }
    ++person;
  }
  core::face::ScoreCohort::of_faces(card_side, camera_side, identity).save(file);
  return file;
}

}  // namespace

TEST_CASE("face session: with a score cohort, scores are normalised: the holder is accepted, someone else is not") {
  const auto file = std::filesystem::temp_directory_path() / ("kiosk-session-cohort-" + std::to_string(::getpid()) + ".yml.gz");
  {
    core::face::FaceVerifier plain(test::test_config());
    CHECK(plain.cohort() == nullptr);
    CHECK(plain.threshold() == Approx(plain.config().recognizer.threshold));
    write_test_cohort(plain, file);
  }
  auto config = test::test_config();
  config.recognizer.cohort = file;
  core::face::FaceVerifier verifier(config);
  REQUIRE(verifier.cohort() != nullptr);
  CHECK(verifier.cohort()->faces() == 24);
  CHECK(verifier.threshold() == Approx(config.recognizer.cohort_threshold));
  {
    core::face::FaceSession session(verifier, holder_card_photo());
    session.set_challenge_seed(1);
    auto cam = camera(test::face_image(kHolder, 1), sim::camera::Presentation::Live);
    const core::face::Decision d = core::face::run_attempt(session, cam, following(cam));
    INFO(d.reason);
    CHECK(d.outcome == FaceOutcome::Matched);
    CHECK(d.threshold == Approx(config.recognizer.cohort_threshold));
    CHECK(d.score >= d.threshold);
  }
  {
    core::face::FaceSession session(verifier, holder_card_photo());
    auto cam = camera(test::face_image(kOther, 1), sim::camera::Presentation::Live);
    const core::face::Decision d = core::face::run_attempt(session, cam);
    INFO(d.reason);
    CHECK(d.outcome == FaceOutcome::NotMatched);
    CHECK(d.score < d.threshold);
  }
  std::filesystem::remove(file);
  // A configured cohort that is not there stops the verifier with the file named.
  config.recognizer.cohort = file;
  try {
    core::face::FaceVerifier missing(config);
    FAIL("a missing cohort was accepted");
  } catch (const core::face::FaceError& e) {
    CHECK(e.kind() == core::face::FaceErrorKind::ModelMissing);
    CHECK_THAT(e.what(), Catch::Contains(file.string()));
  }
}
