#include "drivers/card_surface/surface_reader.hpp"

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "drivers/card_surface/field_finder.hpp"
#include "drivers/card_surface/printed_date.hpp"
#include "drivers/card_surface/second_opinion.hpp"
#include "drivers/card_surface/wipe.hpp"

namespace kiosk::drivers::card_surface {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// The characters the date lines are made of (both generations).
constexpr const char* kDateAlphabet = "0123456789年月日生まで有効大正昭和平成令元";
// How many candidate lines of one field are OCR'd at most.
constexpr std::size_t kMaxCandidates = 3;
// Pixel height the OCR sees a line at (the line's ink box).
constexpr int kDateLineHeight = 30;
constexpr int kCodeHeight = 28;
// A date line's ink box is about this many ems tall (its kanji).
constexpr double kInkPerEm = 0.92;
// A line the date engine could not parse is read again larger only when its mean confidence
// says it is print the right way up.
constexpr double kRetryConfidence = 75.0;
// How far (in ems) one symbol's glyphs may stray outside the width its kind has before the
// alignment of a line to its glyphs is refused.
constexpr double kMaxGlyphMisfit = 0.2;

bool is_digit_symbol(const OcrSymbol& s) { return s.text.size() == 1 && s.text[0] >= '0' && s.text[0] <= '9'; }

double mean_confidence(const OcrLine& line) {
  if (line.symbols.empty()) return 0.0;
  double sum = 0;
  for (const auto& s : line.symbols) sum += s.confidence;
  return sum / static_cast<double>(line.symbols.size());
}

std::size_t code_points(const std::string& utf8) {
  std::size_t n = 0;
  for (char ch : utf8) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// The symbols that make up a span of the line's characters: [first, last) indices.
std::optional<std::pair<std::size_t, std::size_t>> symbols_of(const OcrLine& line, TextSpan span) {
  std::size_t at = 0;
  std::optional<std::size_t> first;
  for (std::size_t i = 0; i < line.symbols.size(); ++i) {
    if (at == span.first) first = i;
    at += code_points(line.symbols[i].text);
    if (at == span.last && first) return std::pair{*first, i + 1};
    if (at > span.last) break;
  }
  return std::nullopt;
}

// Every symbol in [first, last) read with the confidence its kind needs.
bool confident(const OcrLine& line, std::size_t first, std::size_t last, const ReadPolicy& policy) {
  if (first >= last) return false;
  for (std::size_t i = first; i < last; ++i) {
    const OcrSymbol& s = line.symbols[i];
    const double need = is_digit_symbol(s) ? policy.min_digit_confidence : policy.min_text_confidence;
    if (s.confidence < need) return false;
  }
  return true;
}

// The glyphs of a line image: its connected strokes, those that overlap mostly in x taken
// together (a kanji may still come apart into its components; a digit is one), left to right.
// Characters printed so close that they touch (a digit and 年) are cut apart where the ink is
// thinnest; a glyph is the ink of its labels within its box's columns.
struct Glyphs {
  WipedMat labels;  // connected-component labels of the ink
  struct Glyph {
    cv::Rect box;
    std::vector<int> parts;  // labels
  };
  std::vector<Glyph> glyphs;
};

// Wider than any one character: cut where the fewest ink pixels stand in a column, when that
// is a thin joint (a touching stroke, not a kanji's body), keeping both halves character-wide.
void cut_touching(std::vector<Glyphs::Glyph>& glyphs, const cv::Mat& ink, double em) {
  constexpr double kWidest = 1.25;  // ems: no character of the date lines is wider
  constexpr double kNarrowest = 0.3;  // ems: each half at least this wide
  constexpr double kJoint = 0.2;  // the joint's ink, as a share of the glyph's height
  for (std::size_t k = 0; k < glyphs.size(); ++k) {
    const cv::Rect box = glyphs[k].box;
    if (box.width <= kWidest * em) continue;
    const int margin = static_cast<int>(kNarrowest * em);
    int best = -1;
    int best_ink = std::numeric_limits<int>::max();
    for (int x = box.x + margin; x < box.x + box.width - margin; ++x) {
      const int count = cv::countNonZero(ink(cv::Rect(x, box.y, 1, box.height)));
      if (count < best_ink) {
        best_ink = count;
        best = x;
      }
    }
    if (best < 0 || best_ink > kJoint * box.height) continue;
    Glyphs::Glyph right{cv::Rect(best + 1, box.y, box.x + box.width - best - 1, box.height), glyphs[k].parts};
    glyphs[k].box = cv::Rect(box.x, box.y, best - box.x, box.height);
    glyphs.insert(glyphs.begin() + static_cast<std::ptrdiff_t>(k) + 1, std::move(right));
    --k;  // the left half may hold another joint
  }
}

Glyphs glyphs_of(const cv::Mat& image, double em) {
  Glyphs out;
  // Any visible ink counts (anti-aliased edges too): a fifth of the way from the white ground
  // to the darkest stroke.
  double darkest = 0;
  cv::minMaxLoc(image, &darkest);
  WipedMat ink;
  cv::threshold(image, *ink, 255.0 - 0.2 * (255.0 - darkest), 255, cv::THRESH_BINARY_INV);
  cv::Mat stats;
  cv::Mat centroids;
  const int n = cv::connectedComponentsWithStats(*ink, *out.labels, stats, centroids, 8, CV_32S);
  std::vector<Glyphs::Glyph> parts;
  for (int i = 1; i < n; ++i) {
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    if (box.width < em * 0.12 && box.height < em * 0.12) continue;  // a speck
    parts.push_back({box, {i}});
  }
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.box.x < b.box.x; });
  for (auto& p : parts) {
    if (!out.glyphs.empty()) {
      Glyphs::Glyph& last = out.glyphs.back();
      const int overlap = std::min(last.box.x + last.box.width, p.box.x + p.box.width) - std::max(last.box.x, p.box.x);
      if (overlap > 0.5 * std::min(last.box.width, p.box.width)) {
        last.box |= p.box;
        last.parts.push_back(p.parts.front());
        continue;
      }
    }
    out.glyphs.push_back(std::move(p));
  }
  cut_touching(out.glyphs, *ink, em);
  return out;
}

