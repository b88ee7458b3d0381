// One face authentication of one patient: the card photo against live camera frames.
//
//   core::face::FaceVerifier verifier(config);                      // once, at start-up
//   ...
//   core::face::FaceSession session(verifier, card_face.photo_jp2);  // per reception (throws FaceError)
//   core::face::Decision d = core::face::run_attempt(session, camera, {.on_progress = show_guidance});
//   while (d.next == core::face::NextStep::RetryFace && session.retry()) d = core::face::run_attempt(session, camera, ...);
//   if (d.authenticated()) ...; else offer the PIN (and staff visual check when it is on)
//
// Or feed frames yourself: session.feed(frame, timestamp) until Progress::decision is set.
//
// An attempt ends with a Decision: matched (the face matches the card photo AND liveness
// passed), or why not, and the next step (retry the face or offer the PIN). Attempts are
// limited (SessionPolicy::max_attempts); a lost camera offers the PIN at once.
//
// Privacy: the session keeps no frame. It keeps the card photo's embedding, per-frame scores
// and landmark positions in memory only and wipes them when the attempt or the session ends;
// the destructor also overwrites the networks' buffers. Decision::reason carries no image data.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/face/face_verifier.hpp"
#include "core/face/head_turn_challenge.hpp"
#include "core/face/liveness.hpp"
#include "core/face/quality.hpp"
#include "hal/bytes.hpp"
#include "hal/camera.hpp"

namespace kiosk::core::face {

enum class FaceOutcome {
  Matched,         // same person as the card photo, liveness passed
  NotMatched,      // a usable face, but not the card photo's person (score below threshold)
  LivenessFailed,  // the face matched or might have, but liveness did not pass (artefact or no 3-D movement)
  NoFace,          // no face seen within the time budget
  PoorQuality,     // a face was seen but never good enough to match (too far, dark, blurred, ...)
  CameraLost,      // the camera vanished or stalled
  Cancelled,       // the reception stopped the attempt (card removed, patient chose the PIN)
};

const char* to_string(FaceOutcome o);

enum class NextStep {
  Proceed,    // authenticated
  RetryFace,  // another face attempt is allowed (the screen may also offer the PIN)
  OfferPin,   // no more face attempts: PIN (and staff visual check when it is switched on)
};

const char* to_string(NextStep s);

struct Decision {
  FaceOutcome outcome = FaceOutcome::NoFace;
  bool match = false;            // the attempt's score reached the threshold
  double score = 0.0;            // the attempt's score: mean cosine over its usable frames
  double threshold = 0.0;
  bool liveness_passed = false;  // passive liveness, and the head-turn challenge when it is on
  // The head-turn challenge (liveness.head_turn_challenge): its state at the decision, the side
  // asked first, the largest swing from that side to the other (yaw units) and how long the
  // patient took from the question to the second turn.
  ChallengeState challenge = ChallengeState::NotAsked;
  std::optional<TurnSide> challenge_side;
  double challenge_turned = 0.0;
  std::chrono::milliseconds challenge_response{0};
  std::string reason;            // for the journal and the technician; no personal data
  NextStep next = NextStep::OfferPin;
  int attempt = 1;               // 1-based number of this attempt
  int attempts_left = 0;
  std::optional<hal::CameraErrorKind> camera_error;  // for CameraLost
  std::chrono::milliseconds elapsed{0};               // attempt start (first frame) to decision
  std::optional<std::chrono::milliseconds> face_to_decision;  // first frame with a face to decision
  int frames = 0;                // frames fed in this attempt
  int usable_frames = 0;
  LivenessReport liveness;

  bool authenticated() const noexcept { return outcome == FaceOutcome::Matched; }
};

// After each frame: what to show, and the decision once the attempt is decided.
struct Progress {
  Guidance guidance = Guidance::NoFace;
  QualityReport quality;
  std::optional<double> score;        // this frame's cosine, when the face was usable
  std::optional<Decision> decision;   // set when the attempt ended with this frame
};

class FaceSession {
 public:
  // Enrols the card photo. Throws FaceError(CardPhotoUnreadable / CardPhotoNoFace): the
  // reception then offers the PIN (and staff visual check).
  FaceSession(FaceVerifier& verifier, ByteView card_photo_jp2);
  // For an already decoded photo (tools and tests).
  FaceSession(FaceVerifier& verifier, const cv::Mat& card_photo);
  ~FaceSession();  // wipes, and scrubs the verifier's buffers
  FaceSession(const FaceSession&) = delete;
  FaceSession& operator=(const FaceSession&) = delete;

