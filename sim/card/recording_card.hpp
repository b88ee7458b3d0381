// A card that keeps the APDU trace of what the terminal sent it (VERIFY data redacted), for QA
// scenarios that check properties of the exchange ("never selects the 券面事項入力補助AP", "no
// VERIFY without a PIN typed"). An optional observer sees each exchange (the scenario player
// charges its virtual transmission time).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sim/card/virtual_card.hpp"

namespace kiosk::sim::card {

struct TracedApdu {
  Bytes command;   // as sent; the data of a VERIFY replaced by '*' bytes (0x2A)
  Bytes response;  // as answered (status word last); empty response data for a VERIFY
};

class RecordingCard final : public VirtualCard {
 public:
  using Observer = std::function<void(ByteView command, ByteView response)>;
  explicit RecordingCard(std::shared_ptr<VirtualCard> inner, Observer observer = {})
      : inner_(std::move(inner)), observer_(std::move(observer)) {}

  Bytes atr() const override { return inner_->atr(); }
  void power_on() override { inner_->power_on(); }
  void power_off() override { inner_->power_off(); }
  void reset() override { inner_->reset(); }
  Bytes process_apdu(ByteView command) override;

  std::vector<TracedApdu> trace() const;
  // The trace so far, handed over: the card keeps none of it (a long-lived console folds it
  // into counters instead of keeping every APDU of every reception).
  std::vector<TracedApdu> take_trace();

 private:
  std::shared_ptr<VirtualCard> inner_;
  Observer observer_;
  mutable std::mutex mutex_;
  std::vector<TracedApdu> trace_;
};

// Trace properties.
// SELECT by AID (INS A4, P1 04) of exactly `aid`.
bool selects(const TracedApdu& apdu, ByteView aid);
// VERIFY (INS 20) that carries reference data, i.e. spends a try when wrong (an empty VERIFY
// only reads the retry counter).
bool is_verify_with_data(const TracedApdu& apdu);

}  // namespace kiosk::sim::card