bool one_glyph_kanji(const std::string& symbol) { return symbol == "年" || symbol == "月" || symbol == "日"; }

// Glyphs [first, last) each overlap the one before in x (pieces of one character).
bool overlapping(const std::vector<Glyphs::Glyph>& glyphs, std::size_t first, std::size_t last) {
  for (std::size_t k = first + 1; k < last; ++k) {
    const cv::Rect& a = glyphs[k - 1].box;
    const cv::Rect& b = glyphs[k].box;
    if (std::min(a.x + a.width, b.x + b.width) <= std::max(a.x, b.x)) return false;
  }
  return true;
}

// Which glyphs each symbol of the line is made of: the symbols in order, a digit one glyph
// (two digits may touch and make one), any other character one to three glyphs (a kanji may
// come apart into its components), so that the widths fit best (a digit is narrow, a kanji
// about an em wide). Tesseract's own symbol boxes are too rough for cutting digits out.
// Nothing when no assignment fits well.
std::optional<std::vector<std::pair<std::size_t, std::size_t>>> align_glyphs(const OcrLine& line,
                                                                          const std::vector<Glyphs::Glyph>& glyphs,
                                                                          double em) {
  const std::size_t n = line.symbols.size();
  const std::size_t m = glyphs.size();
  if (n == 0 || m == 0) return std::nullopt;
  constexpr double kInf = 1e18;
  const auto width = [&](std::size_t first, std::size_t last) {  // glyphs [first, last), in ems
    return (glyphs[last - 1].box.x + glyphs[last - 1].box.width - glyphs[first].box.x) / em;
  };
  const auto outside = [](double w, double lo, double hi) { return std::max(0.0, lo - w) + std::max(0.0, w - hi); };
  struct Step {
    std::size_t symbols = 0;
    std::size_t glyphs = 0;
  };
  std::vector<std::vector<double>> f(n + 1, std::vector<double>(m + 1, kInf));
  std::vector<std::vector<Step>> take(n + 1, std::vector<Step>(m + 1));
  f[0][0] = 0;
  const auto relax = [&](std::size_t i, std::size_t j, Step step, double cost) {
    const double c = f[i - step.symbols][j - step.glyphs] + cost;
    if (c < f[i][j]) {
      f[i][j] = c;
      take[i][j] = step;
    }
  };
  for (std::size_t i = 1; i <= n; ++i) {
    const bool digit = is_digit_symbol(line.symbols[i - 1]);
    for (std::size_t j = 1; j <= m; ++j) {
      if (digit) {
        if (f[i - 1][j - 1] < kInf) relax(i, j, {1, 1}, outside(width(j - 1, j), 0.12, 0.62));
        if (i >= 2 && is_digit_symbol(line.symbols[i - 2]) && f[i - 2][j - 1] < kInf) {
          relax(i, j, {2, 1}, outside(width(j - 1, j), 0.5, 1.2) + 0.1);  // two touching digits
        }
        continue;
      }
      // The kanji between the numbers (年, 月, 日) are one stroke each in print: taking a second
      // glyph beside them, they would swallow a digit the engine dropped ("20日" read as "2日").
      // Only a piece that overlaps them in x is theirs (a thin Mincho stroke broken off on
      // faint print); a digit stands apart.
      const bool one_glyph = one_glyph_kanji(line.symbols[i - 1].text);
      for (std::size_t k = 1; k <= 3 && k <= j; ++k) {
        if (one_glyph && k > 1 && !overlapping(glyphs, j - k, j)) break;
        if (f[i - 1][j - k] < kInf) relax(i, j, {1, k}, outside(width(j - k, j), 0.45, 1.15));
      }
    }
  }
  if (f[n][m] > 0.3 * static_cast<double>(n)) return std::nullopt;
  std::vector<std::pair<std::size_t, std::size_t>> out(n);
  std::size_t i = n;
  std::size_t j = m;
  while (i > 0) {
    const Step step = take[i][j];
    // Every symbol must fit its glyphs closely: a kanji spanning much more than an em has
    // swallowed a digit the engine did not read ("30年" read as "3年"), a digit much wider than
    // a digit is two.
    const double w = width(j - step.glyphs, j);
    const double misfit = step.symbols == 2          ? outside(w, 0.5, 1.2)
                          : is_digit_symbol(line.symbols[i - 1]) ? outside(w, 0.12, 0.62)
                                                                 : outside(w, 0.45, 1.15);
    if (misfit > kMaxGlyphMisfit) return std::nullopt;
    for (std::size_t k = 0; k < step.symbols; ++k) out[i - 1 - k] = {j - step.glyphs, j};
    i -= step.symbols;
    j -= step.glyphs;
  }
  return out;
}

}  // namespace

