// In-process card readers holding simulated cards: the hal::CardReaderService used by unit
// tests, QA scenarios and the default `kiosk sim` demo. Readers can be attached and detached
// and cards placed and removed from any thread; the firmware sees the same events as from
// pcscd. A channel to a card that has been removed fails with CardRemoved, to a detached
// reader with ReaderGone. As with pcscd, a channel's hold() keeps the other channels to the same
// card out (SharingViolation) until it ends, and closing a channel resets the card.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "hal/card_reader.hpp"
#include "sim/card/virtual_card.hpp"

namespace kiosk::sim::card {

class SimulatedReaders final : public hal::CardReaderService {
 public:
  SimulatedReaders() = default;
  ~SimulatedReaders() override = default;

  void attach_reader(const std::string& name);
  void detach_reader(const std::string& name);
  // Puts a card into the reader's field (it is powered on). Replaces a card already there.
  void place_card(const std::string& reader, std::shared_ptr<VirtualCard> card);
  void remove_card(const std::string& reader);
  // Fault injection: the card service (pcscd) stops answering; every call fails with NoService.
  void set_service_running(bool running);
  // True while a change (card placed or removed, reader attached or detached) has not yet been
  // handed out by wait_for_events(): the scenario player waits for the firmware to see it.
  // False while the card service is stopped (no event can be handed out then).
  bool events_pending() const;
  // Events handed out by wait_for_events() so far (a QA player compares it with what the
  // reception took, so that no event is in flight when a step is declared over).
  std::uint64_t events_delivered() const;

  std::vector<std::string> list_readers() override;
  std::vector<hal::ReaderStatus> status() override;
  std::vector<hal::ReaderEvent> wait_for_events(std::chrono::milliseconds timeout) override;
  std::unique_ptr<hal::CardChannel> connect(const std::string& reader) override;
  void cancel() override;

 private:
  struct Slot {
    std::shared_ptr<VirtualCard> card;
    std::uint64_t card_serial = 0;  // changes with every placement
    bool in_use = false;
    std::uint64_t holder = 0;  // the channel holding the card exclusively (0: none)
  };
  using Slots = std::map<std::string, Slot>;
  class Channel;
  friend class Channel;

  struct Snapshot {
    bool card_present = false;
    std::uint64_t card_serial = 0;
  };
  std::vector<hal::ReaderEvent> diff_locked();
  std::map<std::string, Snapshot> snapshot_locked() const;
  // Runs one APDU for a channel; throws CardRemoved/ReaderGone when the card or reader left.
  Bytes transmit(const std::string& reader, std::uint64_t serial, std::uint64_t channel, ByteView command);
  Bytes reset(const std::string& reader, std::uint64_t serial, std::uint64_t channel);
  // The channel closes: its hold ends and the card is reset.
  void release(const std::string& reader, std::uint64_t serial, std::uint64_t channel);
  void begin_hold(const std::string& reader, std::uint64_t serial, std::uint64_t channel);
  // Ends `channel`'s hold; with `reset_card` the card is reset under the same lock and its new
  // ATR returned.
  std::optional<Bytes> end_hold(const std::string& reader, std::uint64_t serial, std::uint64_t channel,
                                bool reset_card);
  // Throws SharingViolation when another channel holds the card. `it` is a slot of slots_.
  static void require_not_held_by_other(const std::string& reader, const Slot& slot, std::uint64_t channel);
  // Under mutex_: the slot of `reader` still holding the card `serial`, usable by `channel`.
  // Throws CardError ReaderGone, CardRemoved, or SharingViolation (held by another channel).
  Slots::iterator slot_for(const std::string& reader, std::uint64_t serial, std::uint64_t channel);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  Slots slots_;
  std::map<std::string, Snapshot> baseline_;
  std::uint64_t next_serial_ = 1;
  std::uint64_t next_channel_ = 1;
  std::uint64_t generation_ = 0;        // bumped on every change
  std::uint64_t cancel_generation_ = 0;  // bumped by cancel()
  bool service_running_ = true;
  std::uint64_t delivered_ = 0;
  void require_service_locked() const;
};

}  // namespace kiosk::sim::card
