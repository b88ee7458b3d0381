// What the PC/SC service saw at one moment, and the events between two such moments.
// Pure data and logic, no pcsc-lite call: unit-tested without pcscd.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hal/card_reader.hpp"

namespace kiosk::drivers::pcsc {

struct ReaderSnapshot {
  std::string name;
  bool card_present = false;
  bool card_in_use = false;
  bool card_mute = false;
  Bytes atr;
  // pcsc-lite counts card insertions and removals per reader (high 16 bits of dwEventState).
  // A different count with the card present both times means the card was swapped in between.
  std::uint32_t event_count = 0;
  // The raw dwEventState (without SCARD_STATE_CHANGED), fed back as dwCurrentState when waiting.
  std::uint64_t raw_state = 0;
};

// The events that lead from `before` to `after`, in reader order of `after` (then the readers
// of `before` that are gone):
// - a new reader: ReaderAttached, then CardInserted if it holds a card;
// - a reader gone: CardRemoved if it held a card, then ReaderDetached;
// - a card that appeared / disappeared: CardInserted / CardRemoved;
// - a card present both times but with another ATR or another event count (taken out and put
//   back between the two snapshots): CardRemoved then CardInserted.
std::vector<hal::ReaderEvent> diff_snapshots(const std::vector<ReaderSnapshot>& before,
                                             const std::vector<ReaderSnapshot>& after);

hal::ReaderStatus to_status(const ReaderSnapshot& snapshot);

}  // namespace kiosk::drivers::pcsc
