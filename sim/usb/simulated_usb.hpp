// A simulated USB bus: devices plugged and unplugged by tests and QA scenarios.
#pragma once

#include <condition_variable>
#include <mutex>
#include <vector>

#include "hal/usb_inventory.hpp"

namespace kiosk::sim::usb {

class SimulatedUsb final : public hal::UsbInventory {
 public:
  // The devices of a standard kiosk: a Sony RC-S300 style CCID reader and a UVC camera.
  static std::vector<hal::UsbDevice> standard_kiosk();

  void plug(hal::UsbDevice device);
  void unplug(const std::string& port_path);
  void fail_enumeration(bool fail);  // as when usbfs is not accessible

  std::vector<hal::UsbDevice> devices() override;
  std::vector<hal::UsbEvent> wait_for_changes(std::chrono::milliseconds timeout) override;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<hal::UsbDevice> devices_;
  std::vector<hal::UsbEvent> pending_;
  bool fail_ = false;
};

}  // namespace kiosk::sim::usb