namespace {

// An image of just the glyphs that make up symbols [first, last) of a line another engine read
// from `image` (every other stroke of the line left out), on a white ground; nothing when the
// line's symbols cannot be aligned to the glyphs on the image.
std::optional<WipedMat> glyphs_only(const cv::Mat& image, const OcrLine& line, std::size_t first, std::size_t last,
                                    double em) {
  Glyphs g = glyphs_of(image, em);
  const auto aligned = align_glyphs(line, g.glyphs, em);
  if (!aligned) return std::nullopt;
  // The run's strokes (grown by a pixel for their anti-aliased edges) on a white ground.
  WipedMat mask(cv::Mat::zeros(image.size(), CV_8UC1));
  cv::Rect box;
  for (std::size_t k = (*aligned)[first].first; k < (*aligned)[last - 1].second; ++k) {
    box = box.empty() ? g.glyphs[k].box : (box | g.glyphs[k].box);
    const cv::Rect columns(g.glyphs[k].box.x, 0, g.glyphs[k].box.width, image.rows);
    cv::Mat in_columns = (*mask)(columns);
    for (int label : g.glyphs[k].parts) in_columns |= ((*g.labels)(columns) == label);
  }
  cv::dilate(*mask, *mask, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
  WipedMat only(cv::Mat(image.size(), CV_8UC1, cv::Scalar(255)));
  image.copyTo(*only, *mask);
  const int room = std::max(3, static_cast<int>(em * (last - first == 1 ? 0.6 : 0.3)));
  const cv::Rect crop = cv::Rect(box.x - room, 0, box.width + 2 * room, image.rows) & cv::Rect(0, 0, image.cols, image.rows);
  WipedMat part;
  cv::copyMakeBorder((*only)(crop), *part, 0, 0, room, room, cv::BORDER_CONSTANT, cv::Scalar(255));
  return part;
}

std::string run_text(const OcrLine& line, std::size_t first, std::size_t last) {
  std::string text;
  for (std::size_t i = first; i < last; ++i) text += line.symbols[i].text;
  return text;
}

double run_confidence(const OcrLine& line, std::size_t first, std::size_t last) {
  double m = first < last ? 100.0 : 0.0;
  for (std::size_t i = first; i < last; ++i) m = std::min(m, static_cast<double>(line.symbols[i].confidence));
  return m;
}

VoteRule vote_rule(const ReadPolicy& policy) {
  return {policy.second_opinion_agree, policy.second_opinion_dissent, policy.min_digit_confidence};
}

}  // namespace

// A run of digits of a date line, read again by the digit engine from an image of just the
// glyphs that make it up: the two engines (different models) must agree, and the digit
// engine be confident.
bool digits_confirmed(const cv::Mat& image, const OcrLine& line, std::size_t first, std::size_t last,
                      TesseractLine& digits, const ReadPolicy& policy, double em) {
  const auto part = glyphs_only(image, line, first, last, em);
  if (!part) return false;
  std::string expected = run_text(line, first, last);
  const OcrLine again = digits.read(**part);
  const bool same = again.text == expected && confident(again, 0, again.symbols.size(), policy);
  wipe(expected);
  return same;
}

namespace {

// The digits of symbols [first, last) of a date line: the date engine's when the digit engine
// reads the same from the run's own glyphs with confidence; when the two differ, what a clear
// majority of them and the second opinions read from those glyphs (which may correct the date
// engine: its 0 read as a 9). Nothing when no reading wins.
std::optional<std::string> agreed_digits(const cv::Mat& image, const OcrLine& line, std::size_t first,
                                         std::size_t last, TesseractLine& digits, SecondOpinions& opinions,
                                         const ReadPolicy& policy, double em) {
  const auto part = glyphs_only(image, line, first, last, em);
  if (!part) return std::nullopt;
  std::string expected = run_text(line, first, last);
  OcrLine again = digits.read(**part);
  // A lone digit the line mode returns nothing for, read as one character.
  if (again.text.empty() && last - first == 1) again = digits.read(**part, LineMode::SingleChar);
  if (again.text == expected && confident(again, 0, again.symbols.size(), policy)) return expected;
  std::optional<std::string> agreed;
  if (!opinions.empty()) {
    const std::vector<OcrLine> others = opinions.read(**part);
    std::vector<Reading> readings{{expected, run_confidence(line, first, last)}, {again.text, again.min_confidence()}};
    for (const OcrLine& o : others) readings.push_back({o.text, o.min_confidence()});
    // Only as many digits as the date engine saw: the glyphs cut out for the run are those it
    // was aligned to, so a shorter reading may only mean a glyph left out ("12" cut to "1").
    const auto winner = consensus(readings, vote_rule(policy));
    if (winner && winner->size() == expected.size()) agreed = std::string(*winner);
  }
  wipe(expected);
  return agreed;
}

// Byte offset of code point `index` in UTF-8 `text` (its size when past the end).
std::size_t byte_offset(const std::string& text, std::size_t index) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (at == index) return i;
    ++at;
  }
  return text.size();
}