  // One camera frame with its capture time. The first frame of an attempt starts its clock;
  // the time budget runs on these timestamps. Once decided, further frames change nothing.
  Progress feed(const cv::Mat& frame, std::chrono::steady_clock::time_point timestamp);

  // Ends the attempt because the camera is gone: CameraLost, the PIN is offered.
  Decision camera_lost(hal::CameraErrorKind kind, const std::string& what);
  // Ends the attempt on the reception's request (card removed, patient chose the PIN).
  Decision cancel(const std::string& why);
  // Ends the attempt as if its time budget had run out (an outside timer).
  Decision time_out();

  // Starts the next attempt after a RetryFace decision. False (nothing changes) when the last
  // decision does not allow it.
  bool retry();

  const std::optional<Decision>& decision() const noexcept { return decision_; }
  int attempts_used() const noexcept { return attempt_; }
  int attempts_left() const noexcept;
  const SessionPolicy& policy() const noexcept;
  // The head-turn challenge's sides are drawn from std::random_device; tools and tests that
  // need the same sides run after run seed them here.
  void set_challenge_seed(std::uint32_t seed) { challenge_rng_.seed(seed); }

 private:
  Decision decide(FaceOutcome outcome, std::string reason, std::chrono::steady_clock::time_point at);
  Decision decide_timeout(std::chrono::steady_clock::time_point at);
  void clear_attempt();
  bool challenging() const noexcept;
  // A frame whose face is only too turned to be matched, in the place of the face the head-turn
  // question counted last (see challenge_face_).
  bool turned_on_request(const FrameAnalysis& a) const;
  // What the screen shows while the head-turn question is under way: the side asked now.
  Guidance question_guidance() const noexcept;

  FaceVerifier& verifier_;
  Embedding card_;
  ScoreSpread card_spread_;  // the card photo against the score cohort (when there is one)
  LivenessAnalyzer liveness_;
  HeadTurnChallenge challenge_;
  std::mt19937 challenge_rng_;
  int attempt_ = 1;
  std::optional<Decision> decision_;
  // The attempt under way.
  std::optional<std::chrono::steady_clock::time_point> start_;
  std::optional<std::chrono::steady_clock::time_point> first_face_;
  std::optional<std::chrono::steady_clock::time_point> first_match_;
  std::chrono::steady_clock::time_point last_;
  std::vector<double> scores_;
  double attempt_score_ = -1.0;  // mean over the usable frames, once there are match_frames
  int frames_ = 0;
  int usable_ = 0;
  bool face_seen_ = false;
  Guidance last_guidance_ = Guidance::NoFace;
  // Where the face the head-turn question last counted was: a face turned past the matching
  // limit on request still counts while it stays in that place frame after frame.
  std::optional<cv::Rect2f> challenge_face_;
};

struct CameraLoopOptions {
  // Called after every frame (show Progress::guidance on the screen).
  std::function<void(const Progress&)> on_progress;
  // Called with every frame before it is wiped (the patient's live view on the screen); the
  // frame must not be kept.
  std::function<void(const cv::Mat&)> on_frame;
  // Stop the attempt from another thread (card removed): the decision is Cancelled.
  std::stop_token stop;
  // A camera that delivers no frame for this long is treated as lost.
  std::chrono::milliseconds frame_timeout{2000};
};

// Runs the session's current attempt on frames pulled from `camera` until it is decided:
// a match, a mismatch, the time budget, the camera failing (typed CameraLost, never an
// exception) or a stop request. Every frame is wiped after use.
Decision run_attempt(FaceSession& session, hal::Camera& camera, const CameraLoopOptions& options = {});

}  // namespace kiosk::core::face
