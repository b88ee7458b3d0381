// One conversation with one card: every APDU the kiosk sends goes through here.
//
// - The guard: only the JPKI and card-face applications may be selected, and inside the
//   card-face application the My Number image (EF 0005) and 照合番号A (EF 0013) are never
//   touched. The next-generation card's 券面等AP (a provisional AID, hal/mynumber_card.hpp) may
//   be selected to recognise the card's generation; nothing else is ever sent inside it. Anything else is refused before it reaches the card (CardFailure::Forbidden), so
//   the 12-digit My Number cannot be read by any code path.
// - Transport quirks: 61 xx (GET RESPONSE) and 6C xx (wrong Le) are handled here.
// - A trace (secrets redacted) and counters for diagnostics and benchmarks.
// - The hold: a VERIFY with reference data (a PIN, 照合番号B) is sent only under an exclusive
//   hold of the card (hal::CardChannel::hold, a PC/SC transaction); when it succeeds the hold is
//   kept until reset() or the end of the session, so no other application can use the verified
//   card (sign with it, read the card face) in between. A VERIFY that fails gives it up.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/card/apdu.hpp"
#include "hal/card_reader.hpp"
#include "hal/mynumber_card.hpp"

namespace kiosk::core::card {

struct ApduTraceEntry {
  std::string command;  // hex, secrets as "**"
  std::uint16_t status_word = 0;
  std::size_t response_data_length = 0;
  std::chrono::microseconds duration{0};
};

struct ApduCounters {
  std::size_t commands = 0;       // command APDUs sent (GET RESPONSE included)
  std::size_t bytes_sent = 0;     // command APDU bytes
  std::size_t bytes_received = 0; // response APDU bytes, status words included
};

enum class Application { Unknown, Jpki, CardFace, NextGenerationCardFace };

class CardSession {
 public:
  explicit CardSession(hal::CardChannel& channel);
  // Ends the hold, if any, resetting the card (a verified PIN is closed before any other
  // application reaches the card). The channel's owner then closes the channel.
  ~CardSession();
  CardSession(const CardSession&) = delete;
  CardSession& operator=(const CardSession&) = delete;

  // Sends a command (after the guard) and returns the complete response.
  // Throws CardProtocolError (Forbidden, Unreadable) or hal::CardError from the reader.
  ResponseApdu transmit(const CommandApdu& command);

  // Warm reset: the card forgets selections and verified PINs; the hold ends.
  void reset();

  // True while this session holds the card exclusively (after a successful VERIFY).
  bool held() const noexcept { return hold_ != nullptr; }

  hal::CardChannel& channel() noexcept { return channel_; }
  Application current_application() const noexcept { return application_; }

  const ApduCounters& counters() const noexcept { return counters_; }
  const std::vector<ApduTraceEntry>& trace() const noexcept { return trace_; }
  void clear_trace() noexcept { trace_.clear(); counters_ = {}; }
  // Called for every exchange as it happens (diagnostics, QA scenario traces).
  void on_exchange(std::function<void(const ApduTraceEntry&)> sink) { sink_ = std::move(sink); }

  // What this card and reader turned out to support (learnt on first use).
  std::optional<bool> extended_length;        // extended Le/Lc APDUs pass end to end
  std::optional<bool> short_ef_identifiers;   // READ BINARY / VERIFY / sign with an SFI in P1/P2

 private:
  void guard(const CommandApdu& command) const;
  ResponseApdu exchange(const CommandApdu& command);
  // exchange() with 6C xx and 61 xx handled.
  ResponseApdu exchange_all(const CommandApdu& command);
  void track_selection(const CommandApdu& command, const ResponseApdu& response);

  hal::CardChannel& channel_;
  Application application_ = Application::Unknown;
  ApduCounters counters_;
  std::vector<ApduTraceEntry> trace_;
  std::function<void(const ApduTraceEntry&)> sink_;
  std::unique_ptr<hal::CardHold> hold_;
};

}  // namespace kiosk::core::card
