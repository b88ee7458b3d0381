// VERIFY against a key's reference data (a PIN, a password, 照合番号B), and the retry counter
// query that spends no try (VERIFY without data -> 63 Cx).
#pragma once

#include <cstdint>

#include "core/card/card_session.hpp"
#include "core/card/secret.hpp"

namespace kiosk::core::card {

struct RetryStatus {
  enum class State {
    Ready,     // tries_left > 0
    Verified,  // some cards answer 90 00 to the query once verified (tries_left unknown: -1)
    Blocked,   // 63 C0 / 69 83: only the municipal office can unlock it
    NotSet,    // 69 84 to the query: no reference data (a PIN-less face-only card)
  };
  State state = State::Ready;
  int tries_left = -1;
};

enum class VerifyOutcome { Verified, Wrong, Blocked };

struct VerifyResult {
  VerifyOutcome outcome = VerifyOutcome::Wrong;
  int tries_left = -1;  // after this attempt; -1 when the card did not say
};

// Reads the retry counter of `key_fid` in the current application without spending a try.
RetryStatus query_retries(CardSession& session, std::uint16_t key_fid);

// Presents `secret` to `key_fid`. The caller checks the format first: every call here is one
// try on the card. Throws CardProtocolError on answers that are neither success nor failure.
VerifyResult verify_reference_data(CardSession& session, std::uint16_t key_fid, const Secret& secret);

}  // namespace kiosk::core::card
