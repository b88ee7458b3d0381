// USB inventory checks: is there a smart-card reader and a camera, on a fast enough port.
#pragma once

#include <vector>

#include "core/diagnostics/report.hpp"
#include "hal/usb_inventory.hpp"

namespace kiosk::core::diagnostics {

struct UsbExpectations {
  bool camera_required = true;  // face authentication enabled
};

std::vector<CheckResult> check_usb(hal::UsbInventory& usb, const UsbExpectations& expect = {});

// One line per hotplug event, for `kiosk diag --watch`.
std::string describe(const hal::UsbEvent& event);

}  // namespace kiosk::core::diagnostics
