// The card-surface scanner on a camera: pulls frames from its own camera (a second camera that
// looks at the card tray; any hal::Camera: a V4L2 device, recorded input, the simulator's tray
// camera), reads each with CardSurfaceReader and releases 照合番号B only when several frames
// agree (ReadAgreement). The digits go to the caller's sink from a wiped buffer; the scanner
// keeps no copy and overwrites every frame, image and intermediate string it handled.
//
// Errors (hal::SurfaceScanError): NoCard (no card seen until the time ran out), Unreadable with
// a hint (a card seen but never read with certainty, or frames that disagree), DeviceGone (the
// camera failed or the OCR is not installed), Timeout (the camera gave no frames in time).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "drivers/card_surface/scanner_config.hpp"
#include "drivers/card_surface/surface_reader.hpp"
#include "hal/camera.hpp"
#include "hal/card_surface_scanner.hpp"
#include "hal/clock.hpp"

namespace kiosk::drivers::card_surface {

// What the last scan did (no personal data): for diagnostics and the benchmark.
struct ScanStats {
  int frames = 0;          // frames read
  int agreeing = 0;        // identical certain reads at the end
  double elapsed_ms = 0;   // the whole scan
  double read_ms = 0;      // sum of the per-frame read times
};

class OcrCardSurfaceScanner final : public hal::CardSurfaceScanner {
 public:
  using CameraOpener = std::function<std::unique_ptr<hal::Camera>()>;

  // Reads from a camera that stays open (borrowed: it must outlive the scanner).
  OcrCardSurfaceScanner(hal::Camera& camera, ScannerConfig config = {}, const hal::Clock* clock = nullptr);
  // Opens its camera for each scan and closes it afterwards (the scanner camera is on only
  // during a face attempt). The opener throws hal::CameraError.
  OcrCardSurfaceScanner(CameraOpener open_camera, ScannerConfig config = {}, const hal::Clock* clock = nullptr);

  void scan_code_b(std::chrono::milliseconds timeout, const DigitsSink& sink) override;
  void scan_card_face(std::chrono::milliseconds timeout, const CardFaceSink& sink) override;

  // The second-opinion models whose data is not installed (fewer cards are read without them).
  std::string degraded() const override;

  const ScanStats& last_scan() const noexcept { return stats_; }
  const ScannerConfig& config() const noexcept { return reader_.config(); }

 private:
  void scan(hal::Camera& camera, std::chrono::milliseconds timeout, const CardFaceSink& sink);
  std::chrono::year_month_day today() const;

  hal::Camera* camera_ = nullptr;
  CameraOpener open_camera_;
  const hal::Clock* clock_ = nullptr;
  CardSurfaceReader reader_;
  ScanStats stats_;
};

}  // namespace kiosk::drivers::card_surface
