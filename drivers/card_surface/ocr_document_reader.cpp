#include "drivers/card_surface/ocr_document_reader.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "drivers/card_surface/card_locator.hpp"
#include "drivers/card_surface/field_finder.hpp"
#include "drivers/card_surface/wipe.hpp"

namespace kiosk::drivers::card_surface {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// What the documents print that the reader needs: digits, the labels, the eras, the titles,
// brackets and separators. Anything else (names, insurers' names) comes out as some of these and
// is never a field (document_fields.hpp refuses a label read twice).
constexpr const char* kDocumentAlphabet =
    "0123456789-・()（）記号番枝生年月日有効期限保険者名称交付資格取得確認書被証健康国民氏性別男女大正昭和平成令元本人";
// The em the line finder expects (a field's print is 1.9 to 3.6 mm tall).
constexpr double kEmMm = 2.4;
// The pixel height the OCR sees a line's ink box at.
constexpr int kLineHeight = 32;
// More lines than this is not one of the documents (a page of text): not read.
constexpr std::size_t kMaxLines = 40;

double sharpness(const cv::Mat& grey) {
  cv::Mat lap;
  cv::Laplacian(grey, lap, CV_32F);
  cv::Scalar mean, sd;
  cv::meanStdDev(lap, mean, sd);
  return sd[0] * sd[0];
}

// The document with the ruling of its table taken out (long straight strokes, drawn over with
// white), so that a value and the rule beside it do not make one line.
cv::Mat without_rules(const cv::Mat& grey, double ppm) {
  const double em = kEmMm * ppm;
  const int k = std::max(3, static_cast<int>(std::lround(em)) | 1);
  cv::Mat hat;
  cv::morphologyEx(grey, hat, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(k, k)));
  cv::Mat ink;
  cv::threshold(hat, ink, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  cv::Mat horizontal;
  cv::Mat vertical;
  cv::morphologyEx(ink, horizontal, cv::MORPH_OPEN,
                   cv::getStructuringElement(cv::MORPH_RECT, cv::Size(static_cast<int>(std::lround(8.0 * ppm)), 1)));
  cv::morphologyEx(ink, vertical, cv::MORPH_OPEN,
                   cv::getStructuringElement(cv::MORPH_RECT, cv::Size(1, static_cast<int>(std::lround(4.5 * ppm)))));
  cv::Mat rules = horizontal | vertical;
  cv::dilate(rules, rules, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
  cv::Mat out = grey.clone();
  out.setTo(cv::Scalar(255), rules);
  wipe(hat);
  wipe(ink);
  return out;
}

void wipe_boxes(std::vector<TextBox>& boxes) noexcept {
  for (auto& b : boxes) {
    for (auto& s : b.symbols) wipe(s.text);
  }
  boxes.clear();
}

}  // namespace

const char* to_string(DocumentStatus status) {
  switch (status) {
    case DocumentStatus::Read: return "read";
    case DocumentStatus::NoDocument: return "no-document";
    case DocumentStatus::Unreadable: return "unreadable";
    case DocumentStatus::UnknownLayout: return "unknown-layout";
  }
  return "unknown";
}

DocumentImageReader::DocumentImageReader(ScannerConfig config)
    : config_(std::move(config)), text_("jpn", kDocumentAlphabet, config_.tessdata_dir) {}

DocumentRead DocumentImageReader::read_upright(const cv::Mat& grey, std::chrono::year_month_day today) {
  DocumentRead out;
  const double ppm = config_.imaging.pixels_per_mm;
  const double em = kEmMm * ppm;
  WipedMat clean(without_rules(grey, ppm));
  std::vector<cv::Rect> found = find_text_lines(*clean, cv::Rect(0, 0, clean->cols, clean->rows), em, cv::Point(0, 0), 0.3);
  if (found.size() > kMaxLines) {
    out.status = DocumentStatus::UnknownLayout;
    out.reason = "more print than a 資格確認書 or 健康保険証 has";
    return out;
  }
  std::sort(found.begin(), found.end(), [](const cv::Rect& a, const cv::Rect& b) { return a.y != b.y ? a.y < b.y : a.x < b.x; });
  std::vector<TextBox> boxes;
  boxes.reserve(found.size());
  for (const cv::Rect& r : found) {
    WipedMat image(ocr_image(*clean, r, em, kLineHeight));
    OcrLine line = text_.read(*image);
    if (line.symbols.empty()) continue;
    TextBox b;
    b.box = r;
    b.symbols = std::move(line.symbols);
    line.symbols.clear();
    boxes.push_back(std::move(b));
  }
  out.lines = boxes.size();
  out.fields = parse_document(boxes, FieldRules{config_.read.min_digit_confidence, today});
  wipe_boxes(boxes);
  if (out.fields.complete()) {
    out.status = DocumentStatus::Read;
  } else if (!out.fields.kind && out.lines >= 3 && out.fields.labels < 2) {
    out.status = DocumentStatus::UnknownLayout;
    out.reason = "print without the title or the labels of a 資格確認書 or 健康保険証";
  } else {
    out.status = DocumentStatus::Unreadable;
    out.reason = out.fields.problem;
  }
  return out;
}

DocumentRead DocumentImageReader::read(const cv::Mat& frame, std::chrono::year_month_day today) {
  const auto start = Clock::now();
  DocumentRead out;
  const auto finish = [&](DocumentRead r) {
    r.total_ms = ms_since(start);
    return r;
  };
  if (frame.empty() || frame.type() != CV_8UC3) {
    out.reason = "no image (or not 8-bit colour)";
    return finish(std::move(out));
  }
  const double ppm = config_.imaging.pixels_per_mm;
  const Located located = locate_card(frame, config_.layout, config_.imaging);
  switch (located.status) {
    case LocateStatus::Found:
      break;
    case LocateStatus::NoCard:
      out.reason = "no document in view";
      return finish(std::move(out));
    case LocateStatus::CutOff:
      out.status = DocumentStatus::Unreadable;
      out.reason = "the document runs out of the camera's view";
      return finish(std::move(out));
    case LocateStatus::TooSmall:
      out.status = DocumentStatus::Unreadable;
      out.reason = "the document is too far from the camera";
      return finish(std::move(out));
  }
  WipedMat grey;
  {
    WipedMat colour(rectify(frame, located.corners, config_.layout, ppm));
    cv::cvtColor(*colour, *grey, cv::COLOR_BGR2GRAY);
  }
  if (sharpness(*grey) < config_.imaging.min_sharpness) {
    out.status = DocumentStatus::Unreadable;
    out.reason = "the document is out of focus";
    return finish(std::move(out));
  }
  DocumentRead upright = read_upright(*grey, today);
  if (upright.status == DocumentStatus::Read || upright.fields.kind) return finish(std::move(upright));
  cv::rotate(*grey, *grey, cv::ROTATE_180);
  DocumentRead turned = read_upright(*grey, today);
  if (turned.status == DocumentStatus::Read || turned.fields.kind) return finish(std::move(turned));
  // Neither way up shows a title: what the more telling way says.
  return finish(std::move(upright.lines >= turned.lines ? upright : turned));
}

// ---- several frames ----

namespace {

DocumentImageReader make_reader(ScannerConfig config) {
  try {
    return DocumentImageReader(std::move(config));
  } catch (const OcrSetupError& e) {
    throw hal::DocumentReadError(hal::DocumentReadErrorKind::DeviceGone, e.what());
  }
}

}  // namespace

OcrDocumentReader::OcrDocumentReader(hal::Camera& camera, ScannerConfig config, const hal::Clock* clock)
    : camera_(&camera), clock_(clock), reader_(make_reader(std::move(config))) {}

OcrDocumentReader::OcrDocumentReader(CameraOpener open_camera, ScannerConfig config, const hal::Clock* clock)
    : open_camera_(std::move(open_camera)), clock_(clock), reader_(make_reader(std::move(config))) {}

std::chrono::year_month_day OcrDocumentReader::today() const {
  const auto now = clock_ != nullptr ? clock_->now() : std::chrono::system_clock::now();
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)};
}

