#include "drivers/card_surface/ocr_card_surface_scanner.hpp"

#include <algorithm>

#include "drivers/card_surface/read_agreement.hpp"
#include "drivers/card_surface/wipe.hpp"

namespace kiosk::drivers::card_surface {

namespace {

using Clock = std::chrono::steady_clock;

// Tesseract missing is the scanner being unusable, not the card.
CardSurfaceReader make_reader(ScannerConfig config) {
  try {
    return CardSurfaceReader(std::move(config));
  } catch (const OcrSetupError& e) {
    throw hal::SurfaceScanError(hal::SurfaceScanErrorKind::DeviceGone, e.what());
  }
}

}  // namespace

OcrCardSurfaceScanner::OcrCardSurfaceScanner(hal::Camera& camera, ScannerConfig config, const hal::Clock* clock)
    : camera_(&camera), clock_(clock), reader_(make_reader(std::move(config))) {}

OcrCardSurfaceScanner::OcrCardSurfaceScanner(CameraOpener open_camera, ScannerConfig config, const hal::Clock* clock)
    : open_camera_(std::move(open_camera)), clock_(clock), reader_(make_reader(std::move(config))) {}

std::chrono::year_month_day OcrCardSurfaceScanner::today() const {
  const auto now = clock_ != nullptr ? clock_->now() : std::chrono::system_clock::now();
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)};
}

void OcrCardSurfaceScanner::scan_code_b(std::chrono::milliseconds timeout, const DigitsSink& sink) {
  scan_card_face(timeout, [&](std::string_view digits, const CardFaceFacts&) { sink(digits); });
}

std::string OcrCardSurfaceScanner::degraded() const {
  const auto& missing = reader_.second_opinions().missing();
  if (missing.empty()) return {};
  std::string names;
  for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
  return "Tesseract data of the second-opinion models " + names +
         " is not installed: digits the two engines disagree on are refused (fewer cards read)";
}

void OcrCardSurfaceScanner::scan_card_face(std::chrono::milliseconds timeout, const CardFaceSink& sink) {
  if (camera_ != nullptr) {
    scan(*camera_, timeout, sink);
    return;
  }
  std::unique_ptr<hal::Camera> camera;
  try {
    camera = open_camera_();
  } catch (const hal::CameraError& e) {
    throw hal::SurfaceScanError(hal::SurfaceScanErrorKind::DeviceGone,
                                std::string("the card-surface camera: ") + e.what() + " (" + e.advice() + ")");
  }
  scan(*camera, timeout, sink);  // the camera closes when this returns or throws
}

void OcrCardSurfaceScanner::scan(hal::Camera& camera, std::chrono::milliseconds timeout, const CardFaceSink& sink) {
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  stats_ = ScanStats{};
  ReadAgreement agreement(reader_.config().read.frames_to_agree);
  const auto day = today();
  bool any_frame = false;
  for (;;) {
    const auto now = Clock::now();
    if (now >= deadline) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    hal::CameraFrame frame;
    try {
      frame = camera.next_frame(std::max(left, std::chrono::milliseconds(1)));
    } catch (const hal::CameraError& e) {
      if (e.kind() == hal::CameraErrorKind::Timeout) continue;  // the deadline decides
      throw hal::SurfaceScanError(hal::SurfaceScanErrorKind::DeviceGone,
                                  std::string("the card-surface camera: ") + e.what() + " (" + e.advice() + ")");
    }
    any_frame = true;
    SurfaceRead read = reader_.read(frame.image, day);
    wipe(frame.image);
    ++stats_.frames;
    stats_.read_ms += read.total_ms;
    const ReadAgreement::Verdict verdict = agreement.add(read);
    stats_.agreeing = agreement.agreeing();
    if (verdict == ReadAgreement::Verdict::Agreed) {
      stats_.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      hal::ScannedDigits digits;
      for (char c : agreement.code().view()) digits.push_back(c);
      sink(digits.view(), CardFaceFacts{agreement.generation()});
      return;
    }
    if (verdict == ReadAgreement::Verdict::Contradicted) break;
  }
  stats_.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  const SurfaceRead& why = agreement.last_failure();
  if (!any_frame) {
    throw hal::SurfaceScanError(hal::SurfaceScanErrorKind::Timeout,
                                "the card-surface camera gave no frame within " + std::to_string(timeout.count()) + " ms");
  }
  if (!agreement.card_seen()) {
    throw hal::SurfaceScanError(hal::SurfaceScanErrorKind::NoCard, "no card seen by the card-surface camera within " +
                                                                       std::to_string(timeout.count()) + " ms");
  }
  if (why.status == ReadStatus::Read || why.status == ReadStatus::NoCard) {
    // Reads came but too few agreed before the time ran out.
    throw hal::SurfaceScanError(hal::SurfaceScanErrorKind::Unreadable, hal::SurfaceScanHint::Uncertain,
                                "the card was not read the same way often enough within " +
                                    std::to_string(timeout.count()) + " ms");
  }
  throw hal::SurfaceScanError(hal::SurfaceScanErrorKind::Unreadable, why.hint,
                              "the card could not be read with certainty: " + why.reason);
}

}  // namespace kiosk::drivers::card_surface
