#include "sim/card/simulated_readers.hpp"

namespace kiosk::sim::card {

using hal::CardError;
using hal::CardErrorKind;

class SimulatedReaders::Channel final : public hal::CardChannel {
 public:
  Channel(SimulatedReaders& owner, std::string reader, std::uint64_t serial, std::uint64_t id, Bytes atr)
      : owner_(owner), reader_(std::move(reader)), serial_(serial), id_(id), atr_(std::move(atr)) {}
  ~Channel() override { owner_.release(reader_, serial_, id_); }

  Bytes transmit(ByteView command) override { return owner_.transmit(reader_, serial_, id_, command); }
  Bytes atr() const override { return atr_; }
  void reset() override { atr_ = owner_.reset(reader_, serial_, id_); }
  const std::string& reader_name() const override { return reader_; }
  std::unique_ptr<hal::CardHold> hold() override {
    owner_.begin_hold(reader_, serial_, id_);
    return std::make_unique<Hold>(*this);
  }

 private:
  class Hold final : public hal::CardHold {
   public:
    explicit Hold(Channel& channel) : channel_(channel) {}
    ~Hold() override {
      try {
        if (auto atr = channel_.owner_.end_hold(channel_.reader_, channel_.serial_, channel_.id_, reset_on_end())) {
          channel_.atr_ = std::move(*atr);
        }
      } catch (...) {  // out of memory copying the ATR: the hold has ended all the same
      }
    }

   private:
    Channel& channel_;
  };

  SimulatedReaders& owner_;
  std::string reader_;
  std::uint64_t serial_;
  std::uint64_t id_;
  Bytes atr_;
};

void SimulatedReaders::require_not_held_by_other(const std::string& reader, const Slot& slot, std::uint64_t channel) {
  if (slot.holder != 0 && slot.holder != channel) {
    throw CardError(CardErrorKind::SharingViolation,
                    "the card in '" + reader + "' is held exclusively by another application");
  }
}

SimulatedReaders::Slots::iterator SimulatedReaders::slot_for(const std::string& reader, std::uint64_t serial,
                                                             std::uint64_t channel) {
  auto it = slots_.find(reader);
  if (it == slots_.end()) throw CardError(CardErrorKind::ReaderGone, "simulated reader '" + reader + "' was detached");
  if (!it->second.card || it->second.card_serial != serial) {
    throw CardError(CardErrorKind::CardRemoved, "the card was removed from '" + reader + "'");
  }
  require_not_held_by_other(reader, it->second, channel);
  return it;
}

void SimulatedReaders::begin_hold(const std::string& reader, std::uint64_t serial, std::uint64_t channel) {
  std::lock_guard lock(mutex_);
  auto it = slot_for(reader, serial, channel);
  it->second.holder = channel;
}

std::optional<Bytes> SimulatedReaders::end_hold(const std::string& reader, std::uint64_t serial,
                                                std::uint64_t channel, bool reset_card) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(reader);
  if (it == slots_.end() || it->second.card_serial != serial || it->second.holder != channel) return std::nullopt;
  it->second.holder = 0;
  if (!reset_card || !it->second.card) return std::nullopt;
  // In the same step as the hold ends: nobody reaches the card while it is still verified.
  it->second.card->reset();
  return it->second.card->atr();
}

void SimulatedReaders::attach_reader(const std::string& name) {
  std::lock_guard lock(mutex_);
  slots_.try_emplace(name);
  ++generation_;
  changed_.notify_all();
}

void SimulatedReaders::detach_reader(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(name);
  if (it == slots_.end()) return;
  if (it->second.card) it->second.card->power_off();
  slots_.erase(it);
  ++generation_;
  changed_.notify_all();
}

void SimulatedReaders::place_card(const std::string& reader, std::shared_ptr<VirtualCard> card) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(reader);
  if (it == slots_.end()) throw CardError(CardErrorKind::NoReader, "no simulated reader named '" + reader + "'");
  if (it->second.card) it->second.card->power_off();
  it->second.card = std::move(card);
  it->second.card_serial = next_serial_++;
  it->second.in_use = false;
  it->second.holder = 0;
  if (it->second.card) it->second.card->power_on();
  ++generation_;
  changed_.notify_all();
}

void SimulatedReaders::remove_card(const std::string& reader) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(reader);
  if (it == slots_.end() || !it->second.card) return;
  it->second.card->power_off();
  it->second.card.reset();
  it->second.card_serial = 0;
  it->second.in_use = false;
  it->second.holder = 0;
  ++generation_;
  changed_.notify_all();
}

void SimulatedReaders::set_service_running(bool running) {
  std::lock_guard lock(mutex_);
  service_running_ = running;
  ++generation_;
  changed_.notify_all();
}

void SimulatedReaders::require_service_locked() const {
  if (!service_running_) throw CardError(CardErrorKind::NoService, "the simulated card service is not running");
}

std::vector<std::string> SimulatedReaders::list_readers() {
  std::lock_guard lock(mutex_);
  require_service_locked();
  std::vector<std::string> names;
  for (const auto& [name, slot] : slots_) names.push_back(name);
  return names;
}

std::vector<hal::ReaderStatus> SimulatedReaders::status() {
  std::lock_guard lock(mutex_);
  require_service_locked();
  std::vector<hal::ReaderStatus> out;
  for (const auto& [name, slot] : slots_) {
    hal::ReaderStatus s;
    s.name = name;
    s.card_present = slot.card != nullptr;
    s.card_in_use = slot.in_use;
    if (slot.card) s.atr = slot.card->atr();
    out.push_back(std::move(s));
  }
  baseline_ = snapshot_locked();
  return out;
}

