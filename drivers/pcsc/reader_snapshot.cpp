#include "drivers/pcsc/reader_snapshot.hpp"

#include <algorithm>

namespace kiosk::drivers::pcsc {

namespace {

const ReaderSnapshot* find(const std::vector<ReaderSnapshot>& list, const std::string& name) {
  auto it = std::find_if(list.begin(), list.end(), [&](const ReaderSnapshot& r) { return r.name == name; });
  return it == list.end() ? nullptr : &*it;
}

hal::ReaderEvent event(hal::ReaderEventKind kind, const ReaderSnapshot& reader, bool with_atr) {
  return hal::ReaderEvent{kind, reader.name, with_atr ? reader.atr : Bytes{}};
}

}  // namespace

std::vector<hal::ReaderEvent> diff_snapshots(const std::vector<ReaderSnapshot>& before,
                                             const std::vector<ReaderSnapshot>& after) {
  using K = hal::ReaderEventKind;
  std::vector<hal::ReaderEvent> events;
  for (const auto& now : after) {
    const ReaderSnapshot* was = find(before, now.name);
    if (was == nullptr) {
      events.push_back(event(K::ReaderAttached, now, false));
      if (now.card_present) events.push_back(event(K::CardInserted, now, true));
      continue;
    }
    if (was->card_present && !now.card_present) {
      events.push_back(event(K::CardRemoved, now, false));
    } else if (!was->card_present && now.card_present) {
      events.push_back(event(K::CardInserted, now, true));
    } else if (was->card_present && now.card_present &&
               (was->atr != now.atr || was->event_count != now.event_count)) {
      events.push_back(event(K::CardRemoved, now, false));
      events.push_back(event(K::CardInserted, now, true));
    }
  }
  for (const auto& was : before) {
    if (find(after, was.name) != nullptr) continue;
    if (was.card_present) events.push_back(event(K::CardRemoved, was, false));
    events.push_back(event(K::ReaderDetached, was, false));
  }
  return events;
}

hal::ReaderStatus to_status(const ReaderSnapshot& snapshot) {
  hal::ReaderStatus status;
  status.name = snapshot.name;
  status.card_present = snapshot.card_present;
  status.card_in_use = snapshot.card_in_use;
  status.card_mute = snapshot.card_mute;
  status.atr = snapshot.atr;
  return status;
}

}  // namespace kiosk::drivers::pcsc
