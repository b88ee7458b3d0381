// Card-surface scanner interface: reads 照合番号B from the printed face of the card.
//
// 照合番号B is the key of the 券面事項確認AP (the card photo): 14 digits made of the holder's
// birth date (Japanese era, YYMMDD), the card's expiry year (YYYY) and the 4-digit security
// code printed on the card. A face-authentication reader gets them by imaging the card face
// (OCR); the simulator (sim/camera) reads them from the simulated card's profile.
//
// The digits are a secret (they open the photo). hal cannot use core's core::card::Secret (hal
// includes nothing from core), and a value type here would be one more copy to wipe. So the
// scanner lends them: scan_code_b() calls the caller's sink with a view of its own buffer and
// wipes that buffer as soon as the sink returns. The reception copies them straight into a
// core::card::Secret inside the sink:
//
//   core::card::Secret code_b;
//   scanner.scan_code_b(5s, [&](std::string_view digits) { code_b = core::card::Secret(digits); });
//
// The view must not outlive the sink call; nothing else keeps the digits.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace kiosk::hal {

enum class SurfaceScanErrorKind {
  NoCard,        // no card on the scanner's tray
  Unreadable,    // a card is there but the digits cannot be read (glare, misplaced, dirty)
  NotPrinted,    // the token has no printed 照合番号B fields (a smartphone, not a My Number card)
  DeviceGone,    // the scanner itself is not available
  Timeout,       // nothing readable within the time allowed
};

constexpr const char* to_string(SurfaceScanErrorKind kind) {
  switch (kind) {
    case SurfaceScanErrorKind::NoCard: return "no-card";
    case SurfaceScanErrorKind::Unreadable: return "unreadable";
    case SurfaceScanErrorKind::NotPrinted: return "not-printed";
    case SurfaceScanErrorKind::DeviceGone: return "device-gone";
    case SurfaceScanErrorKind::Timeout: return "timeout";
  }
  return "unknown";
}

// What the patient (or technician) should do. In every case the PIN remains possible.
constexpr const char* advice(SurfaceScanErrorKind kind) {
  switch (kind) {
    case SurfaceScanErrorKind::NoCard: return "place the card face up on the reader";
    case SurfaceScanErrorKind::Unreadable: return "place the card face up, flat and straight, and keep it still";
    case SurfaceScanErrorKind::NotPrinted: return "face authentication needs the physical card: use the PIN";
    case SurfaceScanErrorKind::DeviceGone: return "use the PIN; technician: check the card-surface scanner";
    case SurfaceScanErrorKind::Timeout: return "place the card again, or use the PIN";
  }
  return "use the PIN";
}

class SurfaceScanError : public std::runtime_error {
 public:
  SurfaceScanError(SurfaceScanErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  SurfaceScanErrorKind kind() const noexcept { return kind_; }
  const char* advice() const noexcept { return hal::advice(kind_); }

 private:
  SurfaceScanErrorKind kind_;
};

// Overwrites memory in a way the optimiser does not remove (header-only, for scanners).
inline void wipe_scanned(void* data, std::size_t size) noexcept {
  volatile unsigned char* p = static_cast<volatile unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) p[i] = 0;
}

// A fixed buffer for scanners to hold the digits in while the sink runs: never reallocated,
// wiped on destruction.
class ScannedDigits {
 public:
  static constexpr std::size_t kCapacity = 16;
  ScannedDigits() = default;
  ~ScannedDigits() { wipe_scanned(buffer_.data(), buffer_.size()); }
  ScannedDigits(const ScannedDigits&) = delete;
  ScannedDigits& operator=(const ScannedDigits&) = delete;

  // Throws std::length_error when full.
  void push_back(char c) {
    if (size_ == kCapacity) throw std::length_error("scanned digits: buffer full");
    buffer_[size_++] = c;
  }
  std::string_view view() const noexcept { return {buffer_.data(), size_}; }
  std::size_t size() const noexcept { return size_; }

 private:
  std::array<char, kCapacity> buffer_{};
  std::size_t size_ = 0;
};

class CardSurfaceScanner {
 public:
  using DigitsSink = std::function<void(std::string_view digits)>;

  virtual ~CardSurfaceScanner() = default;
  CardSurfaceScanner() = default;
  CardSurfaceScanner(const CardSurfaceScanner&) = delete;
  CardSurfaceScanner& operator=(const CardSurfaceScanner&) = delete;

  // Reads the card face, waiting at most `timeout`, and calls `sink` once with the 14 digits
  // of 照合番号B (ASCII '0'-'9'). The view is valid only during the call. Throws
  // SurfaceScanError; the sink is not called then.
  virtual void scan_code_b(std::chrono::milliseconds timeout, const DigitsSink& sink) = 0;
};

}  // namespace kiosk::hal
