#include "core/face/face_session.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <utility>

#include "core/face/face_error.hpp"
#include "core/face/wipe.hpp"

namespace kiosk::core::face {

const char* to_string(FaceOutcome o) {
  switch (o) {
    case FaceOutcome::Matched: return "matched";
    case FaceOutcome::NotMatched: return "not-matched";
    case FaceOutcome::LivenessFailed: return "liveness-failed";
    case FaceOutcome::NoFace: return "no-face";
    case FaceOutcome::PoorQuality: return "poor-quality";
    case FaceOutcome::CameraLost: return "camera-lost";
    case FaceOutcome::Cancelled: return "cancelled";
  }
  return "unknown";
}

const char* to_string(NextStep s) {
  switch (s) {
    case NextStep::Proceed: return "proceed";
    case NextStep::RetryFace: return "retry-face";
    case NextStep::OfferPin: return "offer-pin";
  }
  return "unknown";
}

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a);
}

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

FaceSession::FaceSession(FaceVerifier& verifier, ByteView card_photo_jp2)
    : verifier_(verifier),
      card_(verifier.enroll_card_photo(card_photo_jp2)),
      card_spread_(verifier.cohort() ? verifier.cohort()->of_card(card_) : ScoreSpread{}),
      liveness_(verifier.config().liveness),
      challenge_(verifier.config().liveness),
      challenge_rng_(std::random_device{}()) {}

FaceSession::FaceSession(FaceVerifier& verifier, const cv::Mat& card_photo)
    : verifier_(verifier),
      card_(verifier.enroll_image(card_photo)),
      card_spread_(verifier.cohort() ? verifier.cohort()->of_card(card_) : ScoreSpread{}),
      liveness_(verifier.config().liveness),
      challenge_(verifier.config().liveness),
      challenge_rng_(std::random_device{}()) {}

bool FaceSession::challenging() const noexcept {
  const LivenessSettings& l = verifier_.config().liveness;
  return l.enabled && l.head_turn_challenge;
}

FaceSession::~FaceSession() {
  clear_attempt();
  try {
    verifier_.scrub();
  } catch (...) {
    // A network that fails on a blank image has nothing of the patient left to overwrite.
  }
}

const SessionPolicy& FaceSession::policy() const noexcept { return verifier_.config().policy; }

int FaceSession::attempts_left() const noexcept { return std::max(0, policy().max_attempts - attempt_); }

void FaceSession::clear_attempt() {
  liveness_.reset();
  challenge_.reset();
  wipe_memory(scores_.data(), scores_.size() * sizeof(double));
  scores_.clear();
  start_.reset();
  first_face_.reset();
  first_match_.reset();
  attempt_score_ = -1.0;
  frames_ = 0;
  usable_ = 0;
  face_seen_ = false;
  last_guidance_ = Guidance::NoFace;
  challenge_face_.reset();
}

bool FaceSession::retry() {
  if (!decision_ || decision_->next != NextStep::RetryFace) return false;
  clear_attempt();
  decision_.reset();
  ++attempt_;
  return true;
}

