// The USB devices of the terminal, as a technician needs to see them: smart-card readers
// (CCID, class 0x0B) and cameras (UVC: video class 0x0E) with VID:PID, bus, port path, speed.
// Implemented by drivers/usb (libusb) and sim/usb (a simulated bus for tests).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace kiosk::hal {

enum class UsbDeviceKind { SmartCardReader, Camera, Other };

constexpr const char* to_string(UsbDeviceKind k) {
  switch (k) {
    case UsbDeviceKind::SmartCardReader: return "smart-card reader (CCID)";
    case UsbDeviceKind::Camera: return "camera (UVC)";
    case UsbDeviceKind::Other: return "other";
  }
  return "other";
}

struct UsbDevice {
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  std::uint8_t bus = 0;
  std::string port_path;      // "1-2.3": bus, then the hub ports down to the device
  std::string speed;          // "low", "full", "high", "super", "super+", "unknown"
  UsbDeviceKind kind = UsbDeviceKind::Other;
  std::string manufacturer;   // from the string descriptors when readable, else empty
  std::string product;

  std::string vid_pid() const;  // "072f:2200"
};

inline std::string UsbDevice::vid_pid() const {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(9, ':');
  for (int i = 0; i < 4; ++i) {
    out[static_cast<std::size_t>(3 - i)] = digits[(vendor_id >> (4 * i)) & 0xF];
    out[static_cast<std::size_t>(8 - i)] = digits[(product_id >> (4 * i)) & 0xF];
  }
  return out;
}

struct UsbEvent {
  bool arrived = true;  // false: left
  UsbDevice device;
};

class UsbInventory {
 public:
  virtual ~UsbInventory() = default;
  // Every device on every bus. Throws std::runtime_error when USB cannot be enumerated at all.
  virtual std::vector<UsbDevice> devices() = 0;
  // Devices that arrived or left since the last call (or since construction), waiting up to
  // `timeout` for the first one.
  virtual std::vector<UsbEvent> wait_for_changes(std::chrono::milliseconds timeout) = 0;
};

}  // namespace kiosk::hal
