// 照合番号B discipline (../shared/spec/jpki-card.md §4: its retry limit is UNCERTAIN, 10 or 3,
// and a blocked 照合番号B can only be reset at the municipal office).
//
// - The retry counter is read (VERIFY without data on EF 0012: no try spent) immediately before
//   every VERIFY with 照合番号B.
// - The last try(s) are never spent: with `reserve` = 1 the kiosk refuses to present 照合番号B
//   when 1 or fewer tries are left, and says so.
// - A wrong 照合番号B is never presented again by the same guard (one guard per card session):
//   a misread would only repeat itself, and every repetition costs a try.
#pragma once

#include <functional>
#include <string>

#include "core/card/card_face_application.hpp"

namespace kiosk::core::card {

struct CodeBPolicy {
  int reserve = 1;  // refuse when tries left <= reserve (0: only a blocked key is refused)
};

enum class CodeBStatus {
  Verified,         // the record is open
  Wrong,            // one try spent; tries_left says how many remain
  TooFewTriesLeft,  // refused before sending: tries_left <= reserve
  Blocked,          // refused before sending: no try left (municipal office)
  NotSet,           // refused before sending: the card has no 照合番号B
  WrongBefore,      // refused before sending: a wrong 照合番号B was presented in this session
  Ready,            // readiness(): a VERIFY may be sent
};
const char* to_string(CodeBStatus s);

struct CodeBOutcome {
  CodeBStatus status = CodeBStatus::Ready;
  int tries_left = -1;      // read before (refusals, Ready) or answered after (Wrong); -1 unknown
  bool try_spent = false;   // a VERIFY with 照合番号B reached the card and failed
  std::string message;      // what happened and what to do, for the journal and staff
};

class CodeBGuard {
 public:
  explicit CodeBGuard(CodeBPolicy policy = {});

  // Whether 照合番号B may be presented now, from the retry counter (no try spent). Lets the
  // caller skip scanning the card surface when it may not. The application must be selected.
  CodeBOutcome readiness(CardFaceApplication& app);
  // The counter again, then at most one VERIFY. A 照合番号B that is not 14 digits throws
  // std::invalid_argument and nothing is sent.
  CodeBOutcome verify(CardFaceApplication& app, const Secret& code_b);

  bool wrong_presented() const noexcept { return wrong_presented_; }
  const CodeBPolicy& policy() const noexcept { return policy_; }

 private:
  CodeBPolicy policy_;
  bool wrong_presented_ = false;
};

}  // namespace kiosk::core::card