Decision FaceSession::decide(FaceOutcome outcome, std::string reason, Clock::time_point at) {
  Decision d;
  d.outcome = outcome;
  d.threshold = verifier_.threshold();
  d.score = std::max(0.0, attempt_score_);
  d.match = attempt_score_ >= d.threshold;
  d.liveness = liveness_.report();
  d.challenge = challenge_.state();
  if (d.challenge != ChallengeState::NotAsked) {
    d.challenge_side = challenge_.first_side();
    d.challenge_turned = challenge_.span();
    d.challenge_response = challenge_.response_time();
  }
  d.liveness_passed = d.liveness.verdict == LivenessVerdict::Live && (!challenging() || d.challenge == ChallengeState::Passed);
  d.reason = std::move(reason);
  d.attempt = attempt_;
  d.attempts_left = attempts_left();
  d.frames = frames_;
  d.usable_frames = usable_;
  if (start_) d.elapsed = ms_between(*start_, at);
  if (first_face_) d.face_to_decision = ms_between(*first_face_, at);
  switch (outcome) {
    case FaceOutcome::Matched: d.next = NextStep::Proceed; break;
    case FaceOutcome::CameraLost:
    case FaceOutcome::Cancelled:
    case FaceOutcome::NoFace:  // nobody in front of the camera: the patient may not want the face
      d.next = NextStep::OfferPin;
      break;
    case FaceOutcome::NotMatched:
    case FaceOutcome::LivenessFailed:
    case FaceOutcome::PoorQuality:
      d.next = d.attempts_left > 0 ? NextStep::RetryFace : NextStep::OfferPin;
      break;
  }
  // What the attempt leaves behind: only the decision (scores, counts, reason).
  liveness_.reset();
  challenge_.reset();
  wipe_memory(scores_.data(), scores_.size() * sizeof(double));
  scores_.clear();
  decision_ = d;
  return d;
}

Decision FaceSession::decide_timeout(Clock::time_point at) {
  const std::string budget = std::to_string(policy().attempt_budget.count()) + " ms of the first face";
  if (usable_ == 0) {
    if (!face_seen_) {
      return decide(FaceOutcome::NoFace, "no face within " + std::to_string(policy().no_face_budget.count()) + " ms", at);
    }
    return decide(FaceOutcome::PoorQuality,
                  std::string("a face but never usable within ") + budget + " (last guidance: " +
                      to_string(last_guidance_) + ")",
                  at);
  }
  if (attempt_score_ >= verifier_.threshold()) {
    const LivenessReport live = liveness_.report();
    if (challenging() && live.verdict == LivenessVerdict::Live && challenge_.state() != ChallengeState::Passed) {
      return decide(FaceOutcome::LivenessFailed, "the face matched but " + challenge_.describe() + " within " + budget, at);
    }
    return decide(FaceOutcome::LivenessFailed,
                  "the face matched but liveness did not pass within " + budget + ": " + live.reason, at);
  }
  return decide(FaceOutcome::NotMatched,
                "score " + fixed(std::max(0.0, attempt_score_)) + " below threshold " +
                    fixed(verifier_.threshold()) + " within " + budget,
                at);
}

namespace {
// A patient who answered the head-turn question holds the turn a moment and comes back.
constexpr std::chrono::milliseconds kTurnBackTime{2000};
}  // namespace

Guidance FaceSession::question_guidance() const noexcept {
  if (challenge_.state() == ChallengeState::Holding) return Guidance::HoldTurn;
  return challenge_.asked_side() == TurnSide::Left ? Guidance::TurnHeadLeft : Guidance::TurnHeadRight;
}

bool FaceSession::turned_on_request(const FrameAnalysis& a) const {
  if (!challenge_face_ || a.quality.guidance != Guidance::LookAtCamera || a.faces.empty()) return false;
  const QualityLimits& limits = verifier_.config().quality;
  if (std::abs(a.quality.roll_degrees) > limits.max_roll_degrees) return false;  // turned, not tilted
  // The same face as the last frame the question counted: about the same size, hardly moved.
  const cv::Rect2f& was = *challenge_face_;
  const cv::Rect2f& now = a.faces[static_cast<std::size_t>(a.quality.face_index)].box;
  const double ratio = now.width / std::max(1.0f, was.width);
  const double dx = (now.x + 0.5 * now.width) - (was.x + 0.5 * was.width);
  const double dy = (now.y + 0.5 * now.height) - (was.y + 0.5 * was.height);
  return ratio > 0.8 && ratio < 1.25 && std::hypot(dx, dy) < 0.2 * was.width;
}

