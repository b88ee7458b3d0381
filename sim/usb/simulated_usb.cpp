#include "sim/usb/simulated_usb.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace kiosk::sim::usb {

std::vector<hal::UsbDevice> SimulatedUsb::standard_kiosk() {
  return {
      hal::UsbDevice{0x054c, 0x0dc8, 1, "1-2", "full", hal::UsbDeviceKind::SmartCardReader, "SONY", "RC-S300/S (simulated)"},
      hal::UsbDevice{0x046d, 0x0825, 1, "1-3", "high", hal::UsbDeviceKind::Camera, "Logitech", "Webcam C270 (simulated)"},
  };
}

void SimulatedUsb::plug(hal::UsbDevice device) {
  std::lock_guard lock(mutex_);
  pending_.push_back({true, device});
  devices_.push_back(std::move(device));
  changed_.notify_all();
}

void SimulatedUsb::unplug(const std::string& port_path) {
  std::lock_guard lock(mutex_);
  const auto it = std::find_if(devices_.begin(), devices_.end(), [&](const auto& d) { return d.port_path == port_path; });
  if (it == devices_.end()) return;
  pending_.push_back({false, *it});
  devices_.erase(it);
  changed_.notify_all();
}

void SimulatedUsb::fail_enumeration(bool fail) {
  std::lock_guard lock(mutex_);
  fail_ = fail;
}

std::vector<hal::UsbDevice> SimulatedUsb::devices() {
  std::lock_guard lock(mutex_);
  if (fail_) throw std::runtime_error("libusb_get_device_list: Access denied (insufficient permissions) (simulated)");
  return devices_;
}

std::vector<hal::UsbEvent> SimulatedUsb::wait_for_changes(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return !pending_.empty(); });
  return std::exchange(pending_, {});
}

}  // namespace kiosk::sim::usb
