// A PIN reception on a text terminal: waits for a card, checks it, takes the patient's PIN,
// has the card sign a challenge and checks the signature, asks for the card to be removed.
// The reception state machine with face, consent and the eligibility query replaces this
// when those arrive; the card logic it calls (core/verification) stays.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <iosfwd>
#include <string>

#include "core/crypto/trust_store.hpp"
#include "core/crypto/validation.hpp"
#include "hal/card_reader.hpp"
#include "hal/clock.hpp"

namespace kiosk::firmware {

struct ReceptionConfig {
  std::string reader;  // empty: any reader
  std::chrono::milliseconds card_wait{std::chrono::minutes(10)};
  std::chrono::milliseconds removal_wait{std::chrono::minutes(2)};
  crypto::ValidationPolicy certificate_policy{90, 90, false};  // warn 3 months ahead, 3 months grace
  // Called when the patient is asked to take the card (the simulator's patient does so).
  std::function<void()> on_take_card;
};

enum class ReceptionOutcome {
  Authenticated, NoCard, NotMyNumberCard, Unreadable, CertificateRejected, PinLocked, PinNotSet,
  Cancelled, CardRemoved, ReaderProblem
};

const char* to_string(ReceptionOutcome outcome);

class TerminalReception {
 public:
  TerminalReception(hal::CardReaderService& readers, hal::Clock& clock, const crypto::TrustStore& trust,
                    ReceptionConfig config, std::FILE* pin_input, std::ostream& out);

  // Serves one patient: card placed -> ... -> card removed. Never throws for card problems.
  ReceptionOutcome serve_one();

 private:
  ReceptionOutcome run_with_card(const std::string& reader);

  hal::CardReaderService& readers_;
  hal::Clock& clock_;
  const crypto::TrustStore& trust_;
  ReceptionConfig config_;
  std::FILE* pin_input_;
  std::ostream& out_;
};

}  // namespace kiosk::firmware
