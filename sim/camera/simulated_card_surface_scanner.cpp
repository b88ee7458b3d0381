#include "sim/camera/simulated_card_surface_scanner.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace kiosk::sim::camera {

SimulatedCardSurfaceScanner::~SimulatedCardSurfaceScanner() { remove(); }

void SimulatedCardSurfaceScanner::place(const sim::card::CardProfile& card) {
  remove();
  present_ = true;
  printed_ = card.token == sim::card::TokenType::Card;
  if (!printed_) return;
  std::string code = sim::card::compute_code_b(card.birth_date, card.card_expiry, card.security_code);
  if (code.size() != digits_.size()) {
    hal::wipe_scanned(code.data(), code.size());
    throw std::invalid_argument("the card's printed fields do not make a 14-digit 照合番号B");
  }
  std::copy(code.begin(), code.end(), digits_.begin());
  hal::wipe_scanned(code.data(), code.size());
}

void SimulatedCardSurfaceScanner::remove() noexcept {
  hal::wipe_scanned(digits_.data(), digits_.size());
  present_ = false;
  printed_ = false;
}

void SimulatedCardSurfaceScanner::scan_code_b(std::chrono::milliseconds timeout, const DigitsSink& sink) {
  if (fault_) {
    throw hal::SurfaceScanError(*fault_, std::string("simulated card-surface scanner: ") + hal::to_string(*fault_));
  }
  if (!present_) {
    throw hal::SurfaceScanError(hal::SurfaceScanErrorKind::NoCard,
                                "no card on the scanner within " + std::to_string(timeout.count()) + " ms");
  }
  if (!printed_) {
    throw hal::SurfaceScanError(hal::SurfaceScanErrorKind::NotPrinted, "the token has no printed card face");
  }
  hal::ScannedDigits scanned;
  for (char c : digits_) scanned.push_back(c);
  sink(scanned.view());
}

}  // namespace kiosk::sim::camera
