#include "core/diagnostics/usb_checks.hpp"

#include <stdexcept>

namespace kiosk::core::diagnostics {
namespace {

std::string line(const hal::UsbDevice& d) {
  std::string s = d.vid_pid() + " bus " + std::to_string(d.bus) + " port " + d.port_path + ", " + d.speed + " speed";
  if (!d.manufacturer.empty() || !d.product.empty()) s += ", " + d.manufacturer + (d.manufacturer.empty() ? "" : " ") + d.product;
  return s;
}

}  // namespace

std::string describe(const hal::UsbEvent& e) {
  return std::string(e.arrived ? "arrived: " : "left:    ") + to_string(e.device.kind) + " " + line(e.device);
}

std::vector<CheckResult> check_usb(hal::UsbInventory& usb, const UsbExpectations& expect) {
  std::vector<CheckResult> out;
  std::vector<hal::UsbDevice> devices;
  try {
    devices = usb.devices();
  } catch (const std::exception& e) {
    out.push_back({"usb", "USB enumeration", Status::Fail, e.what(),
                   "run diagnostics as root or give the kiosk user access to /dev/bus/usb"});
    return out;
  }
  out.push_back({"usb", "USB enumeration", Status::Pass, std::to_string(devices.size()) + " devices", ""});
  int readers = 0;
  int cameras = 0;
  for (const auto& d : devices) {
    if (d.kind == hal::UsbDeviceKind::SmartCardReader) {
      ++readers;
      out.push_back({"usb", "card reader " + d.vid_pid(), Status::Pass, line(d), ""});
    } else if (d.kind == hal::UsbDeviceKind::Camera) {
      ++cameras;
      const bool slow = d.speed == "low" || d.speed == "full";
      out.push_back({"usb", "camera " + d.vid_pid(), slow ? Status::Warn : Status::Pass, line(d),
                     slow ? "the camera runs at USB 1.1 speed: plug it into a USB 2.0 or faster port, not through a slow hub"
                          : ""});
    }
  }
  if (readers == 0) {
    out.push_back({"usb", "card reader present", Status::Fail, "no CCID smart-card reader on USB",
                   "connect the contactless card reader; check the cable and the port"});
  }
  if (cameras == 0) {
    out.push_back({"usb", "camera present", expect.camera_required ? Status::Fail : Status::Skip, "no UVC camera on USB",
                   expect.camera_required ? "connect the camera; face authentication needs it" : ""});
  }
  return out;
}

}  // namespace kiosk::core::diagnostics