template <class T>
struct Field {
  std::optional<T> value;  // the first candidate line that parsed
  bool confident = false;  // and every symbol of it was read with confidence (and confirmed)
  std::size_t lines = 0;   // text lines seen in the search window
};

// The line with each run of digits replaced by the digits agreed for it (spans in code points).
std::string with_digits(const std::string& text, const std::vector<TextSpan>& runs, const std::vector<std::string>& digits) {
  std::string out;
  out.reserve(text.size() + 64);  // replaced in place, never reallocated (no stray copies)
  out = text;
  for (std::size_t r = runs.size(); r-- > 0;) {  // from the end: earlier offsets stay valid
    const std::size_t from = byte_offset(out, runs[r].first);
    const std::size_t to = byte_offset(out, runs[r].last);
    out.replace(from, to - from, digits[r]);
  }
  return out;
}

// The maximal runs of digit symbols of a line: as code-point spans of its text, and as symbol
// ranges.
struct DigitRuns {
  std::vector<TextSpan> spans;
  std::vector<std::pair<std::size_t, std::size_t>> symbols;
};
DigitRuns digit_runs(const OcrLine& line) {
  DigitRuns runs;
  std::size_t at = 0;
  for (std::size_t i = 0; i < line.symbols.size(); ++i) {
    const bool digit = is_digit_symbol(line.symbols[i]);
    if (digit && (i == 0 || !is_digit_symbol(line.symbols[i - 1]))) {
      runs.spans.push_back({at, at});
      runs.symbols.emplace_back(i, i);
    }
    at += code_points(line.symbols[i].text);
    if (digit) {
      runs.spans.back().last = at;
      runs.symbols.back().second = i + 1;
    }
  }
  return runs;
}

