// Errors of the card protocol layer: the card answered, but not as a My Number card should.
// Reader-level problems (card removed, reader gone) are hal::CardError and pass through as is.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace kiosk::core::card {

enum class CardFailure {
  NotMyNumberCard,    // no JPKI application: another card (【002】)
  Unreadable,         // responses that cannot be understood: truncated, wrong status (【001】)
  MalformedData,      // a file whose content or length is inconsistent (【001】)
  FileNotFound,       // a file the card should have is missing
  SecurityStatusNotSatisfied,  // the card wants a PIN first (a kiosk bug if it happens)
  PinBlocked,         // the PIN is locked: municipal office
  PinNotSet,          // a PIN-less (face-only) card: no PIN authentication possible
  NotSupported,       // the card lacks an application the operation needs (e.g. smartphone JPKI)
  Forbidden,          // the kiosk refused to send a command it must never send
};

constexpr const char* to_string(CardFailure f) {
  switch (f) {
    case CardFailure::NotMyNumberCard: return "not-my-number-card";
    case CardFailure::Unreadable: return "unreadable";
    case CardFailure::MalformedData: return "malformed-data";
    case CardFailure::FileNotFound: return "file-not-found";
    case CardFailure::SecurityStatusNotSatisfied: return "security-status-not-satisfied";
    case CardFailure::PinBlocked: return "pin-blocked";
    case CardFailure::PinNotSet: return "pin-not-set";
    case CardFailure::NotSupported: return "not-supported";
    case CardFailure::Forbidden: return "forbidden";
  }
  return "unknown";
}

class CardProtocolError : public std::runtime_error {
 public:
  CardProtocolError(CardFailure failure, const std::string& what, std::optional<std::uint16_t> status_word = {})
      : std::runtime_error(what), failure_(failure), status_word_(status_word) {}

  CardFailure failure() const noexcept { return failure_; }
  std::optional<std::uint16_t> status_word() const noexcept { return status_word_; }

  // Whether placing the card again may help (a bad read), or not (wrong card, locked PIN).
  bool retryable() const noexcept {
    return failure_ == CardFailure::Unreadable || failure_ == CardFailure::MalformedData;
  }
  // The reception message code patients see (docs/reception-rules.md §3).
  const char* message_code() const noexcept {
    switch (failure_) {
      case CardFailure::NotMyNumberCard: return "002";
      case CardFailure::Unreadable:
      case CardFailure::MalformedData:
      case CardFailure::FileNotFound: return "001";
      default: return "";
    }
  }

 private:
  CardFailure failure_;
  std::optional<std::uint16_t> status_word_;
};

}  // namespace kiosk::core::card
