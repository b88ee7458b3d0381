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
//
// scan_card_face() is the same with what the scanner learnt about the card besides the digits
// (which card generation's layout it read). Scanners that know nothing more inherit its
// default, which reports CardGeneration::Unknown.
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

// What an optical scanner saw when it could not read the card (Unreadable, Timeout): more
// specific advice than the kind's. None: the scanner cannot tell.
enum class SurfaceScanHint {
  None,
  Glare,        // a bright reflection over a printed field
  Blurred,      // the card image is not sharp (moving, not flat, too close)
  CardCutOff,   // part of the card is outside the camera's view
  Covered,      // something (a finger) covers a printed field
  FaceDown,     // a card is there but its printed front is not (the back side, upside down in a sleeve)
  LowContrast,  // washed-out print (a sleeve, dim or uneven light)
  Uncertain,    // the fields were found but not read with certainty, or frames disagreed
};

constexpr const char* to_string(SurfaceScanHint hint) {
  switch (hint) {
    case SurfaceScanHint::None: return "none";
    case SurfaceScanHint::Glare: return "glare";
    case SurfaceScanHint::Blurred: return "blurred";
    case SurfaceScanHint::CardCutOff: return "card-cut-off";
    case SurfaceScanHint::Covered: return "covered";
    case SurfaceScanHint::FaceDown: return "face-down";
    case SurfaceScanHint::LowContrast: return "low-contrast";
    case SurfaceScanHint::Uncertain: return "uncertain";
  }
  return "unknown";
}

constexpr const char* advice(SurfaceScanHint hint) {
  switch (hint) {
    case SurfaceScanHint::None: return "place the card face up, flat and straight, and keep it still";
    case SurfaceScanHint::Glare: return "avoid glare: take the card out of a glossy sleeve or move it out of the direct light";
    case SurfaceScanHint::Blurred: return "place the card flat on the tray and keep it still";
    case SurfaceScanHint::CardCutOff: return "place the whole card inside the marked area of the tray";
    case SurfaceScanHint::Covered: return "keep your fingers off the printed side of the card";
    case SurfaceScanHint::FaceDown: return "place the card face up, with the photo side visible";
    case SurfaceScanHint::LowContrast: return "take the card out of its sleeve and place it flat on the tray";
    case SurfaceScanHint::Uncertain:
      return "place the card flat, out of its sleeve and away from glare, and keep it still";
  }
  return "place the card face up, flat and straight, and keep it still";
}

class SurfaceScanError : public std::runtime_error {
 public:
  SurfaceScanError(SurfaceScanErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  SurfaceScanError(SurfaceScanErrorKind kind, SurfaceScanHint hint, const std::string& what)
      : std::runtime_error(what), kind_(kind), hint_(hint) {}
  SurfaceScanErrorKind kind() const noexcept { return kind_; }
  SurfaceScanHint hint() const noexcept { return hint_; }
  // The hint's advice when there is one, otherwise the kind's.
  const char* advice() const noexcept {
    return hint_ == SurfaceScanHint::None ? hal::advice(kind_) : hal::advice(hint_);
  }

 private:
  SurfaceScanErrorKind kind_;
  SurfaceScanHint hint_ = SurfaceScanHint::None;
};

// Which card's printed layout was read (card-face-layout.md): today's card prints the birth
// date in the Japanese era, the next-generation card (from 2026) in the Gregorian calendar.
enum class CardGeneration { Unknown, Current, Next };

constexpr const char* to_string(CardGeneration generation) {
  switch (generation) {
    case CardGeneration::Unknown: return "unknown";
    case CardGeneration::Current: return "current";
    case CardGeneration::Next: return "next";
  }
  return "unknown";
}

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

  // What the scanner learnt about the card besides the digits.
  struct CardFaceFacts {
    CardGeneration generation = CardGeneration::Unknown;
  };
  using CardFaceSink = std::function<void(std::string_view digits, const CardFaceFacts& facts)>;

  // As scan_code_b(), with the facts. The default knows no facts (generation Unknown).
  virtual void scan_card_face(std::chrono::milliseconds timeout, const CardFaceSink& sink) {
    scan_code_b(timeout, [&](std::string_view digits) { sink(digits, CardFaceFacts{}); });
  }

  // What the scanner works without that it would read better with (optional OCR data not
  // installed), for diagnostics; empty when it has everything.
  virtual std::string degraded() const { return {}; }
};

}  // namespace kiosk::hal