// OCRs the text lines of a date field's search window, nearest first, until one parses; its
// digits are then read again by the digit engine (and, where the two differ, by the second
// opinions). A line that does not parse because of a misread digit (10月 read as 19月) parses
// once its digits are the agreed ones.
template <class T, class Parse>
Field<T> read_date_field(const cv::Mat& grey, const FieldPlacement& placement, const ScannerConfig& config,
                         TesseractLine& dates, TesseractLine& digits, SecondOpinions& opinions, Parse parse) {
  const double ppm = config.imaging.pixels_per_mm;
  const double em = placement.height_mm * ppm;
  const cv::Rect window = search_window(placement, config.layout, ppm);
  const cv::Point expected(static_cast<int>(placement.x_mm * ppm), static_cast<int>(placement.y_mm * ppm));
  const std::vector<cv::Rect> lines = find_text_lines(grey, window, em, expected);
  Field<T> field;
  field.lines = lines.size();
  for (std::size_t i = 0; i < lines.size() && i < kMaxCandidates; ++i) {
    // The date engine misreads digits now and then, confidently and depending on the scale
    // (a 0 as a 9): a line it reads but the digit engine contradicts is read again larger.
    for (const int height : {kDateLineHeight, kDateLineHeight * 8 / 5}) {
      WipedMat image(ocr_image(grey, lines[i], em, height));
      const OcrLine line = dates.read(*image);
      std::vector<std::string> agreed;  // the agreed digits of each run of the line
      struct WipeAll {
        std::vector<std::string>& v;
        ~WipeAll() {
          for (auto& s : v) wipe(s);
        }
      } wipe_agreed{agreed};
      // Each run's agreed digits into `agreed`; whether any differ from the line's own. Nothing
      // when a run has no agreed reading.
      using SymbolRange = std::pair<std::size_t, std::size_t>;
      const auto agree_runs = [&](const std::vector<SymbolRange>& runs) -> std::optional<bool> {
        bool corrected = false;
        for (const auto& [first, last] : runs) {
          auto read = agreed_digits(*image, line, first, last, digits, opinions, config.read, height / kInkPerEm);
          if (!read) return std::nullopt;
          std::string own = run_text(line, first, last);
          corrected = corrected || *read != own;
          wipe(own);
          agreed.push_back(std::move(*read));
        }
        return corrected;
      };
      DateSpans spans;
      auto value = parse(line.text, &spans);
      bool numbers_agreed = false;
      if (!value) {
        const bool has_year = line.text.find("年") != std::string::npos;
        const bool has_month = line.text.find("月") != std::string::npos;
        const bool has_day = line.text.find("日") != std::string::npos;
        // Worth a second look only when it reads like print (not upside down, not a photo): a
        // confident line, or one with two of a date's three kanji (one misread kanji, e.g.
        // 「4日」 as 「4和」, pulls the mean confidence down).
        const int date_kanji = static_cast<int>(has_year) + static_cast<int>(has_month) + static_cast<int>(has_day);
        if (mean_confidence(line) < kRetryConfidence && date_kanji < 2) break;
        // Every run of digits as agreed; the same number of digits each, so the line keeps its
        // layout and its symbols their places. Only a line shaped like a date is worth it.
        const bool date_shaped = date_kanji == 3;
        if (!opinions.empty() && date_shaped) {
          const DigitRuns runs = digit_runs(line);
          if (agree_runs(runs.symbols).value_or(false)) {
            std::string text = with_digits(line.text, runs.spans, agreed);
            value = parse(text, &spans);
            wipe(text);
            numbers_agreed = value.has_value();
          }
        }
        if (!value) continue;
      }
      field.value = std::move(value);
      const auto whole = symbols_of(line, spans.whole);
      field.confident = whole.has_value();
      // The era and the kanji between the numbers: the date engine's confidence.
      for (std::size_t k = whole ? whole->first : 0; field.confident && k < whole->second; ++k) {
        if (!is_digit_symbol(line.symbols[k]) && line.symbols[k].confidence < config.read.min_text_confidence) {
          field.confident = false;
        }
      }
      if (numbers_agreed) {
        if (field.confident) return field;
        continue;
      }
      // The numbers: both engines, or a clear majority with the second opinions.
      std::vector<SymbolRange> numbers;
      for (const TextSpan& run : spans.numbers) {
        if (const auto range = symbols_of(line, run)) {
          numbers.push_back(*range);
        } else {
          field.confident = false;
        }
      }
      const std::optional<bool> agreement = field.confident ? agree_runs(numbers) : std::nullopt;
      field.confident = agreement.has_value();
      const bool corrected = agreement.value_or(false);
      if (field.confident && corrected) {
        // The line as the majority read it, parsed again: still a date, with those digits.
        std::string text = with_digits(line.text, spans.numbers, agreed);
        DateSpans again;
        auto reread = parse(text, &again);
        field.confident = reread && again.numbers.size() == agreed.size();
        for (std::size_t r = 0; field.confident && r < agreed.size(); ++r) {
          const std::size_t from = byte_offset(text, again.numbers[r].first);
          field.confident = text.compare(from, byte_offset(text, again.numbers[r].last) - from, agreed[r]) == 0;
        }
        if (field.confident) field.value = std::move(reread);
        wipe(text);
      }
      if (field.confident) return field;
    }
    if (field.value) return field;
  }
  return field;
}

