#include "drivers/usb/libusb_inventory.hpp"

#include <libusb-1.0/libusb.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace kiosk::drivers::usb {
namespace {

constexpr std::uint8_t kClassSmartCard = 0x0B;
constexpr std::uint8_t kClassVideo = 0x0E;

std::string speed_name(int speed) {
  switch (speed) {
    case LIBUSB_SPEED_LOW: return "low";
    case LIBUSB_SPEED_FULL: return "full";
    case LIBUSB_SPEED_HIGH: return "high";
    case LIBUSB_SPEED_SUPER: return "super";
    case LIBUSB_SPEED_SUPER_PLUS: return "super+";
    default: return "unknown";
  }
}

struct ConfigDeleter {
  void operator()(libusb_config_descriptor* c) const noexcept { libusb_free_config_descriptor(c); }
};
struct HandleDeleter {
  void operator()(libusb_device_handle* h) const noexcept { libusb_close(h); }
};

hal::UsbDeviceKind classify(libusb_device* dev, const libusb_device_descriptor& desc) {
  if (desc.bDeviceClass == kClassSmartCard) return hal::UsbDeviceKind::SmartCardReader;
  if (desc.bDeviceClass == kClassVideo) return hal::UsbDeviceKind::Camera;
  libusb_config_descriptor* raw = nullptr;
  if (libusb_get_active_config_descriptor(dev, &raw) != 0 && libusb_get_config_descriptor(dev, 0, &raw) != 0) {
    return hal::UsbDeviceKind::Other;
  }
  const std::unique_ptr<libusb_config_descriptor, ConfigDeleter> config(raw);
  for (int i = 0; i < config->bNumInterfaces; ++i) {
    const libusb_interface& itf = config->interface[i];
    for (int a = 0; a < itf.num_altsetting; ++a) {
      if (itf.altsetting[a].bInterfaceClass == kClassSmartCard) return hal::UsbDeviceKind::SmartCardReader;
      if (itf.altsetting[a].bInterfaceClass == kClassVideo) return hal::UsbDeviceKind::Camera;
    }
  }
  return hal::UsbDeviceKind::Other;
}

std::string read_string(libusb_device_handle* h, std::uint8_t index) {
  if (h == nullptr || index == 0) return {};
  unsigned char buf[256];
  const int n = libusb_get_string_descriptor_ascii(h, index, buf, sizeof buf);
  return n > 0 ? std::string(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n)) : std::string();
}

hal::UsbDevice describe(libusb_device* dev) {
  libusb_device_descriptor desc{};
  hal::UsbDevice d;
  if (libusb_get_device_descriptor(dev, &desc) != 0) return d;
  d.vendor_id = desc.idVendor;
  d.product_id = desc.idProduct;
  d.bus = libusb_get_bus_number(dev);
  std::uint8_t ports[8];
  const int n = libusb_get_port_numbers(dev, ports, sizeof ports);
  d.port_path = std::to_string(d.bus);
  for (int i = 0; i < n; ++i) d.port_path += (i == 0 ? "-" : ".") + std::to_string(ports[i]);
  d.speed = speed_name(libusb_get_device_speed(dev));
  d.kind = classify(dev, desc);
  libusb_device_handle* raw = nullptr;
  if (libusb_open(dev, &raw) == 0) {  // strings need the device opened; may fail without permission
    const std::unique_ptr<libusb_device_handle, HandleDeleter> handle(raw);
    d.manufacturer = read_string(handle.get(), desc.iManufacturer);
    d.product = read_string(handle.get(), desc.iProduct);
  }
  return d;
}

bool same_device(const hal::UsbDevice& a, const hal::UsbDevice& b) {
  return a.port_path == b.port_path && a.vendor_id == b.vendor_id && a.product_id == b.product_id;
}

}  // namespace

struct LibusbInventory::Pending {
  std::vector<hal::UsbEvent> events;
};

extern "C" {
static int on_hotplug(libusb_context*, libusb_device* dev, libusb_hotplug_event event, void* user) {
  auto* pending = static_cast<LibusbInventory::Pending*>(user);
  pending->events.push_back({event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, describe(dev)});
  return 0;  // stay registered
}
}

void LibusbInventory::ContextDeleter::operator()(libusb_context* ctx) const noexcept { libusb_exit(ctx); }

LibusbInventory::LibusbInventory() : pending_(std::make_unique<Pending>()) {
  libusb_context* raw = nullptr;
  const int rc = libusb_init(&raw);
  if (rc != 0) throw std::runtime_error(std::string("libusb_init: ") + libusb_strerror(rc));
  context_.reset(raw);
  if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0) {
    const int events = LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT;
    if (libusb_hotplug_register_callback(context_.get(), static_cast<libusb_hotplug_event>(events),
                                         LIBUSB_HOTPLUG_NO_FLAGS, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                                         LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, pending_.get(),
                                         &hotplug_handle_) != LIBUSB_SUCCESS) {
      hotplug_handle_ = 0;
    }
  }
  last_ = devices();
}

LibusbInventory::~LibusbInventory() {
  if (hotplug_handle_ != 0) libusb_hotplug_deregister_callback(context_.get(), hotplug_handle_);
}

std::vector<hal::UsbDevice> LibusbInventory::devices() {
  libusb_device** list = nullptr;
  const ssize_t n = libusb_get_device_list(context_.get(), &list);
  if (n < 0) throw std::runtime_error(std::string("libusb_get_device_list: ") + libusb_strerror(static_cast<int>(n)));
  std::vector<hal::UsbDevice> out;
  for (ssize_t i = 0; i < n; ++i) out.push_back(describe(list[i]));
  libusb_free_device_list(list, 1);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.port_path < b.port_path; });
  return out;
}

std::vector<hal::UsbEvent> LibusbInventory::wait_for_changes(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (hotplug_handle_ != 0) {
      timeval tv{0, 200000};
      libusb_handle_events_timeout_completed(context_.get(), &tv, nullptr);
      if (!pending_->events.empty()) return std::exchange(pending_->events, {});
    } else {
      const auto now = devices();
      std::vector<hal::UsbEvent> events;
      for (const auto& d : now) {
        if (std::none_of(last_.begin(), last_.end(), [&](const auto& o) { return same_device(o, d); })) events.push_back({true, d});
      }
      for (const auto& d : last_) {
        if (std::none_of(now.begin(), now.end(), [&](const auto& o) { return same_device(o, d); })) events.push_back({false, d});
      }
      last_ = now;
      if (!events.empty()) return events;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    if (std::chrono::steady_clock::now() >= deadline) return {};
  }
}

}  // namespace kiosk::drivers::usb
