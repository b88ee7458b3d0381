// A simulated contactless card as a reader sees it: power, ATR and APDUs.
// Transports (the in-process reader, the vpcd bridge) drive a VirtualCard; the JPKI emulator
// implements it.
#pragma once

#include "hal/bytes.hpp"

namespace kiosk::sim::card {

class VirtualCard {
 public:
  virtual ~VirtualCard() = default;
  VirtualCard() = default;
  VirtualCard(const VirtualCard&) = delete;
  VirtualCard& operator=(const VirtualCard&) = delete;

  virtual Bytes atr() const = 0;
  // Power events clear volatile state (current application and file, verified PINs).
  virtual void power_on() = 0;
  virtual void power_off() = 0;
  virtual void reset() = 0;
  // Processes one command APDU; always returns at least SW1 SW2.
  virtual Bytes process_apdu(ByteView command) = 0;
};

}  // namespace kiosk::sim::card
