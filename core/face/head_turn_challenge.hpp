// The active liveness challenge of a face attempt: "turn your head to your left", then "now to
// your right" (or the other way round: the first side is chosen at random).
//
// Passive liveness (liveness.hpp) stops what is flat (photos, screens with visible artefacts),
// but a replay on a high-density screen held so that its bezel is out of view shows a real
// head with real parallax and no visible pixel grid. The recording does not follow the
// questions: it sways as it was recorded. The challenge passes when the face first moves
// toward the side asked first and then swings to the other side by more than a natural sway
// spans (challenge_span, from the furthest yaw seen toward the first side).
//
// Order and timing: the first turn is measured from the yaw at the question, and a face that
// turns the other way first (challenge_wrong_way) fails the challenge: a recording moves
// whichever way it was recorded, so one that sways widely still gets the first side wrong
// about one time in two. The second side is asked only once the face has turned toward the
// first side and the patient has had challenge_first_min to react and turn. The second turn
// must come within challenge_second_max, else the challenge fails (landmark noise cannot add
// up over a long attempt). A failed challenge ends the attempt; the next attempt asks anew.
//
// Why two turns and a span: a person's rest pose is not known (a face's own asymmetry and the
// camera's angle offset the yaw by as much as a sway), so a single turn measured from the pose
// at the question could be matched by a recording caught at one end of its sway. The span
// between the two sides needs no rest pose.
//
// Yaw is QualityReport::yaw: the nose's offset from the eye midline along the eye line, in eye
// distances, in the camera's (unmirrored) image. A patient who turns to their own left shows
// the camera the right side of the face: the nose moves to the image's right, yaw > 0. Yaw is
// taken as the median of the last three frames (landmark noise).
//
// What it does not stop: a live attacker steering a replay or a 3-D mask in real time, or a
// recording of wide head turns whose first swing happens to go the asked way (about one in
// two); docs/face-authentication.md says what needs IR or depth hardware.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/face/face_config.hpp"

namespace kiosk::core::face {

enum class TurnSide { Left, Right };  // the patient's own left and right

const char* to_string(TurnSide side);  // "left", "right"
TurnSide other(TurnSide side);

enum class ChallengeState {
  NotAsked,
  FirstTurn,   // asked to turn to the first side
  SecondTurn,  // turned that way; asked to turn to the other side
  Passed,
  Failed,      // turned the other way first, or no second turn in time
};

const char* to_string(ChallengeState state);

class HeadTurnChallenge {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HeadTurnChallenge(const LivenessSettings& settings);

  // Asks for a turn to `first`, then (once seen) to the other side; `yaw_now` is the face's yaw
  // at the question.
  void ask(TurnSide first, double yaw_now, Clock::time_point at);
  // One frame of the challenged face (a usable frame that looks like the card's person).
  ChallengeState observe(double yaw, Clock::time_point at);
  void reset();

  ChallengeState state() const noexcept { return state_; }
  // Asked and not decided yet, and when it was asked.
  bool under_way() const noexcept { return state_ == ChallengeState::FirstTurn || state_ == ChallengeState::SecondTurn; }
  Clock::time_point asked_at() const noexcept { return asked_at_; }
  TurnSide first_side() const noexcept { return first_; }
  // The side asked now (the first side, then the other).
  TurnSide asked_side() const noexcept { return state_ == ChallengeState::FirstTurn ? first_ : other(first_); }
  // The largest swing seen from the first side's furthest yaw toward the other side (yaw units).
  double span() const noexcept { return best_span_; }
  // From the question to the pass (or the failure).
  std::chrono::milliseconds response_time() const noexcept { return response_; }
  std::string describe() const;  // for Decision::reason (numbers only)

 private:
  double smoothed(double yaw);

  LivenessSettings settings_;
  ChallengeState state_ = ChallengeState::NotAsked;
  TurnSide first_ = TurnSide::Left;
  double start_ = 0.0;    // yaw toward the first side at the question
  double extreme_ = 0.0;  // furthest yaw seen toward the first side
  double best_span_ = 0.0;
  Clock::time_point asked_at_{};   // the first question
  Clock::time_point second_at_{};  // the second question
  bool wrong_way_ = false;
  bool too_slow_ = false;
  int run_ = 0;  // consecutive frames past the mark of the current turn
  std::vector<double> recent_;  // the last three yaw values
  std::chrono::milliseconds response_{0};
};

}  // namespace kiosk::core::face
