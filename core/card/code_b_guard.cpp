#include "core/card/code_b_guard.hpp"

#include <stdexcept>

namespace kiosk::core::card {

const char* to_string(CodeBStatus s) {
  switch (s) {
    case CodeBStatus::Verified: return "code-b-verified";
    case CodeBStatus::Wrong: return "code-b-wrong";
    case CodeBStatus::TooFewTriesLeft: return "code-b-too-few-tries-left";
    case CodeBStatus::Blocked: return "code-b-blocked";
    case CodeBStatus::NotSet: return "code-b-not-set";
    case CodeBStatus::WrongBefore: return "code-b-wrong-before";
    case CodeBStatus::Ready: return "code-b-ready";
  }
  return "?";
}

CodeBGuard::CodeBGuard(CodeBPolicy policy) : policy_(policy) {
  if (policy_.reserve < 0) throw std::invalid_argument("the 照合番号B reserve is 0 or more tries");
}

CodeBOutcome CodeBGuard::readiness(CardFaceApplication& app) {
  if (wrong_presented_) {
    return {CodeBStatus::WrongBefore, -1, false,
            "a wrong 照合番号B was presented to this card already; it is not tried again: use the PIN or the staff check"};
  }
  const RetryStatus r = app.code_b_status();
  switch (r.state) {
    case RetryStatus::State::Verified:
      return {CodeBStatus::Ready, -1, false, "照合番号B is already verified in this session"};
    case RetryStatus::State::Blocked:
      return {CodeBStatus::Blocked, 0, false,
              "照合番号B is blocked on this card: the holder can have it reset at the municipal office; use the PIN"};
    case RetryStatus::State::NotSet:
      return {CodeBStatus::NotSet, 0, false, "this card has no 照合番号B: the photo cannot be opened; use the PIN"};
    case RetryStatus::State::Ready:
      break;
  }
  if (r.tries_left <= policy_.reserve) {
    return {CodeBStatus::TooFewTriesLeft, r.tries_left, false,
            "only " + std::to_string(r.tries_left) + " 照合番号B tries left: the kiosk keeps them (reserve " +
                std::to_string(policy_.reserve) + "); use the PIN, or have the card checked at the municipal office"};
  }
  return {CodeBStatus::Ready, r.tries_left, false, std::to_string(r.tries_left) + " 照合番号B tries left"};
}

CodeBOutcome CodeBGuard::verify(CardFaceApplication& app, const Secret& code_b) {
  if (code_b.size() != 14 || !code_b.all_digits()) throw std::invalid_argument("照合番号B is 14 digits");
  CodeBOutcome ready = readiness(app);
  if (ready.status != CodeBStatus::Ready) return ready;
  const VerifyResult v = app.verify_code_b(code_b);
  switch (v.outcome) {
    case VerifyOutcome::Verified:
      return {CodeBStatus::Verified, v.tries_left, false, "照合番号B verified"};
    case VerifyOutcome::Blocked:
      wrong_presented_ = true;
      return {CodeBStatus::Wrong, 0, true,
              "照合番号B did not match and is now blocked: the municipal office can reset it; use the PIN"};
    case VerifyOutcome::Wrong:
      break;
  }
  wrong_presented_ = true;
  return {CodeBStatus::Wrong, v.tries_left, true,
          "照合番号B did not match (" + (v.tries_left >= 0 ? std::to_string(v.tries_left) : std::string("?")) +
              " tries left); it is not tried again: use the PIN or the staff check"};
}

}  // namespace kiosk::core::card
