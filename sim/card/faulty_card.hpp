// Cards that misbehave on purpose, for bad-input tests and QA fault injection:
// FaultyCard wraps a real emulated card and alters its answers; ForeignCard is an ISO card
// that is not a My Number card (a payment card with only its own application).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "sim/card/virtual_card.hpp"

namespace kiosk::sim::card {

struct ResponseFault {
  Bytes command_prefix;                 // applies to commands starting with these bytes
  std::optional<std::size_t> keep;      // truncate the response to this many bytes
  std::optional<Bytes> replace;         // answer this instead (the card is not asked)
  std::function<void()> before;         // runs before the card answers (e.g. pull the card)
  int times = -1;                       // how many matches to alter; -1 = all
};

class FaultyCard final : public VirtualCard {
 public:
  explicit FaultyCard(std::shared_ptr<VirtualCard> inner) : inner_(std::move(inner)) {}

  void add_fault(ResponseFault fault) { faults_.push_back(std::move(fault)); }
  void set_atr(Bytes atr) { atr_ = std::move(atr); }

  Bytes atr() const override { return atr_ ? *atr_ : inner_->atr(); }
  void power_on() override { inner_->power_on(); }
  void power_off() override { inner_->power_off(); }
  void reset() override { inner_->reset(); }
  Bytes process_apdu(ByteView command) override;

 private:
  std::shared_ptr<VirtualCard> inner_;
  std::vector<ResponseFault> faults_;
  std::optional<Bytes> atr_;
};

// A contactless payment card: answers SELECT of its payment environment (2PAY.SYS.DDF01) with
// an FCI, everything else with 6A 82 / 6D 00 like any card that is not a My Number card.
class ForeignCard final : public VirtualCard {
 public:
  Bytes atr() const override;
  void power_on() override {}
  void power_off() override {}
  void reset() override {}
  Bytes process_apdu(ByteView command) override;
};

}  // namespace kiosk::sim::card
