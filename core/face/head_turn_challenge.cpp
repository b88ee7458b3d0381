#include "core/face/head_turn_challenge.hpp"

#include <algorithm>
#include <cstdio>

namespace kiosk::core::face {

const char* to_string(TurnSide side) { return side == TurnSide::Left ? "left" : "right"; }

TurnSide other(TurnSide side) { return side == TurnSide::Left ? TurnSide::Right : TurnSide::Left; }

const char* to_string(ChallengeState state) {
  switch (state) {
    case ChallengeState::NotAsked: return "not-asked";
    case ChallengeState::FirstTurn: return "first-turn";
    case ChallengeState::Holding: return "holding";
    case ChallengeState::SecondTurn: return "second-turn";
    case ChallengeState::Passed: return "passed";
    case ChallengeState::Failed: return "failed";
  }
  return "unknown";
}

HeadTurnChallenge::HeadTurnChallenge(const LivenessSettings& settings) : settings_(settings) {}

void HeadTurnChallenge::ask(TurnSide first, double yaw_now, Clock::time_point at, std::chrono::milliseconds hold) {
  reset();
  state_ = ChallengeState::FirstTurn;
  first_ = first;
  hold_ = std::max(std::chrono::milliseconds{0}, hold);
  // The patient's left is the image's right (yaw > 0) for an unmirrored camera: everything is
  // measured toward the first side.
  const double toward = first == TurnSide::Left ? yaw_now : -yaw_now;
  recent_.push_back(toward);
  start_ = toward;
  lowest_ = toward;
  window_.emplace_back(at, toward);
  asked_at_ = at;
}

double HeadTurnChallenge::smoothed(double toward) {
  recent_.push_back(toward);
  if (recent_.size() > 3) recent_.erase(recent_.begin());
  std::vector<double> sorted = recent_;
  std::sort(sorted.begin(), sorted.end());
  return sorted[sorted.size() / 2];
}

double HeadTurnChallenge::tolerance(double share) const noexcept {
  return std::max(settings_.challenge_hold_floor, share * first_turn());
}

bool HeadTurnChallenge::came_back(double toward) const noexcept {
  return hold_peak_ - toward > tolerance(settings_.challenge_hold_drop);
}

ChallengeState HeadTurnChallenge::observe(double yaw, Clock::time_point at) {
  if (!under_way()) return state_;
  const auto fail = [&](bool& why) {
    why = true;
    state_ = ChallengeState::Failed;
    response_ = std::chrono::duration_cast<std::chrono::milliseconds>(at - asked_at_);
    return state_;
  };
  if (state_ == ChallengeState::SecondTurn && at - second_at_ > settings_.challenge_second_max) return fail(too_slow_);
  const double toward = smoothed(first_ == TurnSide::Left ? yaw : -yaw);
  window_.emplace_back(at, toward);
  while (at - window_.front().first > settings_.challenge_span_window) window_.pop_front();
  if (state_ == ChallengeState::FirstTurn) {
    if (start_ - toward >= settings_.challenge_wrong_way) return fail(wrong_way_);
    lowest_ = std::min(lowest_, toward);
    best_first_ = std::max(best_first_, toward - lowest_);
    if (toward - lowest_ >= settings_.challenge_first_turn && at - asked_at_ >= settings_.challenge_first_min) {
      if (++run_ >= settings_.challenge_turn_frames) {
        run_ = 0;
        turned_at_ = at;
        hold_peak_ = toward;
        if (hold_.count() > 0) {
          state_ = ChallengeState::Holding;
          still_.emplace_back(at, toward);
        } else {
          state_ = ChallengeState::SecondTurn;
          second_at_ = at;
        }
      }
    } else {
      run_ = 0;
    }
    return state_;
  }
  if (state_ == ChallengeState::Holding) {
    hold_peak_ = std::max(hold_peak_, toward);
    worst_drop_ = std::max(worst_drop_, hold_peak_ - toward);
    if (came_back(toward)) return fail(came_back_);
    still_.emplace_back(at, toward);
    while (at - still_.front().first > settings_.challenge_still_window) still_.pop_front();
    if (!still_since_) {
      // Still: at least three values over at least half the window, within the tolerance.
      const auto [lo, hi] = std::minmax_element(still_.begin(), still_.end(),
                                                [](const auto& a, const auto& b) { return a.second < b.second; });
      still_range_ = hi->second - lo->second;
      const bool covered = still_.size() >= 3 && 2 * (at - still_.front().first) >= settings_.challenge_still_window;
      if (covered && still_range_ <= tolerance(settings_.challenge_still)) still_since_ = at;
    }
    if (still_since_ && at - *still_since_ >= hold_) {
      state_ = ChallengeState::SecondTurn;
      second_at_ = at;
    } else if (!still_since_ && at - turned_at_ > settings_.challenge_second_max) {
      return fail(not_still_);
    }
    return state_;
  }
  // Nobody reads the second question and starts to turn within challenge_reaction_min.
  if (hold_.count() > 0 && at - second_at_ <= settings_.challenge_reaction_min) {
    worst_drop_ = std::max(worst_drop_, hold_peak_ - toward);
    if (came_back(toward)) return fail(came_back_);
  }
  double recent_extreme = toward;
  for (const auto& sample : window_) recent_extreme = std::max(recent_extreme, sample.second);
  // Frames after the first one past the mark are held to the same mark: a face turned far
  // enough that some frames in between were not counted has no earlier yaw left in the window.
  if (run_ > 0) recent_extreme = std::max(recent_extreme, run_extreme_);
  const double span = recent_extreme - toward;
  best_span_ = std::max(best_span_, span);
  if (span >= settings_.challenge_span) {
    if (run_ == 0) run_extreme_ = recent_extreme;
    if (++run_ >= settings_.challenge_turn_frames) {
      state_ = ChallengeState::Passed;
      response_ = std::chrono::duration_cast<std::chrono::milliseconds>(at - asked_at_);
    }
  } else {
    run_ = 0;
  }
  return state_;
}

void HeadTurnChallenge::reset() {
  state_ = ChallengeState::NotAsked;
  start_ = 0.0;
  lowest_ = 0.0;
  best_first_ = 0.0;
  hold_ = std::chrono::milliseconds{0};
  turned_at_ = {};
  still_since_.reset();
  hold_peak_ = 0.0;
  worst_drop_ = 0.0;
  still_range_ = 0.0;
  still_.clear();
  wrong_way_ = false;
  came_back_ = false;
  not_still_ = false;
  too_slow_ = false;
  best_span_ = 0.0;
  run_ = 0;
  run_extreme_ = 0.0;
  recent_.clear();
  window_.clear();
  response_ = std::chrono::milliseconds{0};
}

std::string HeadTurnChallenge::describe() const {
  char buf[256];
  switch (state_) {
    case ChallengeState::NotAsked: return "head turn not asked";
    case ChallengeState::FirstTurn:
      std::snprintf(buf, sizeof buf, "no turn to the %s seen (moved %.2f of %.2f that way)", to_string(first_),
                    best_first_, settings_.challenge_first_turn);
      return buf;
    case ChallengeState::Holding:
      std::snprintf(buf, sizeof buf, "turned to the %s, %s (hold %lld ms)", to_string(first_),
                    still_since_ ? "holding still" : "not yet still", static_cast<long long>(hold_.count()));
      return buf;
    case ChallengeState::SecondTurn:
      std::snprintf(buf, sizeof buf, "turned to the %s, but no turn to the %s seen (span %.2f of %.2f within %lld ms)",
                    to_string(first_), to_string(other(first_)), best_span_, settings_.challenge_span,
                    static_cast<long long>(settings_.challenge_span_window.count()));
      return buf;
    case ChallengeState::Passed:
      if (hold_.count() > 0) {
        std::snprintf(buf, sizeof buf, "head turned %s, held (%lld ms, back by at most %.2f of %.2f), then %s (span %.2f) within %lld ms",
                      to_string(first_), static_cast<long long>(hold_.count()), worst_drop_,
                      tolerance(settings_.challenge_hold_drop), to_string(other(first_)), best_span_,
                      static_cast<long long>(response_.count()));
      } else {
        std::snprintf(buf, sizeof buf, "head turned %s then %s (span %.2f) within %lld ms", to_string(first_),
                      to_string(other(first_)), best_span_, static_cast<long long>(response_.count()));
      }
      return buf;
    case ChallengeState::Failed:
      if (came_back_) {
        std::snprintf(buf, sizeof buf,
                      "turned to the %s, but came back by %.2f (of %.2f allowed) before being asked to turn to the %s",
                      to_string(first_), worst_drop_, tolerance(settings_.challenge_hold_drop), to_string(other(first_)));
      } else if (not_still_) {
        std::snprintf(buf, sizeof buf, "turned to the %s, but the head did not hold still within %lld ms (range %.2f of %.2f)",
                      to_string(first_), static_cast<long long>(settings_.challenge_second_max.count()), still_range_,
                      tolerance(settings_.challenge_still));
      } else if (wrong_way_) {
        std::snprintf(buf, sizeof buf, "asked to turn to the %s, the face turned the other way after %lld ms", to_string(first_),
                      static_cast<long long>(response_.count()));
      } else {
        std::snprintf(buf, sizeof buf, "turned to the %s, but no turn to the %s within %lld ms (span %.2f of %.2f within %lld ms)",
                      to_string(first_), to_string(other(first_)),
                      static_cast<long long>(settings_.challenge_second_max.count()), best_span_, settings_.challenge_span,
                      static_cast<long long>(settings_.challenge_span_window.count()));
      }
      return buf;
  }
  return "unknown";
}

}  // namespace kiosk::core::face
