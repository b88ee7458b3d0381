// hal::UsbInventory on libusb-1.0. Hotplug through libusb's hotplug callbacks where the
// platform offers them (Linux with udev or netlink), otherwise by comparing enumerations.
#pragma once

#include <memory>
#include <vector>

#include "hal/usb_inventory.hpp"

struct libusb_context;

namespace kiosk::drivers::usb {

class LibusbInventory final : public hal::UsbInventory {
 public:
  // Throws std::runtime_error when libusb cannot be initialised (no usbfs, no permission).
  LibusbInventory();
  ~LibusbInventory() override;
  LibusbInventory(const LibusbInventory&) = delete;
  LibusbInventory& operator=(const LibusbInventory&) = delete;

  std::vector<hal::UsbDevice> devices() override;
  std::vector<hal::UsbEvent> wait_for_changes(std::chrono::milliseconds timeout) override;
  bool uses_hotplug_callbacks() const noexcept { return hotplug_handle_ != 0; }

  struct Pending;  // events collected by the hotplug callback

 private:
  struct ContextDeleter {
    void operator()(libusb_context* ctx) const noexcept;
  };
  std::unique_ptr<libusb_context, ContextDeleter> context_;
  std::unique_ptr<Pending> pending_;
  int hotplug_handle_ = 0;
  std::vector<hal::UsbDevice> last_;  // for the enumeration fallback
};

}  // namespace kiosk::drivers::usb
