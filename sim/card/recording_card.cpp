#include "sim/card/recording_card.hpp"

#include <algorithm>
#include <utility>

namespace kiosk::sim::card {

namespace {
constexpr std::uint8_t kInsVerify = 0x20;
constexpr std::uint8_t kInsSelect = 0xA4;
}  // namespace

Bytes RecordingCard::process_apdu(ByteView command) {
  Bytes response = inner_->process_apdu(command);
  if (observer_) observer_(command, response);
  TracedApdu entry{Bytes(command.begin(), command.end()), response};
  if (entry.command.size() > 5 && entry.command[1] == kInsVerify) {
    std::fill(entry.command.begin() + 5, entry.command.end(), std::uint8_t{'*'});
  }
  std::lock_guard lock(mutex_);
  trace_.push_back(std::move(entry));
  return response;
}

std::vector<TracedApdu> RecordingCard::trace() const {
  std::lock_guard lock(mutex_);
  return trace_;
}

std::vector<TracedApdu> RecordingCard::take_trace() {
  std::lock_guard lock(mutex_);
  return std::exchange(trace_, {});
}

bool selects(const TracedApdu& apdu, ByteView aid) {
  const Bytes& c = apdu.command;
  if (c.size() < 5 + aid.size() || c[1] != kInsSelect || c[2] != 0x04 || c[4] != aid.size()) return false;
  return std::equal(aid.begin(), aid.end(), c.begin() + 5);
}

bool is_verify_with_data(const TracedApdu& apdu) {
  return apdu.command.size() > 5 && apdu.command[1] == kInsVerify && apdu.command[4] != 0;
}

}  // namespace kiosk::sim::card
