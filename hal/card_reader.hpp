// Card reader and card channel interfaces.
//
// Implemented by drivers/pcsc (pcsc-lite) and sim/card (in-process simulated readers).
// The verification core only ever talks to a card through hal::CardChannel.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hal/bytes.hpp"

namespace kiosk::hal {

// What went wrong at the reader level. Each kind says whether trying again can help.
enum class CardErrorKind {
  NoService,         // the PC/SC service (pcscd) is not running or unreachable
  NoReader,          // no reader of that name / no reader at all
  NoCard,            // no card on the reader
  CardRemoved,       // the card left the reader during the operation
  ReaderGone,        // the reader was unplugged
  Timeout,           // nothing happened within the time allowed
  Cancelled,         // another thread cancelled the wait
  SharingViolation,  // another application holds the card exclusively
  Protocol,          // the card or reader did not speak the expected protocol
  CardUnresponsive,  // the card does not answer (mute, bad contact, bad coupling)
  Internal,          // a bug or resource problem in the stack (memory, handle)
};

constexpr const char* to_string(CardErrorKind kind) {
  switch (kind) {
    case CardErrorKind::NoService: return "no-service";
    case CardErrorKind::NoReader: return "no-reader";
    case CardErrorKind::NoCard: return "no-card";
    case CardErrorKind::CardRemoved: return "card-removed";
    case CardErrorKind::ReaderGone: return "reader-gone";
    case CardErrorKind::Timeout: return "timeout";
    case CardErrorKind::Cancelled: return "cancelled";
    case CardErrorKind::SharingViolation: return "sharing-violation";
    case CardErrorKind::Protocol: return "protocol";
    case CardErrorKind::CardUnresponsive: return "card-unresponsive";
    case CardErrorKind::Internal: return "internal";
  }
  return "unknown";
}

// True when the same operation may succeed if tried again (possibly after the user acts:
// placing the card again, plugging the reader in, starting the service).
constexpr bool is_retryable(CardErrorKind kind) {
  switch (kind) {
    case CardErrorKind::NoCard:
    case CardErrorKind::CardRemoved:
    case CardErrorKind::Timeout:
    case CardErrorKind::Cancelled:
    case CardErrorKind::SharingViolation:
    case CardErrorKind::CardUnresponsive:
    case CardErrorKind::NoReader:
    case CardErrorKind::ReaderGone:
    case CardErrorKind::NoService:
      return true;
    case CardErrorKind::Protocol:
    case CardErrorKind::Internal:
      return false;
  }
  return false;
}

// What the person in front of the kiosk (or the technician) should do about it.
constexpr const char* advice(CardErrorKind kind) {
  switch (kind) {
    case CardErrorKind::NoService: return "start the smart-card service (pcscd) and try again";
    case CardErrorKind::NoReader: return "connect the card reader and try again";
    case CardErrorKind::NoCard: return "place the card on the reader";
    case CardErrorKind::CardRemoved: return "place the card on the reader again and keep it there";
    case CardErrorKind::ReaderGone: return "reconnect the card reader and try again";
    case CardErrorKind::Timeout: return "try again";
    case CardErrorKind::Cancelled: return "start again";
    case CardErrorKind::SharingViolation: return "close the other application using the card and try again";
    case CardErrorKind::Protocol: return "this card cannot be read by this reader; ask the reception";
    case CardErrorKind::CardUnresponsive: return "place the card on the reader again, flat and still";
    case CardErrorKind::Internal: return "restart the kiosk; if it happens again, call the technician";
  }
  return "ask the reception";
}

class CardError : public std::runtime_error {
 public:
  CardError(CardErrorKind kind, const std::string& what, long native_code = 0)
      : std::runtime_error(what), kind_(kind), native_code_(native_code) {}
  CardErrorKind kind() const noexcept { return kind_; }
  bool retryable() const noexcept { return is_retryable(kind_); }
  const char* advice() const noexcept { return hal::advice(kind_); }
  // The underlying stack's code (a PC/SC LONG) when there is one, otherwise 0.
  long native_code() const noexcept { return native_code_; }

 private:
  CardErrorKind kind_;
  long native_code_;
};

// Exclusive use of a card by one channel (PC/SC: a transaction), for as long as it lives.
// While it is held, other applications' commands to the card fail (SharingViolation) or wait,
// and they cannot reset it. Destroy it before the channel that made it.
// Ending the hold resets the card in the same step (PC/SC: SCardEndTransaction with
// SCARD_RESET_CARD), so what was opened under it (a verified PIN) is closed before anyone else
// reaches the card; release_untouched() first when nothing was opened (a refused VERIFY).
class CardHold {
 public:
  virtual ~CardHold() = default;
  CardHold() = default;
  CardHold(const CardHold&) = delete;
  CardHold& operator=(const CardHold&) = delete;
  // Nothing was opened under the hold: ending it leaves the card as it is (selections kept).
  void release_untouched() noexcept { reset_on_end_ = false; }

 protected:
  bool reset_on_end() const noexcept { return reset_on_end_; }

 private:
  bool reset_on_end_ = true;
};

// A connected card. Destroying it resets the card (PC/SC's SCARD_RESET_CARD: verified PINs and
// selections are forgotten, so nobody finds the card still open after the session) and
// disconnects. Not thread-safe: one reception uses one channel.
class CardChannel {
 public:
  virtual ~CardChannel() = default;
  CardChannel() = default;
  CardChannel(const CardChannel&) = delete;
  CardChannel& operator=(const CardChannel&) = delete;