std::map<std::string, SimulatedReaders::Snapshot> SimulatedReaders::snapshot_locked() const {
  std::map<std::string, Snapshot> snap;
  for (const auto& [name, slot] : slots_) snap[name] = Snapshot{slot.card != nullptr, slot.card_serial};
  return snap;
}

std::vector<hal::ReaderEvent> SimulatedReaders::diff_locked() {
  std::vector<hal::ReaderEvent> events;
  const auto now = snapshot_locked();
  for (const auto& [name, before] : baseline_) {
    const auto it = now.find(name);
    if (it == now.end()) {
      if (before.card_present) events.push_back({hal::ReaderEventKind::CardRemoved, name, {}});
      events.push_back({hal::ReaderEventKind::ReaderDetached, name, {}});
    } else if (before.card_present && (!it->second.card_present || it->second.card_serial != before.card_serial)) {
      events.push_back({hal::ReaderEventKind::CardRemoved, name, {}});
    }
  }
  for (const auto& [name, after] : now) {
    const auto it = baseline_.find(name);
    if (it == baseline_.end()) events.push_back({hal::ReaderEventKind::ReaderAttached, name, {}});
    const bool was_same_card = it != baseline_.end() && it->second.card_present && it->second.card_serial == after.card_serial;
    if (after.card_present && !was_same_card) {
      events.push_back({hal::ReaderEventKind::CardInserted, name, slots_.at(name).card->atr()});
    }
  }
  baseline_ = now;
  return events;
}

std::uint64_t SimulatedReaders::events_delivered() const {
  std::lock_guard lock(mutex_);
  return delivered_;
}

bool SimulatedReaders::events_pending() const {
  std::lock_guard lock(mutex_);
  if (!service_running_) return false;  // nobody can take them until the service is back
  const auto now = snapshot_locked();
  if (now.size() != baseline_.size()) return true;
  for (const auto& [name, after] : now) {
    const auto it = baseline_.find(name);
    if (it == baseline_.end() || it->second.card_present != after.card_present ||
        it->second.card_serial != after.card_serial) {
      return true;
    }
  }
  return false;
}

std::vector<hal::ReaderEvent> SimulatedReaders::wait_for_events(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const std::uint64_t cancel_at_start = cancel_generation_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto events = diff_locked();
    if (!events.empty()) {
      delivered_ += events.size();
      return events;
    }
    if (cancel_generation_ != cancel_at_start) return {};
    const std::uint64_t seen = generation_;
    if (!changed_.wait_until(lock, deadline, [&] { return generation_ != seen || cancel_generation_ != cancel_at_start; })) {
      return {};
    }
  }
}

void SimulatedReaders::cancel() {
  std::lock_guard lock(mutex_);
  ++cancel_generation_;
  changed_.notify_all();
}

std::unique_ptr<hal::CardChannel> SimulatedReaders::connect(const std::string& reader) {
  std::lock_guard lock(mutex_);
  require_service_locked();
  auto it = slots_.find(reader);
  if (it == slots_.end()) throw CardError(CardErrorKind::NoReader, "no simulated reader named '" + reader + "'");
  if (!it->second.card) throw CardError(CardErrorKind::NoCard, "no card in simulated reader '" + reader + "'");
  it->second.in_use = true;
  return std::make_unique<Channel>(*this, reader, it->second.card_serial, next_channel_++, it->second.card->atr());
}

Bytes SimulatedReaders::transmit(const std::string& reader, std::uint64_t serial, std::uint64_t channel, ByteView command) {
  std::shared_ptr<VirtualCard> card;
  {
    std::lock_guard lock(mutex_);
    require_service_locked();  // as SCardTransmit fails with SCARD_E_NO_SERVICE once pcscd is gone
    auto it = slot_for(reader, serial, channel);
    card = it->second.card;
  }
  // The card runs outside the lock, so a test or scenario can pull it out while it works; an
  // answer from a card that left the field meanwhile never reaches the reader.
  Bytes response = card->process_apdu(command);
  std::lock_guard lock(mutex_);
  auto it = slots_.find(reader);
  if (it == slots_.end()) throw CardError(CardErrorKind::ReaderGone, "simulated reader '" + reader + "' was detached");
  if (it->second.card_serial != serial) {
    throw CardError(CardErrorKind::CardRemoved, "the card was removed from '" + reader + "' during a command");
  }
  if (response.empty()) throw CardError(CardErrorKind::CardUnresponsive, "the card in '" + reader + "' did not answer");
  return response;
}

Bytes SimulatedReaders::reset(const std::string& reader, std::uint64_t serial, std::uint64_t channel) {
  std::lock_guard lock(mutex_);
  auto it = slot_for(reader, serial, channel);
  it->second.card->reset();
  return it->second.card->atr();
}

void SimulatedReaders::release(const std::string& reader, std::uint64_t serial, std::uint64_t channel) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(reader);
  if (it == slots_.end() || it->second.card_serial != serial || !it->second.card) return;
  it->second.in_use = false;
  if (it->second.holder == channel) it->second.holder = 0;
  // As SCardDisconnect(SCARD_RESET_CARD): the card forgets what was verified on it.
  if (it->second.holder == 0) it->second.card->reset();
}

}  // namespace kiosk::sim::card
