// The card-surface scanner of the simulator: "reads" 照合番号B from the printed face of a
// simulated card (birth date, card expiry, security code: the fields a real scanner's OCR
// reads), so it works from the card's printed data, not from the chip.
#pragma once

#include <array>
#include <filesystem>
#include <optional>

#include "hal/card_surface_scanner.hpp"
#include "sim/card/card_profile.hpp"

namespace kiosk::sim::camera {

class SimulatedCardSurfaceScanner final : public hal::CardSurfaceScanner {
 public:
  SimulatedCardSurfaceScanner() = default;  // no card on the tray
  explicit SimulatedCardSurfaceScanner(const sim::card::CardProfile& card) { place(card); }
  ~SimulatedCardSurfaceScanner() override;

  // Puts a card on the tray. A smartphone has nothing printed (NotPrinted on scanning).
  void place(const sim::card::CardProfile& card);
  // A card file made by `kiosk-sim card issue`.
  void place(const std::filesystem::path& card_file) { place(sim::card::CardProfile::load(card_file)); }
  void remove() noexcept;
  // Makes every scan fail with `fault` (Unreadable: glare, DeviceGone: scanner broken), or
  // clears it.
  void inject_fault(std::optional<hal::SurfaceScanErrorKind> fault) noexcept { fault_ = fault; }

  void scan_code_b(std::chrono::milliseconds timeout, const DigitsSink& sink) override;

 private:
  std::array<char, 14> digits_{};
  bool present_ = false;
  bool printed_ = false;
  std::optional<hal::SurfaceScanErrorKind> fault_;
};

}  // namespace kiosk::sim::camera