// The security code: four digits, read by the digit engine from two renderings of the line
// (black-hat at two scales) and by the other model (jpn, trained on other print: the digit
// model can misread a digit with confidence at both scales, a 7 as a 1 next to a finger's
// shadow); all must agree and be confident, or a clear majority of them and the second opinions.
Field<std::string> read_code_field(const cv::Mat& grey, const FieldPlacement& placement, const ScannerConfig& config,
                                   TesseractLine& digits, TesseractLine& other_model, SecondOpinions& opinions) {
  const double ppm = config.imaging.pixels_per_mm;
  const double em = placement.height_mm * ppm;
  const cv::Rect window = search_window(placement, config.layout, ppm);
  const cv::Point expected(static_cast<int>(placement.x_mm * ppm), static_cast<int>(placement.y_mm * ppm));
  const std::vector<cv::Rect> lines = find_text_lines(grey, window, em, expected);
  Field<std::string> field;
  field.lines = lines.size();
  for (std::size_t i = 0; i < lines.size() && i < kMaxCandidates; ++i) {
    WipedMat image(ocr_image(grey, lines[i], em, kCodeHeight));
    const OcrLine line = digits.read(*image);
    auto code = parse_security_code(line.text);
    if (!code && opinions.empty()) continue;  // nobody to outvote the digit engine: the next line
    WipedMat second(ocr_image(grey, lines[i], em, kCodeHeight * 3 / 2));
    const OcrLine again = digits.read(*second);
    const OcrLine third = other_model.read(*image);
    if (code) {
      field.value = std::move(code);
      const bool digit_engine_sure = confident(line, 0, line.symbols.size(), config.read) && again.text == line.text &&
                                     confident(again, 0, again.symbols.size(), config.read);
      auto cross = parse_security_code(third.text);
      field.confident = digit_engine_sure && cross && *cross == *field.value;
      if (cross) wipe(*cross);
    }
    // The digit engine misses a lone 1 now and then, or reads nothing of a faint line: where it
    // is not sure, or reads no code at all, the second opinions decide by a clear majority.
    if (!field.confident && !opinions.empty()) {
      const std::vector<OcrLine> others = opinions.read(*image);
      // The digit engine's two scales are two readings: one more of all may then dissent.
      std::vector<Reading> readings{{line.text, line.min_confidence()},
                                    {again.text, again.min_confidence()},
                                    {third.text, third.min_confidence()}};
      for (const OcrLine& o : others) readings.push_back({o.text, o.min_confidence()});
      VoteRule rule = vote_rule(config.read);
      ++rule.dissent;
      const auto winner = consensus(readings, rule);
      if (winner && winner->size() == 4) {
        if (field.value) wipe(*field.value);
        field.value = std::string(*winner);
        field.confident = true;
      }
    }
    if (field.value) return field;
  }
  return field;
}

// Is the photo where the layout puts it in this orientation? A photo is busier than the
// print that lands in its place when the card is upside down.
double photo_evidence(const cv::Mat& grey, const CardLayout& l, double ppm) {
  const cv::Rect photo(static_cast<int>(l.photo.x_mm * ppm), static_cast<int>(l.photo.y_mm * ppm),
                       static_cast<int>(l.photo.width_mm * ppm), static_cast<int>(l.photo.height_mm * ppm));
  const cv::Rect bounds(0, 0, grey.cols, grey.rows);
  const cv::Rect here = photo & bounds;
  const cv::Rect flipped = cv::Rect(grey.cols - photo.x - photo.width, grey.rows - photo.y - photo.height, photo.width,
                                    photo.height) &
                           bounds;
  if (here.empty() || flipped.empty()) return 0.0;
  cv::Scalar mean_here, sd_here, mean_flipped, sd_flipped;
  cv::meanStdDev(grey(here), mean_here, sd_here);
  cv::meanStdDev(grey(flipped), mean_flipped, sd_flipped);
  return sd_here[0] - sd_flipped[0];
}

double saturated_fraction(const cv::Mat& saturated, cv::Rect window) {
  window &= cv::Rect(0, 0, saturated.cols, saturated.rows);
  if (window.empty()) return 0.0;
  return static_cast<double>(cv::countNonZero(saturated(window))) / window.area();
}