  // Sends one command APDU, returns the response APDU (data followed by SW1 SW2).
  // Throws CardError (CardRemoved, ReaderGone, Protocol, ...).
  virtual Bytes transmit(ByteView command_apdu) = 0;
  // The answer to reset of the card as connected (after reset(): the new one).
  virtual Bytes atr() const = 0;
  // Warm-resets the card and keeps the channel usable. Volatile card state (selected
  // application, verified PINs) is lost; retry counters are not.
  virtual void reset() = 0;
  virtual const std::string& reader_name() const = 0;
  // Keeps every other application away from the card until the returned hold is destroyed
  // (from a VERIFY to the signature it allows, see core/card/CardSession). Throws CardError
  // (CardRemoved, SharingViolation, ...).
  virtual std::unique_ptr<CardHold> hold() = 0;
};

enum class ReaderEventKind { ReaderAttached, ReaderDetached, CardInserted, CardRemoved };

constexpr const char* to_string(ReaderEventKind kind) {
  switch (kind) {
    case ReaderEventKind::ReaderAttached: return "reader-attached";
    case ReaderEventKind::ReaderDetached: return "reader-detached";
    case ReaderEventKind::CardInserted: return "card-inserted";
    case ReaderEventKind::CardRemoved: return "card-removed";
  }
  return "unknown";
}

struct ReaderEvent {
  ReaderEventKind kind;
  std::string reader;
  Bytes atr;  // for CardInserted
};

struct ReaderStatus {
  std::string name;
  bool card_present = false;
  bool card_in_use = false;  // connected by someone (ourselves included)
  bool card_mute = false;    // a card is there but does not answer to reset
  Bytes atr;
};

// The readers of this terminal.
//
// Event model: the service keeps a baseline of what it last reported. status() returns the
// current state and makes it the baseline; wait_for_events() blocks until the state differs
// from the baseline (a reader attached or detached, a card inserted or removed), reports the
// differences and moves the baseline. A timeout returns an empty list.
class CardReaderService {
 public:
  virtual ~CardReaderService() = default;
  CardReaderService() = default;
  CardReaderService(const CardReaderService&) = delete;
  CardReaderService& operator=(const CardReaderService&) = delete;

  virtual std::vector<std::string> list_readers() = 0;
  virtual std::vector<ReaderStatus> status() = 0;
  virtual std::vector<ReaderEvent> wait_for_events(std::chrono::milliseconds timeout) = 0;
  // Connects to the card in `reader` (shared mode, T=1 or T=0). Throws CardError.
  virtual std::unique_ptr<CardChannel> connect(const std::string& reader) = 0;
  // Makes a wait_for_events() blocked in another thread return early (empty list).
  virtual void cancel() = 0;
};

// Which readers the kiosk takes a card from: the reader named exactly `reader`, or any reader
// whose PC/SC name begins with one of `models` (pcsc-lite names a reader "<model> [(<serial>)]
// <slot> <index>", e.g. "SONY FeliCa RC-S300/S (0123456) 00 00"). Nothing configured accepts
// nothing: the kiosk never takes a card from a reader it was not told about, such as an
// emulated one (vsmartcard's "Virtual PCD 00 00", reachable over the network).
struct ReaderPolicy {
  std::string reader;
  std::vector<std::string> models;

  bool configured() const { return !reader.empty() || !models.empty(); }
  bool accepts(std::string_view name) const {
    if (!reader.empty() && name == reader) return true;
    for (const auto& m : models) {
      if (!m.empty() && name.substr(0, m.size()) == m) return true;
    }
    return false;
  }
  // "the reader 'X'", "readers of the models 'A', 'B'", or both; "no reader (none configured)".
  std::string describe() const {
    std::string out;
    if (!reader.empty()) out = "the reader '" + reader + "'";
    if (!models.empty()) {
      out += out.empty() ? "readers of the model" : " and readers of the model";
      out += models.size() > 1 ? "s " : " ";
      for (std::size_t i = 0; i < models.size(); ++i) out += (i == 0 ? "'" : ", '") + models[i] + "'";
    }
    return out.empty() ? "no reader (none configured)" : out;
  }
};

// Waits until a card is present in `reader` (or in any reader when `reader` is empty).
// Returns the reader's name, or nothing on timeout.
inline std::optional<std::string> wait_for_card(CardReaderService& service, const std::string& reader,
                                                std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& s : service.status()) {
    if (s.card_present && (reader.empty() || s.name == reader)) return s.name;
  }
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    for (const auto& e : service.wait_for_events(left)) {
      if (e.kind == ReaderEventKind::CardInserted && (reader.empty() || e.reader == reader)) return e.reader;
    }
  }
}

// Waits until `reader` holds no card (or is gone). Returns false on timeout.
inline bool wait_for_card_removal(CardReaderService& service, const std::string& reader,
                                  std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool present = false;
  for (const auto& s : service.status()) {
    if (s.name == reader) present = s.card_present;
  }
  if (!present) return true;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    for (const auto& e : service.wait_for_events(left)) {
      if (e.reader == reader &&
          (e.kind == ReaderEventKind::CardRemoved || e.kind == ReaderEventKind::ReaderDetached)) {
        return true;
      }
    }
  }
}

}  // namespace kiosk::hal