void OcrDocumentReader::read_document(hal::DocumentKind /*expected*/, std::chrono::milliseconds timeout,
                                      const FieldsSink& sink) {
  if (camera_ != nullptr) {
    read_from(*camera_, timeout, sink);
    return;
  }
  std::unique_ptr<hal::Camera> camera;
  try {
    camera = open_camera_();
  } catch (const hal::CameraError& e) {
    throw hal::DocumentReadError(hal::DocumentReadErrorKind::DeviceGone,
                                 std::string("the card-surface camera: ") + e.what() + " (" + e.advice() + ")");
  }
  read_from(*camera, timeout, sink);  // the camera closes when this returns or throws
}

void OcrDocumentReader::read_from(hal::Camera& camera, std::chrono::milliseconds timeout, const FieldsSink& sink) {
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  stats_ = DocumentScanStats{};
  const int needed = std::max(1, reader_.config().read.frames_to_agree);
  const auto day = today();
  ParsedDocument candidate;
  int streak = 0;
  bool any_frame = false;
  bool seen = false;
  bool contradicted = false;
  DocumentStatus failure = DocumentStatus::NoDocument;
  std::string failure_reason;
  while (Clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    hal::CameraFrame frame;
    try {
      frame = camera.next_frame(std::max(left, std::chrono::milliseconds(1)));
    } catch (const hal::CameraError& e) {
      if (e.kind() == hal::CameraErrorKind::Timeout) continue;  // the deadline decides
      throw hal::DocumentReadError(hal::DocumentReadErrorKind::DeviceGone,
                                   std::string("the card-surface camera: ") + e.what() + " (" + e.advice() + ")");
    }
    any_frame = true;
    DocumentRead read = reader_.read(frame.image, day);
    wipe(frame.image);
    ++stats_.frames;
    if (read.status == DocumentStatus::NoDocument) {  // taken away: another may come
      streak = 0;
      continue;
    }
    seen = true;
    if (read.status != DocumentStatus::Read) {
      if (failure != DocumentStatus::Unreadable) {  // an unreadable document beats an unknown one
        failure = read.status;
        failure_reason = read.reason;
      }
      continue;
    }
    if (streak > 0 && !candidate.same_as(read.fields)) {
      contradicted = true;
      break;
    }
    if (streak == 0) candidate = std::move(read.fields);
    stats_.agreeing = ++streak;
    if (streak >= needed) {
      stats_.elapsed_ms = ms_since(start);
      const auto field = [](const FieldText& f) { return hal::ReadField{f.text, f.confidence / 100.0F}; };
      hal::DocumentFields fields;
      fields.kind = *candidate.kind;
      fields.insurer_number = field(candidate.insurer_number);
      fields.symbol = field(candidate.symbol);
      fields.number = field(candidate.number);
      fields.branch = field(candidate.branch);
      fields.birthdate = field(candidate.birthdate);
      fields.valid_until = field(candidate.valid_until);
      sink(fields);
      return;  // `candidate` wipes its fields
    }
  }
  stats_.elapsed_ms = ms_since(start);
  const std::string within = " within " + std::to_string(timeout.count()) + " ms";
  if (contradicted) {
    throw hal::DocumentReadError(hal::DocumentReadErrorKind::Unreadable, "two reads of the document differ: not read");
  }
  if (!any_frame) throw hal::DocumentReadError(hal::DocumentReadErrorKind::Timeout, "the card-surface camera gave no frame" + within);
  if (!seen) throw hal::DocumentReadError(hal::DocumentReadErrorKind::NoDocument, "no document seen by the card-surface camera" + within);
  if (streak > 0) {
    throw hal::DocumentReadError(hal::DocumentReadErrorKind::Unreadable, "the document was not read the same way often enough" + within);
  }
  if (failure == DocumentStatus::UnknownLayout) throw hal::DocumentReadError(hal::DocumentReadErrorKind::UnknownLayout, failure_reason);
  throw hal::DocumentReadError(hal::DocumentReadErrorKind::Unreadable, "the document could not be read with certainty: " + failure_reason);
}

}  // namespace kiosk::drivers::card_surface