// The grey level half the card is brighter than (its ground).
double median_grey(const cv::Mat& grey) {
  int hist[256] = {};
  for (int y = 0; y < grey.rows; ++y) {
    const auto* p = grey.ptr<unsigned char>(y);
    for (int x = 0; x < grey.cols; ++x) ++hist[p[x]];
  }
  const long half = static_cast<long>(grey.total()) / 2;
  long seen = 0;
  for (int v = 0; v < 256; ++v) {
    seen += hist[v];
    if (seen >= half) return v;
  }
  return 255;
}

double sharpness(const cv::Mat& grey) {
  cv::Mat lap;
  cv::Laplacian(grey, lap, CV_32F);
  cv::Scalar mean, sd;
  cv::meanStdDev(lap, mean, sd);
  return sd[0] * sd[0];
}

}  // namespace

bool CodeB::assign(const hal::calendar::EraDate& birth, int expiry_year, std::string_view code) noexcept {
  clear();
  if (birth.year < 0 || birth.year > 99 || birth.month > 12 || birth.day > 31 || expiry_year < 1000 ||
      expiry_year > 9999 || code.size() != 4) {
    return false;
  }
  char buf[kLength + 1];
  std::snprintf(buf, sizeof buf, "%02d%02u%02u%04d", birth.year, birth.month, birth.day, expiry_year);
  for (std::size_t i = 0; i < 10; ++i) digits_[i] = buf[i];
  explicit_bzero(buf, sizeof buf);
  for (std::size_t i = 0; i < 4; ++i) {
    if (code[i] < '0' || code[i] > '9') {
      clear();
      return false;
    }
    digits_[10 + i] = code[i];
  }
  set_ = true;
  return true;
}

bool CodeB::same_as(const CodeB& other) const noexcept {
  if (set_ != other.set_) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < kLength; ++i) diff |= static_cast<unsigned char>(digits_[i] ^ other.digits_[i]);
  return diff == 0;
}

void CodeB::clear() noexcept {
  explicit_bzero(digits_.data(), digits_.size());
  set_ = false;
}

void CodeB::take(CodeB& other) noexcept {
  clear();
  digits_ = other.digits_;
  set_ = other.set_;
  other.clear();
}

const char* to_string(ReadStatus status) {
  switch (status) {
    case ReadStatus::Read: return "read";
    case ReadStatus::NoCard: return "no-card";
    case ReadStatus::Unreadable: return "unreadable";
  }
  return "unknown";
}

CardSurfaceReader::CardSurfaceReader(ScannerConfig config)
    : config_(std::move(config)),
      digits_("eng", "0123456789", config_.tessdata_dir),
      dates_("jpn", kDateAlphabet, config_.tessdata_dir),
      opinions_(config_.read.second_opinion_models, config_.tessdata_dir) {}

