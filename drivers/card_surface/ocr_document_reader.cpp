#include "drivers/card_surface/ocr_document_reader.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "drivers/card_surface/card_locator.hpp"
#include "drivers/card_surface/field_finder.hpp"
#include "drivers/card_surface/surface_reader.hpp"
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
constexpr double kEmMm = 2.6;
// The pixel height the OCR sees a line's ink box at.
constexpr int kLineHeight = 32;
// A blank this many ems wide inside a line separates two pieces of print (a label and its value).
constexpr double kGapEm = 0.75;
// The rim of the rectified document left out of the search for print (the locator's edge may
// be a pixel or two off, and the tray beyond it is dark).
constexpr double kEdgeMm = 1.5;
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
  // And the document's edge (the tray beyond it would be ink next to the first letters).
  const int edge = static_cast<int>(std::lround(kEdgeMm * ppm));
  cv::rectangle(out, cv::Rect(0, 0, out.cols, out.rows), cv::Scalar(255), 2 * edge);
  wipe(hat);
  wipe(ink);
  return out;
}

// Ink of the document: dark print on its ground, whatever the tint and the light.
cv::Mat ink_of(const cv::Mat& grey, double em) {
  const int k = std::max(3, static_cast<int>(std::lround(em)) | 1);
  cv::Mat hat;
  cv::morphologyEx(grey, hat, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(k, k)));
  cv::Mat ink;
  cv::threshold(hat, ink, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  wipe(hat);
  return ink;
}

// A line of print split where it has a blank wider than `gap_em` ems: a label and its value
// printed a little apart are read apart (each in its own size), a value and the next label too.
std::vector<cv::Rect> split_at_gaps(const cv::Mat& ink, const cv::Rect& box, double em, double gap_em) {
  std::vector<cv::Rect> out;
  const cv::Mat roi = ink(box);
  std::vector<int> column(static_cast<std::size_t>(box.width), 0);
  for (int y = 0; y < roi.rows; ++y) {
    const auto* p = roi.ptr<unsigned char>(y);
    for (int x = 0; x < roi.cols; ++x) column[static_cast<std::size_t>(x)] += p[x] != 0 ? 1 : 0;
  }
  const int gap = static_cast<int>(std::lround(gap_em * em));
  int start = -1;
  int last_ink = -1;
  for (int x = 0; x <= box.width; ++x) {
    const bool inked = x < box.width && column[static_cast<std::size_t>(x)] > 0;
    if (inked) {
      if (start < 0) start = x;
      last_ink = x;
      continue;
    }
    if (start >= 0 && (x - last_ink > gap || x == box.width)) {
      out.emplace_back(box.x + start, box.y, last_ink - start + 1, box.height);
      start = -1;
    }
  }
  return out;
}

