// Document reader interface: reads the printed fields of a paper insurance document placed under
// the card-surface camera — a 資格確認書 or an old 健康保険証 — for the number path of the
// reception (docs/reception-rules.md §12). The same camera and OCR that read 照合番号B from the
// card face (hal/card_surface_scanner.hpp) do it: drivers/card_surface/ocr_document_reader.hpp
// implements this contract (the Board's `documents`), the reception's 資格確認書 form uses it.
//
// What is read, as printed (the reception checks and normalises it with
// core/eligibility/number_entry.hpp, exactly as a typed entry):
//   insurer number (保険者番号, 6 or 8 digits), symbol (記号), number (番号), branch (枝番),
//   birth date (生年月日, printed in the Western or the Japanese era: 昭和50年11月30日; given as
//   YYYYMMDD), and the document's validity end (有効期限, YYYYMMDD) when printed.
// Every field comes with the reader's confidence; the patient always sees the values and confirms
// or corrects them on the entry screen before anything is looked up (an OCR misread must never
// become somebody else's qualification).
//
// The fields are personal data. As with 照合番号B, the reader lends them: read_document() calls
// the caller's sink with a view of its own buffers and wipes them when the sink returns; the
// reception copies what it needs inside the sink. Nothing is kept in the reader between calls,
// and no image is written anywhere.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace kiosk::hal {

enum class DocumentKind {
  EligibilityCertificate,  // 資格確認書 (card-sized or A4/A5 paper; layouts differ by insurer)
  HealthInsuranceCard,     // 従来の健康保険証 (usable until 2025-12-01)
};

constexpr const char* to_string(DocumentKind k) {
  switch (k) {
    case DocumentKind::EligibilityCertificate: return "eligibility-certificate";
    case DocumentKind::HealthInsuranceCard: return "health-insurance-card";
  }
  return "unknown";
}

// One printed field: its text as read (UTF-8, full-width forms allowed) and how sure the reader
// is (0..1). An empty text: the field was not found (a 枝番 is often not printed).
struct ReadField {
  std::string_view text;
  float confidence = 0.0F;
};

struct DocumentFields {
  DocumentKind kind = DocumentKind::EligibilityCertificate;  // what the layout looked like
  ReadField insurer_number;
  ReadField symbol;
  ReadField number;
  ReadField branch;
  ReadField birthdate;    // YYYYMMDD: the reader parses the print (和暦 or Western) to check it
  ReadField valid_until;  // 有効期限 as YYYYMMDD, when there is one
};

enum class DocumentReadErrorKind {
  NoDocument,   // nothing under the camera
  Unreadable,   // a document is there but its fields cannot be read (glare, folded, covered)
  UnknownLayout,  // not a 資格確認書 or 健康保険証 layout the reader knows (the patient types the numbers)
  DeviceGone,   // the camera is not available
  Timeout,      // nothing readable within the time allowed
};

constexpr const char* to_string(DocumentReadErrorKind k) {
  switch (k) {
    case DocumentReadErrorKind::NoDocument: return "no-document";
    case DocumentReadErrorKind::Unreadable: return "unreadable";
    case DocumentReadErrorKind::UnknownLayout: return "unknown-layout";
    case DocumentReadErrorKind::DeviceGone: return "device-gone";
    case DocumentReadErrorKind::Timeout: return "timeout";
  }
  return "unknown";
}

// What the patient (or a technician) should do; in every case typing the numbers remains possible.
constexpr const char* advice(DocumentReadErrorKind k) {
  switch (k) {
    case DocumentReadErrorKind::NoDocument: return "place the document face up under the camera";
    case DocumentReadErrorKind::Unreadable: return "flatten the document, keep it still and out of direct light, or type the numbers";
    case DocumentReadErrorKind::UnknownLayout: return "type the numbers on the screen";
    case DocumentReadErrorKind::DeviceGone: return "type the numbers; technician: check the card-surface camera";
    case DocumentReadErrorKind::Timeout: return "place the document again, or type the numbers";
  }
  return "type the numbers";
}

class DocumentReadError : public std::runtime_error {
 public:
  DocumentReadError(DocumentReadErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  DocumentReadErrorKind kind() const noexcept { return kind_; }
  const char* advice() const noexcept { return hal::advice(kind_); }

 private:
  DocumentReadErrorKind kind_;
};

class DocumentReader {
 public:
  using FieldsSink = std::function<void(const DocumentFields& fields)>;

  virtual ~DocumentReader() = default;
  DocumentReader() = default;
  DocumentReader(const DocumentReader&) = delete;
  DocumentReader& operator=(const DocumentReader&) = delete;

  // Reads the document under the camera, waiting at most `timeout`, and calls `sink` once with
  // its fields (views valid only during the call; the reader wipes its buffers afterwards).
  // `expected` is the document the patient said they hold (the layout to try first). Throws
  // DocumentReadError; the sink is not called then.
  virtual void read_document(DocumentKind expected, std::chrono::milliseconds timeout, const FieldsSink& sink) = 0;
};

}  // namespace kiosk::hal
