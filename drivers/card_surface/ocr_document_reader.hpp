// The document reader on the card-surface camera (hal::DocumentReader): reads a 資格確認書 or an
// old 健康保険証 placed on the card tray.
//
// One frame (DocumentImageReader): the card locator finds the document (card-sized documents:
// the same ID-1 shape as the card) and rectifies it; the ruling of a table is taken out; every
// line of print is found (field_finder) and read by Tesseract (jpn, restricted to digits, the
// labels' and the eras' characters); the fields are found by their labels and checked
// (document_fields.hpp). Upside down is tried when the right way up gives no title.
//
// Several frames (OcrDocumentReader): the fields are released only when `frames_to_agree`
// consecutive certain reads agree exactly, with the rules of ReadAgreement for 照合番号B: an
// unreadable frame does not break a run, a frame without a document does, and two certain reads
// that differ end the read (refused: the patient types the numbers).
//
// Errors (hal::DocumentReadError): NoDocument (nothing on the tray), Unreadable (a document
// seen but never read with certainty, or frames that disagree), UnknownLayout (print without
// the title or the labels of a 資格確認書 / 健康保険証: a My Number card, a letter), DeviceGone
// (the camera failed or the OCR is not installed), Timeout (no frames).
//
// What the reader held (rectified images, OCR text, the fields) is overwritten: the fields go to
// the caller's sink as views of buffers wiped when the sink returns.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <opencv2/core/mat.hpp>

#include "drivers/card_surface/document_fields.hpp"
#include "drivers/card_surface/scanner_config.hpp"
#include "drivers/card_surface/tesseract_line.hpp"
#include "hal/camera.hpp"
#include "hal/clock.hpp"
#include "hal/document_reader.hpp"

namespace kiosk::drivers::card_surface {

enum class DocumentStatus { Read, NoDocument, Unreadable, UnknownLayout };
const char* to_string(DocumentStatus status);

struct DocumentRead {
  DocumentStatus status = DocumentStatus::NoDocument;
  std::string reason;  // what stopped the read (never a value read)
  ParsedDocument fields;
  std::size_t lines = 0;  // lines of print OCR'd
  double total_ms = 0.0;
};

class DocumentImageReader {
 public:
  // Loads Tesseract's "jpn" and "eng" data. Throws OcrSetupError.
  explicit DocumentImageReader(ScannerConfig config = {});

  // Reads one 8-bit BGR frame; `today` bounds the birth date.
  DocumentRead read(const cv::Mat& frame, std::chrono::year_month_day today);

  const ScannerConfig& config() const noexcept { return config_; }

 private:
  DocumentRead read_upright(const cv::Mat& grey, std::chrono::year_month_day today);
  bool upside_down(const cv::Mat& grey);
  OcrLine read_line(const cv::Mat& clean, const cv::Rect& box, double em);

  ScannerConfig config_;
  TesseractLine text_;     // jpn: labels, titles, dates, values
  TesseractLine digits_;   // eng digits: the dates' numbers again
  TesseractLine numbers_;  // eng digits and separators: the values without kanji again
};

struct DocumentScanStats {
  int frames = 0;
  int agreeing = 0;
  double elapsed_ms = 0;
};

class OcrDocumentReader final : public hal::DocumentReader {
 public:
  using CameraOpener = std::function<std::unique_ptr<hal::Camera>()>;

  // Reads from a camera that stays open (borrowed: it must outlive the reader).
  OcrDocumentReader(hal::Camera& camera, ScannerConfig config = {}, const hal::Clock* clock = nullptr);
  // Opens its camera for each read and closes it afterwards. The opener throws hal::CameraError.
  OcrDocumentReader(CameraOpener open_camera, ScannerConfig config = {}, const hal::Clock* clock = nullptr);

  // `expected` is the document the patient said they hold; the kind reported is the one the
  // title says.
  void read_document(hal::DocumentKind expected, std::chrono::milliseconds timeout, const FieldsSink& sink) override;

  const DocumentScanStats& last_read() const noexcept { return stats_; }

 private:
  void read_from(hal::Camera& camera, std::chrono::milliseconds timeout, const FieldsSink& sink);
  std::chrono::year_month_day today() const;

  hal::Camera* camera_ = nullptr;
  CameraOpener open_camera_;
  const hal::Clock* clock_ = nullptr;
  DocumentImageReader reader_;
  DocumentScanStats stats_;
};

}  // namespace kiosk::drivers::card_surface
