// A card channel that plays a fixed APDU script, in the manner of web-eid's libpcsc-mock:
// each transmitted command must equal the next scripted command byte for byte, and gets the
// scripted response. Used for answers no honest card gives (truncated, lying, odd status
// words); tests of honest behaviour run against the card emulator instead.
#pragma once

#include <stdexcept>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hal/bytes.hpp"
#include "hal/card_reader.hpp"

namespace kiosk::test {

struct ScriptStep {
  std::string command;   // hex
  std::string response;  // hex; "REMOVED" makes transmit throw CardError(CardRemoved)
};

class ScriptedChannel final : public hal::CardChannel {
 public:
  explicit ScriptedChannel(std::vector<ScriptStep> script) : script_(std::move(script)) {}
  ScriptedChannel(std::initializer_list<ScriptStep> script) : script_(script) {}

  Bytes transmit(ByteView command) override {
    if (next_ >= script_.size()) throw std::logic_error("APDU after the end of the script: " + to_hex(command));
    const ScriptStep& step = script_[next_++];
    if (to_hex(command) != to_hex(from_hex(step.command))) {
      throw std::logic_error("APDU #" + std::to_string(next_) + " was " + to_hex(command) + ", script expects " +
                             to_hex(from_hex(step.command)));
    }
    if (step.response == "REMOVED") throw hal::CardError(hal::CardErrorKind::CardRemoved, "card removed (script)");
    return from_hex(step.response);
  }
  Bytes atr() const override { return from_hex("3B 88 80 01 12 34 56 78 77 81 81 00 76"); }
  void reset() override { ++resets_; }
  const std::string& reader_name() const override { return name_; }
  // Counts holds; held() says whether one is in force (at which APDU it began: hold_began()).
  std::unique_ptr<hal::CardHold> hold() override {
    ++holds_;
    hold_began_ = next_;
    held_ = true;
    return std::make_unique<Hold>(*this);
  }

  bool finished() const { return next_ == script_.size(); }
  std::size_t played() const { return next_; }
  bool held() const { return held_; }
  int holds() const { return holds_; }
  std::size_t hold_began() const { return hold_began_; }
  int resets() const { return resets_; }
  // Holds that ended resetting the card (what was opened under them is closed).
  int hold_end_resets() const { return hold_end_resets_; }

 private:
  class Hold final : public hal::CardHold {
   public:
    explicit Hold(ScriptedChannel& channel) : channel_(channel) {}
    ~Hold() override {
      channel_.held_ = false;
      if (reset_on_end()) ++channel_.hold_end_resets_;
    }

   private:
    ScriptedChannel& channel_;
  };
  bool held_ = false;
  int holds_ = 0;
  std::size_t hold_began_ = 0;
  int resets_ = 0;
  int hold_end_resets_ = 0;

  std::vector<ScriptStep> script_;
  std::size_t next_ = 0;
  std::string name_ = "Scripted Reader";
};

}  // namespace kiosk::test