Progress FaceSession::feed(const cv::Mat& frame, Clock::time_point timestamp) {
  Progress p;
  if (decision_) {
    p.decision = decision_;
    p.guidance = last_guidance_;
    return p;
  }
  if (!start_) start_ = timestamp;
  last_ = timestamp;
  ++frames_;
  FrameAnalysis a = verifier_.analyse(frame);
  p.quality = a.quality;
  p.guidance = a.quality.guidance;
  if (!a.faces.empty()) {
    face_seen_ = true;
    if (!first_face_) first_face_ = timestamp;
  }
  const SessionPolicy& pol = policy();
  const double threshold = verifier_.threshold();
  if (a.quality.usable && !a.embedding.empty()) {
    ++usable_;
    const ScoreCohort* cohort = verifier_.cohort();
    const double cosine = a.embedding.cosine(card_);
    const double score = cohort ? cohort->normalise(cosine, card_spread_, cohort->of_live(a.embedding)) : cosine;
    p.score = score;
    scores_.push_back(score);
    // The attempt's score: the mean over all its usable frames (not the best window: picking
    // the maximum of many noisy windows would raise the false-accept rate).
    const double mean = std::accumulate(scores_.begin(), scores_.end(), 0.0) / static_cast<double>(scores_.size());
    if (usable_ >= pol.match_frames) attempt_score_ = mean;
    // Liveness counts only frames that look like the card's person: someone moving their own
    // head and then holding up the holder's photo does not pass.
    if (score >= threshold - pol.reject_margin) {
      liveness_.observe(frame, a.faces[static_cast<std::size_t>(a.quality.face_index)]);
    }
    // The head-turn challenge is asked once the face looks like the card's person, and only
    // frames that still do count for it (a turned face scores a little lower: a wider margin).
    if (challenging() && score >= threshold - pol.challenge_identity_margin) {
      if (challenge_.state() == ChallengeState::NotAsked) {
        const LivenessSettings& l = verifier_.config().liveness;
        const TurnSide side = std::uniform_int_distribution<int>(0, 1)(challenge_rng_) == 0 ? TurnSide::Left : TurnSide::Right;
        const auto hold = std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(
            l.challenge_hold_min.count(), l.challenge_hold_max.count())(challenge_rng_));
        challenge_.ask(side, a.quality.yaw, timestamp, hold);
      } else {
        challenge_.observe(a.quality.yaw, timestamp);
      }
      challenge_face_ = a.faces[static_cast<std::size_t>(a.quality.face_index)].box;
    } else {
      challenge_face_.reset();
    }
    const bool challenge_passed = !challenging() || challenge_.state() == ChallengeState::Passed;
    const bool matched_now = usable_ >= pol.match_frames && mean >= threshold;
    if (matched_now && !first_match_) first_match_ = timestamp;
    const LivenessReport live = liveness_.report();
    if (live.verdict == LivenessVerdict::Spoof) {
      p.decision = decide(FaceOutcome::LivenessFailed, "presentation attack suspected: " + live.reason, timestamp);
    } else if (challenge_.state() == ChallengeState::Failed) {
      // Someone else's face that also failed the question is reported as what matters more.
      const bool other_person = usable_ >= pol.match_frames && mean < threshold;
      p.decision = decide(other_person ? FaceOutcome::NotMatched : FaceOutcome::LivenessFailed,
                          (other_person ? "score " + fixed(mean) + " below threshold " + fixed(threshold) + "; " : std::string()) +
                              challenge_.describe(),
                          timestamp);
    } else if (matched_now && live.verdict == LivenessVerdict::Live && challenge_passed) {
      p.decision = decide(FaceOutcome::Matched,
                          "score " + fixed(mean) + " >= threshold " + fixed(threshold) + " over " +
                              std::to_string(usable_) + " frames; " + live.reason +
                              (challenging() ? "; " + challenge_.describe() : std::string()),
                          timestamp);
    } else if (usable_ >= pol.reject_after_frames && mean < threshold - pol.reject_margin) {
      p.decision = decide(FaceOutcome::NotMatched,
                          "score " + fixed(mean) + " well below threshold " + fixed(threshold) +
                              " over " + std::to_string(usable_) + " usable frames",
                          timestamp);
    } else if (challenge_.under_way()) {
      p.guidance = question_guidance();
    } else if (first_match_ && live.verdict == LivenessVerdict::Pending &&
               timestamp - *first_match_ >= pol.turn_prompt_after) {
      p.guidance = Guidance::TurnHeadSlightly;
    }
  } else if (challenging() && challenge_.under_way() && turned_on_request(a)) {
    // Asked to turn, the patient turned further than a face can be matched at (quality.max_yaw):
    // the question counts the yaw of the face it counted last, in the same place, and the
    // patient keeps seeing the question rather than "look at the camera".
    challenge_.observe(a.quality.yaw, timestamp);
    challenge_face_ = a.faces[static_cast<std::size_t>(a.quality.face_index)].box;
    p.guidance = question_guidance();
  } else {
    challenge_face_.reset();
  }
  last_guidance_ = p.guidance;
  // The attempt's clock runs from the first face; until then, the wait for one.
  if (!p.decision) {
    bool over = first_face_ ? timestamp - *first_face_ >= pol.attempt_budget : timestamp - *start_ >= pol.no_face_budget;
    // A head-turn question under way gets its time (the patient who stepped in late).
    const LivenessSettings& l = verifier_.config().liveness;
    if (over && challenging() && challenge_.under_way() &&
        timestamp - challenge_.asked_at() <
            l.challenge_first_min + 2 * l.challenge_second_max + l.challenge_hold_max + std::chrono::seconds(1)) {
      over = false;
    }
    // And once answered, the time to turn back to the front: a face turned further than the
    // matcher takes gives no frame to decide on until then.
    if (over && challenging() && challenge_.state() == ChallengeState::Passed &&
        timestamp - (challenge_.asked_at() + challenge_.response_time()) < kTurnBackTime) {
      over = false;
    }
    if (over) p.decision = decide_timeout(timestamp);
  }
  return p;
}