SurfaceRead CardSurfaceReader::read(const cv::Mat& frame, std::chrono::year_month_day today) {
  const auto start = Clock::now();
  SurfaceRead out;
  auto finish = [&](ReadStatus status, hal::SurfaceScanHint hint, std::string reason) -> SurfaceRead {
    out.status = status;
    out.hint = hint;
    out.reason = std::move(reason);
    out.total_ms = ms_since(start);
    return std::move(out);
  };
  if (frame.empty() || frame.type() != CV_8UC3) {
    return finish(ReadStatus::NoCard, hal::SurfaceScanHint::None, "no image (or not 8-bit colour)");
  }
  const ScannerConfig& c = config_;
  const double ppm = c.imaging.pixels_per_mm;
  const Located located = locate_card(frame, c.layout, c.imaging);
  out.locate_ms = ms_since(start);
  switch (located.status) {
    case LocateStatus::Found:
      break;
    case LocateStatus::NoCard:
      return finish(ReadStatus::NoCard, hal::SurfaceScanHint::None, "no card in view");
    case LocateStatus::CutOff:
      return finish(ReadStatus::Unreadable, hal::SurfaceScanHint::CardCutOff, "the card runs out of the camera's view");
    case LocateStatus::TooSmall:
      return finish(ReadStatus::Unreadable, hal::SurfaceScanHint::CardCutOff, "the card is too far from the camera");
  }

  const auto ocr_start = Clock::now();
  WipedMat colour(rectify(frame, located.corners, c.layout, ppm));
  WipedMat grey;
  cv::cvtColor(*colour, *grey, cv::COLOR_BGR2GRAY);
  cv::Mat saturated;  // glare: every channel at the top
  {
    std::vector<cv::Mat> planes;
    cv::split(*colour, planes);
    cv::Mat lowest = cv::min(cv::min(planes[0], planes[1]), planes[2]);
    saturated = lowest >= 250;
    for (auto& p : planes) wipe(p);
    wipe(lowest);
  }
  // Upside down first when the photo says so.
  if (photo_evidence(*grey, c.layout, ppm) < 0) {
    cv::rotate(*grey, *grey, cv::ROTATE_180);
    cv::rotate(saturated, saturated, cv::ROTATE_180);
  }

  const auto birth_parse = [](const std::string& t, DateSpans* spans) { return parse_birth_line(t, spans); };
  const auto expiry_parse = [](const std::string& t, DateSpans* spans) { return parse_expiry_line(t, spans); };

  Field<PrintedBirthDate> birth =
      read_date_field<PrintedBirthDate>(*grey, c.layout.birth_date, c, dates_, digits_, opinions_, birth_parse);
  std::size_t text_lines = birth.lines;
  if (!birth.value) {  // the other way up
    cv::rotate(*grey, *grey, cv::ROTATE_180);
    cv::rotate(saturated, saturated, cv::ROTATE_180);
    birth = read_date_field<PrintedBirthDate>(*grey, c.layout.birth_date, c, dates_, digits_, opinions_, birth_parse);
    text_lines += birth.lines;
  }
  const double sharp = sharpness(*grey);
  // Why a field could not be read, as far as the image tells.
  const auto trouble = [&](const FieldPlacement& f, std::size_t lines_seen) {
    if (saturated_fraction(saturated, search_window(f, c.layout, ppm)) > c.imaging.max_glare_fraction) {
      // Saturated print on a card whose ground is not: a reflection. All of it: washed out.
      return median_grey(*grey) >= 242 ? hal::SurfaceScanHint::LowContrast : hal::SurfaceScanHint::Glare;
    }
    if (sharp < c.imaging.min_sharpness) return hal::SurfaceScanHint::Blurred;
    if (lines_seen == 0) return hal::SurfaceScanHint::Covered;
    return hal::SurfaceScanHint::Uncertain;
  };
  if (!birth.value) {
    out.ocr_ms = ms_since(ocr_start);
    hal::SurfaceScanHint hint = trouble(c.layout.birth_date, text_lines);
    if (hint == hal::SurfaceScanHint::Covered) hint = hal::SurfaceScanHint::FaceDown;  // no print where dates go, either way up
    return finish(ReadStatus::Unreadable, hint, "no birth date found on the card");
  }
  Field<year_month_day> expiry =
      read_date_field<year_month_day>(*grey, c.layout.card_expiry, c, dates_, digits_, opinions_, expiry_parse);
  if (!expiry.value) {
    out.ocr_ms = ms_since(ocr_start);
    return finish(ReadStatus::Unreadable, trouble(c.layout.card_expiry, expiry.lines), "no card expiry found on the card");
  }
  Field<std::string> code = read_code_field(*grey, c.layout.security_code, c, digits_, dates_, opinions_);
  out.ocr_ms = ms_since(ocr_start);
  // Whatever happens now, the code's text goes.
  struct CodeWipe {
    std::optional<std::string>& s;
    ~CodeWipe() {
      if (s) wipe(*s);
    }
  } code_wipe{code.value};
  if (!code.value) {
    return finish(ReadStatus::Unreadable, trouble(c.layout.security_code, code.lines), "no security code found on the card");
  }
  if (!birth.confident || !expiry.confident || !code.confident) {
    const char* which = !birth.confident ? "birth date" : !expiry.confident ? "card expiry" : "security code";
    const FieldPlacement& f = !birth.confident ? c.layout.birth_date
                              : !expiry.confident ? c.layout.card_expiry
                                                  : c.layout.security_code;
    hal::SurfaceScanHint hint = trouble(f, 1);
    return finish(ReadStatus::Unreadable, hint, std::string("the ") + which + " was not read with certainty");
  }
  if (const auto why = implausibility(birth.value->date, *expiry.value, today, c.read.plausibility)) {
    return finish(ReadStatus::Unreadable, hal::SurfaceScanHint::Uncertain, "not a plausible card: " + *why);
  }
  const auto era = hal::calendar::to_era(birth.value->date);
  if (!era || !out.code_b.assign(*era, static_cast<int>(expiry.value->year()), *code.value)) {
    return finish(ReadStatus::Unreadable, hal::SurfaceScanHint::Uncertain, "the fields do not make a 照合番号B");
  }
  out.generation = birth.value->form == DateForm::Era ? hal::CardGeneration::Current : hal::CardGeneration::Next;
  return finish(ReadStatus::Read, hal::SurfaceScanHint::None, "");
}

}  // namespace kiosk::drivers::card_surface