double mean_confidence(const OcrLine& line) {
  if (line.symbols.empty()) return 0.0;
  double sum = 0;
  for (const auto& s : line.symbols) sum += s.confidence;
  return sum / static_cast<double>(line.symbols.size());
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
    : config_(std::move(config)),
      text_("jpn", kDocumentAlphabet, config_.tessdata_dir),
      digits_("eng", "0123456789", config_.tessdata_dir),
      numbers_("eng", "0123456789-()", config_.tessdata_dir) {}

OcrLine DocumentImageReader::read_line(const cv::Mat& clean, const cv::Rect& box, double em) {
  const auto is_digit = [](const OcrSymbol& s) { return s.text.size() == 1 && s.text[0] >= '0' && s.text[0] <= '9'; };
  const auto separator = [](const OcrSymbol& s) { return s.text == "-" || s.text == "(" || s.text == ")" || s.text == "（" || s.text == "）" || s.text == "・"; };
  OcrLine line;
  // The jpn model misreads a digit now and then, confidently and depending on the scale: a line
  // the other model contradicts is read again larger; what is still contradicted loses its
  // confidence (the field is then refused, never released wrong).
  for (const int height : {kLineHeight, kLineHeight * 8 / 5}) {
    WipedMat image(ocr_image(clean, box, em, height));
    if (box.width < 2 * em) {  // a digit or two alone: the engine wants room around them
      cv::copyMakeBorder(*image, *image, 0, 0, height, height, cv::BORDER_CONSTANT, cv::Scalar(255));
    }
    line = text_.read(*image);
    // Thin print can look like an empty page to the engine's layout analysis: read it as a raw line.
    if (line.symbols.empty()) line = text_.read(*image, box.width < em ? LineMode::SingleChar : LineMode::RawLine);
    if (line.symbols.empty() && box.width < 2 * em) {
      // A digit or two alone, which the jpn model reads as letters: the digit model at two
      // scales, both reads the same and confident (as the card's security code is read).
      OcrLine first = digits_.read(*image, LineMode::SingleLine);
      if (first.symbols.empty()) first = digits_.read(*image, LineMode::SingleChar);
      WipedMat larger(ocr_image(clean, box, em, height * 3 / 2));
      cv::copyMakeBorder(*larger, *larger, 0, 0, height, height, cv::BORDER_CONSTANT, cv::Scalar(255));
      OcrLine second = digits_.read(*larger, LineMode::SingleLine);
      if (second.symbols.empty()) second = digits_.read(*larger, LineMode::SingleChar);
      if (!first.symbols.empty() && first.text == second.text &&
          std::min(first.min_confidence(), second.min_confidence()) >= config_.read.min_digit_confidence) {
        return first;
      }
      return line;
    }
    const bool digits = std::any_of(line.symbols.begin(), line.symbols.end(), is_digit);
    if (!digits) return line;
    const bool kanji = !std::all_of(line.symbols.begin(), line.symbols.end(), [&](const OcrSymbol& s) { return is_digit(s) || separator(s); });
    bool confirmed = true;
    if (!kanji) {
      // A value: the same digits in the same order, each read with confidence.
      OcrLine again = numbers_.read(*image, line.symbols.size() == 1 ? LineMode::SingleChar : LineMode::SingleLine);
      std::string a;
      std::string b;
      for (const auto& s : line.symbols) if (is_digit(s)) a += s.text;
      for (const auto& s : again.symbols) {
        if (!is_digit(s)) continue;
        b += s.text;
        // Two models agreeing is the evidence; the second needs only the text confidence.
        if (s.confidence < config_.read.min_text_confidence) confirmed = false;
      }
      confirmed = confirmed && a == b;
      wipe(a);
      wipe(b);
      if (!confirmed) {
        for (auto& s : line.symbols) if (is_digit(s)) s.confidence = 0.0F;
      }
    } else {
      // A date: each run of digits cut out and read by the digit model.
      const double line_em = height / 0.92;  // the ink box of a line with kanji is about 0.92 em
      for (std::size_t i = 0; i < line.symbols.size();) {
        if (!is_digit(line.symbols[i])) {
          ++i;
          continue;
        }
        std::size_t j = i;
        while (j < line.symbols.size() && is_digit(line.symbols[j])) ++j;
        if (!digits_confirmed(*image, line, i, j, digits_, config_.read, line_em)) {
          confirmed = false;
          for (std::size_t k = i; k < j; ++k) line.symbols[k].confidence = 0.0F;
        }
        i = j;
      }
    }
    if (confirmed) return line;
  }
  return line;
}

bool DocumentImageReader::upside_down(const cv::Mat& grey) {
  const double em = kEmMm * config_.imaging.pixels_per_mm;
  WipedMat clean(without_rules(grey, config_.imaging.pixels_per_mm));
  std::vector<cv::Rect> found = find_text_lines(*clean, cv::Rect(0, 0, clean->cols, clean->rows), em, cv::Point(0, 0));
  // The tallest print (a title, a name) read both ways: the right way up reads with confidence.
  std::sort(found.begin(), found.end(), [](const cv::Rect& a, const cv::Rect& b) { return a.height > b.height; });
  double upright = 0;
  double turned = 0;
  for (std::size_t i = 0; i < found.size() && i < 2; ++i) {
    WipedMat image(ocr_image(*clean, found[i], em, kLineHeight));
    upright += mean_confidence(text_.read(*image));
    cv::rotate(*image, *image, cv::ROTATE_180);
    turned += mean_confidence(text_.read(*image));
  }
  return turned > upright + 10.0;
}

DocumentRead DocumentImageReader::read_upright(const cv::Mat& grey, std::chrono::year_month_day today) {
  DocumentRead out;
  const double ppm = config_.imaging.pixels_per_mm;
  const double em = kEmMm * ppm;
  WipedMat clean(without_rules(grey, ppm));
  std::vector<cv::Rect> found = find_text_lines(*clean, cv::Rect(0, 0, clean->cols, clean->rows), em, cv::Point(0, 0), 0.1);
  if (found.size() > kMaxLines) {
    out.status = DocumentStatus::UnknownLayout;
    out.reason = "more print than a 資格確認書 or 健康保険証 has";
    return out;
  }
  {
    WipedMat ink(ink_of(*clean, em));
    std::vector<cv::Rect> pieces;
    for (const cv::Rect& r : found) {
      for (const cv::Rect& p : split_at_gaps(*ink, r, em, kGapEm)) pieces.push_back(p);
    }
    found = std::move(pieces);
  }
  std::sort(found.begin(), found.end(), [](const cv::Rect& a, const cv::Rect& b) { return a.y != b.y ? a.y < b.y : a.x < b.x; });
  std::vector<TextBox> boxes;
  boxes.reserve(found.size());
  for (const cv::Rect& r : found) {
    OcrLine line = read_line(*clean, r, em);
    if (line.symbols.empty()) continue;
    TextBox b;
    b.box = r;
    b.symbols = std::move(line.symbols);
    line.symbols.clear();
    boxes.push_back(std::move(b));
  }
  out.lines = boxes.size();
  out.fields = parse_document(boxes, FieldRules{config_.read.min_digit_confidence, config_.read.min_text_confidence, today});
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
  if (upside_down(*grey)) cv::rotate(*grey, *grey, cv::ROTATE_180);
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
