// The active liveness challenge of a face attempt: "turn your head to your left", "hold it
// there", then "now to your right" (or the other way round: the first side is chosen at
// random, and so is how long the turn is held).
//
// Passive liveness (liveness.hpp) stops what is flat (photos, screens with visible artefacts),
// but a replay on a high-density screen held so that its bezel is out of view shows a real
// head with real parallax and no visible pixel grid. The recording does not follow the
// questions: it sways as it was recorded. The challenge passes when the face first moves
// toward the side asked first and then swings over to the other side, by more than a natural
// sway does in the same time (challenge_span within challenge_span_window).
//
// Order and timing: the first turn is measured from the lowest yaw toward the first side seen
// since the question (a patient caught at one end of a sway first settles, then turns), and a
// face that turns the other way first (challenge_wrong_way, from the yaw at the question)
// fails the challenge: a recording moves whichever way it was recorded. The second side is
// asked only once the face has turned toward the first side and the patient has had
// challenge_first_min to react and turn, the head has been seen still there, and a random
// hold time has passed (see "The hold" below). The second turn must come within
// challenge_second_max, else the challenge fails (landmark noise cannot add up over a long
// attempt). A failed challenge ends the attempt; the next attempt asks anew.
//
// Why a swing within a window: a person's rest pose is not known (a face's own asymmetry and
// the camera's angle offset the yaw by as much as a sway), so the second turn is measured
// from the furthest yaw toward the first side, not from a rest pose. And a natural sway
// crosses the same yaw range as a deliberate turn when given long enough: a head turned on
// request sweeps its range in about half a second, a sway (about 2 s a cycle) covers less than
// half of its own in that time. So the span counts only from the furthest yaw within the last
// challenge_span_window. On the simulator's heads a turn of +-24 degrees spans 0.17-1.34 and
// a sway of +-9 degrees 0.05-0.20, depending on the face: the magnitude alone does not
// separate the two; with the speed it does.
//
// The hold: a recording that sways, however far, is still only at the ends of its swings and
// then comes straight back; a person told to hold a turn keeps it until told otherwise. So once
// the first turn is seen, the head must come to rest (yaw range within challenge_still_window
// at most challenge_still of the first turn), stay there for a random time in
// [challenge_hold_min, challenge_hold_max], and not come back (by more than challenge_hold_drop
// of the first turn) before the second question or within challenge_reaction_min after it.
// Both tolerances scale with the first turn (faces differ fivefold in yaw per degree) and are
// at least challenge_hold_floor. The random time spreads the moment of the second question,
// but only over 0.8 s: a recording made to pause longer than any hold still answers it often.
//
// Yaw is QualityReport::yaw: the nose's offset from the eye midline along the eye line, in eye
// distances, in the camera's (unmirrored) image. A patient who turns to their own left shows
// the camera the right side of the face: the nose moves to the image's right, yaw > 0. Yaw is
// taken as the median of the last three frames (landmark noise).
//
// What it does not stop: a live attacker steering a replay or a 3-D mask in real time, or a
// recording made to turn and pause whose pauses happen to end when the second question comes;
// docs/face-authentication.md says what needs IR or depth hardware. What it asks of patients: a
// turn to each side, held still for a moment in between, the second turn within about half a
// second (a patient who turns very slowly, or turns back before being asked, fails the
// question and is asked again in the next attempt, then offered the PIN).
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/face/face_config.hpp"

namespace kiosk::core::face {

enum class TurnSide { Left, Right };  // the patient's own left and right

const char* to_string(TurnSide side);  // "left", "right"
TurnSide other(TurnSide side);

enum class ChallengeState {
  NotAsked,
  FirstTurn,   // asked to turn to the first side
  Holding,     // turned that way; asked to hold it there until the other side is asked
  SecondTurn,  // held; asked to turn to the other side
  Passed,
  Failed,      // turned the other way first, came back before asked, or no second turn in time
};

const char* to_string(ChallengeState state);

class HeadTurnChallenge {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HeadTurnChallenge(const LivenessSettings& settings);

  // Asks for a turn to `first`, then (once seen) to hold it for `hold` after the head is seen
  // still, then to turn to the other side; `yaw_now` is the face's yaw at the question. A
  // `hold` of zero asks the other side as soon as the first turn is seen.
  void ask(TurnSide first, double yaw_now, Clock::time_point at, std::chrono::milliseconds hold = {});
  // One frame of the challenged face (a usable frame that looks like the card's person).
  ChallengeState observe(double yaw, Clock::time_point at);
  void reset();

  ChallengeState state() const noexcept { return state_; }
  // Asked and not decided yet, and when it was asked.
  bool under_way() const noexcept {
    return state_ == ChallengeState::FirstTurn || state_ == ChallengeState::Holding || state_ == ChallengeState::SecondTurn;
  }
  Clock::time_point asked_at() const noexcept { return asked_at_; }
  TurnSide first_side() const noexcept { return first_; }
  // The side asked now (the first side, held, then the other).
  TurnSide asked_side() const noexcept {
    return state_ == ChallengeState::FirstTurn || state_ == ChallengeState::Holding ? first_ : other(first_);
  }
  // The largest swing seen toward the other side from the furthest yaw toward the first side
  // within challenge_span_window before it (yaw units).
  double span() const noexcept { return best_span_; }
  // From the question to the pass (or the failure).
  std::chrono::milliseconds response_time() const noexcept { return response_; }
  std::string describe() const;  // for Decision::reason (numbers only)

 private:
  double smoothed(double yaw);
  double first_turn() const noexcept { return hold_peak_ - lowest_; }
  double tolerance(double share) const noexcept;
  bool came_back(double toward) const noexcept;

  LivenessSettings settings_;
  ChallengeState state_ = ChallengeState::NotAsked;
  TurnSide first_ = TurnSide::Left;
  double start_ = 0.0;    // yaw toward the first side at the question
  double lowest_ = 0.0;   // the least yaw toward the first side since the question
  double best_first_ = 0.0;  // the largest turn toward the first side from its lowest point
  double best_span_ = 0.0;
  Clock::time_point asked_at_{};   // the first question
  Clock::time_point second_at_{};  // the second question
  std::chrono::milliseconds hold_{0};  // drawn by the caller per question
  Clock::time_point turned_at_{};   // the first turn seen
  std::optional<Clock::time_point> still_since_;  // the head seen still after the first turn
  double hold_peak_ = 0.0;  // the furthest yaw toward the first side since the question
  double worst_drop_ = 0.0;  // how far it came back while it was to hold
  double still_range_ = 0.0;  // the yaw range within challenge_still_window when last measured
  std::deque<std::pair<Clock::time_point, double>> still_;  // smoothed yaw within challenge_still_window
  bool wrong_way_ = false;
  bool came_back_ = false;
  bool not_still_ = false;
  bool too_slow_ = false;
  int run_ = 0;  // consecutive frames past the mark of the current turn
  double run_extreme_ = 0.0;  // the second turn's furthest yaw toward the first side when its run began
  std::vector<double> recent_;  // the last three yaw values
  std::deque<std::pair<Clock::time_point, double>> window_;  // smoothed yaw within challenge_span_window
  std::chrono::milliseconds response_{0};
};

}  // namespace kiosk::core::face