Decision FaceSession::camera_lost(hal::CameraErrorKind kind, const std::string& what) {
  if (decision_) return *decision_;
  const Clock::time_point at = start_ ? last_ : Clock::now();
  Decision d = decide(FaceOutcome::CameraLost,
                      std::string("camera ") + hal::to_string(kind) + ": " + what + " (" + hal::advice(kind) + ")", at);
  d.camera_error = kind;
  decision_ = d;
  return d;
}

Decision FaceSession::cancel(const std::string& why) {
  if (decision_) return *decision_;
  return decide(FaceOutcome::Cancelled, "cancelled: " + why, start_ ? last_ : Clock::now());
}

Decision FaceSession::time_out() {
  if (decision_) return *decision_;
  return decide_timeout(start_ ? last_ : Clock::now());
}

Decision run_attempt(FaceSession& session, hal::Camera& camera, const CameraLoopOptions& options) {
  if (session.decision()) return *session.decision();
  // The time budget runs on the frames' timestamps: a camera whose timestamps stop advancing
  // while it keeps delivering frames is faulty.
  std::optional<Clock::time_point> last_timestamp;
  auto last_advance = Clock::now();
  for (;;) {
    if (options.stop.stop_requested()) return session.cancel("stop requested");
    hal::CameraFrame frame;
    try {
      frame = camera.next_frame(options.frame_timeout);
    } catch (const hal::CameraError& e) {
      return session.camera_lost(e.kind(), e.what());
    }
    if (!last_timestamp || frame.timestamp > *last_timestamp) {
      last_timestamp = frame.timestamp;
      last_advance = Clock::now();
    } else if (Clock::now() - last_advance > 2 * options.frame_timeout) {
      wipe(frame.image);
      return session.camera_lost(hal::CameraErrorKind::Internal, "the camera's frame timestamps do not advance");
    }
    Progress p;
    try {
      if (options.on_frame) options.on_frame(frame.image);
      p = session.feed(frame.image, frame.timestamp);
    } catch (...) {
      wipe(frame.image);
      throw;
    }
    wipe(frame.image);
    if (options.on_progress) options.on_progress(p);
    if (p.decision) return *p.decision;
  }
}

}  // namespace kiosk::core::face
