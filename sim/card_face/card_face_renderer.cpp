#include "sim/card_face/card_face_renderer.hpp"

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>

#include <opencv2/freetype.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "hal/calendar.hpp"
#include "sim/card/card_profile.hpp"

namespace kiosk::sim::card_face {

namespace {

constexpr double kCardWidthMm = 85.60;
constexpr double kCardHeightMm = 53.98;
constexpr double kCornerRadiusMm = 3.18;

struct FontFile {
  Typeface typeface;
  const char* path;
  const char* package;
};

// Debian's paths (fonts-noto-cjk: index 0 of each collection is the JP face).
constexpr FontFile kFontFiles[] = {
    {Typeface::NotoSans, "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "fonts-noto-cjk"},
    {Typeface::NotoSerif, "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "fonts-noto-cjk"},
    {Typeface::IpaGothic, "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf", "fonts-ipafont-gothic"},
    {Typeface::IpaMincho, "/usr/share/fonts/opentype/ipafont-mincho/ipam.ttf", "fonts-ipafont-mincho"},
};

int px(double mm, double ppm) { return static_cast<int>(std::lround(mm * ppm)); }

std::string two(unsigned v) {  // " 2", "17": the card pads one-digit months and days with a space
  char out[8];
  std::snprintf(out, sizeof out, "%2u", v);
  return out;
}

// A light pastel ground with guilloche-like waves (seeded).
cv::Mat pastel_ground(cv::Size size, double ppm, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const cv::Vec3d left(232 + 16 * u(rng), 228 + 16 * u(rng), 236 + 14 * u(rng));
  const cv::Vec3d right(240 + 12 * u(rng), 232 + 14 * u(rng), 226 + 16 * u(rng));
  cv::Mat ground(size, CV_8UC3);
  for (int x = 0; x < size.width; ++x) {
    const double t = static_cast<double>(x) / std::max(1, size.width - 1);
    const cv::Vec3d c = left * (1 - t) + right * t;
    ground.col(x).setTo(cv::Scalar(c[0], c[1], c[2]));
  }
  const int waves = 18 + static_cast<int>(u(rng) * 10);
  const double lambda = (18.0 + 14.0 * u(rng)) * ppm;
  for (int k = 0; k < waves; ++k) {
    const double y0 = (k + u(rng) * 0.5) * size.height / waves;
    const double amp = (1.0 + 2.5 * u(rng)) * ppm;
    const double phase = u(rng) * 6.283;
    const cv::Scalar colour(200 + 30 * u(rng), 190 + 35 * u(rng), 205 + 30 * u(rng));
    std::vector<cv::Point> line;
    for (int x = 0; x <= size.width; x += 4) {
      line.emplace_back(x, static_cast<int>(y0 + amp * std::sin(6.283 * x / lambda + phase)));
    }
    cv::polylines(ground, line, false, colour, 1, cv::LINE_AA);
  }
  // A faint emblem circle on the right half.
  const cv::Point centre(px(55 + 10 * u(rng), ppm), px(20 + 14 * u(rng), ppm));
  for (int r = 4; r < 18; r += 3) {
    cv::circle(ground, centre, px(r, ppm), cv::Scalar(215, 205, 225), 1, cv::LINE_AA);
  }
  return ground;
}

// 255 inside the card's rounded rectangle.
cv::Mat rounded_alpha(cv::Size size, double ppm) {
  cv::Mat alpha(size, CV_8UC1, cv::Scalar(0));
  const int r = px(kCornerRadiusMm, ppm);
  cv::rectangle(alpha, cv::Rect(r, 0, size.width - 2 * r, size.height), cv::Scalar(255), cv::FILLED);
  cv::rectangle(alpha, cv::Rect(0, r, size.width, size.height - 2 * r), cv::Scalar(255), cv::FILLED);
  for (const cv::Point c : {cv::Point(r, r), cv::Point(size.width - 1 - r, r), cv::Point(r, size.height - 1 - r),
                            cv::Point(size.width - 1 - r, size.height - 1 - r)}) {
    cv::circle(alpha, c, r, cv::Scalar(255), cv::FILLED, cv::LINE_AA);
  }
  return alpha;
}

cv::Mat with_alpha(const cv::Mat& bgr, double ppm) {
  std::vector<cv::Mat> ch;
  cv::split(bgr, ch);
  ch.push_back(rounded_alpha(bgr.size(), ppm));
  cv::Mat out;
  cv::merge(ch, out);
  return out;
}

// The photo, scaled to fill the box (cropped to its aspect ratio).
void paste_photo(cv::Mat& card, const cv::Mat& photo, cv::Rect box) {
  cv::Mat bgr;
  if (photo.empty()) {
    bgr = cv::Mat(box.size(), CV_8UC3, cv::Scalar(228, 222, 210));
    const cv::Point head(box.width / 2, box.height * 2 / 5);
    cv::ellipse(bgr, head, cv::Size(box.width / 5, box.height / 6), 0, 0, 360, cv::Scalar(120, 120, 125), cv::FILLED,
                cv::LINE_AA);
    cv::ellipse(bgr, cv::Point(box.width / 2, box.height), cv::Size(box.width * 2 / 5, box.height / 3), 0, 180, 360,
                cv::Scalar(110, 110, 115), cv::FILLED, cv::LINE_AA);
  } else {
    cv::Mat src;
    if (photo.channels() == 1) {
      cv::cvtColor(photo, src, cv::COLOR_GRAY2BGR);
    } else if (photo.channels() == 4) {
      cv::cvtColor(photo, src, cv::COLOR_BGRA2BGR);
    } else {
      src = photo;
    }
    const double want = static_cast<double>(box.width) / box.height;
    const double have = static_cast<double>(src.cols) / src.rows;
    cv::Rect crop(0, 0, src.cols, src.rows);
    if (have > want) {
      crop.width = static_cast<int>(src.rows * want);
      crop.x = (src.cols - crop.width) / 2;
    } else {
      crop.height = static_cast<int>(src.cols / want);
      crop.y = (src.rows - crop.height) / 2;
    }
    cv::resize(src(crop), bgr, box.size(), 0, 0, cv::INTER_AREA);
  }
  bgr.copyTo(card(box));
}

}  // namespace

const char* to_string(Typeface typeface) {
  switch (typeface) {
    case Typeface::NotoSans: return "noto-sans";
    case Typeface::NotoSerif: return "noto-serif";
    case Typeface::IpaGothic: return "ipa-gothic";
    case Typeface::IpaMincho: return "ipa-mincho";
  }
  return "unknown";
}

cv::Mat with_rounded_corners(const cv::Mat& bgr, double pixels_per_mm) { return with_alpha(bgr, pixels_per_mm); }

PrintedFields::~PrintedFields() {
  if (!security_code.empty()) explicit_bzero(security_code.data(), security_code.size());
}

std::string birth_date_text(const PrintedFields& f) {
  const auto m = static_cast<unsigned>(f.birth_date.month());
  const auto d = static_cast<unsigned>(f.birth_date.day());
  if (f.generation == hal::CardGeneration::Next) {
    return std::to_string(static_cast<int>(f.birth_date.year())) + "年" + two(m) + "月" + two(d) + "日生";
  }
  const auto era = hal::calendar::to_era(f.birth_date);
  if (!era) throw std::invalid_argument("a birth date before 大正 cannot be printed in the era");
  const std::string year = era->year == 1 ? "元" : two(static_cast<unsigned>(era->year));
  return std::string(hal::calendar::era_name(era->era)) + year + "年" + two(m) + "月" + two(d) + "日生";
}

std::string expiry_text(const PrintedFields& f) {
  return std::to_string(static_cast<int>(f.card_expiry.year())) + "年" +
         two(static_cast<unsigned>(f.card_expiry.month())) + "月" + two(static_cast<unsigned>(f.card_expiry.day())) +
         "日まで有効";
}

struct CardFaceRenderer::Font {
  Typeface typeface;
  cv::Ptr<cv::freetype::FreeType2> face;
};

CardFaceRenderer::CardFaceRenderer() {
  std::string missing;
  for (const FontFile& f : kFontFiles) {
    std::error_code ec;
    if (!std::filesystem::exists(f.path, ec)) {
      missing += std::string(missing.empty() ? "" : ", ") + f.package;
      continue;
    }
    auto font = std::make_unique<Font>();
    font->typeface = f.typeface;
    font->face = cv::freetype::createFreeType2();
    font->face->loadFontData(f.path, 0);
    available_.push_back(f.typeface);
    fonts_.push_back(std::move(font));
  }
  if (fonts_.empty()) throw std::runtime_error("no CJK font for the card face: install " + missing);
}

CardFaceRenderer::~CardFaceRenderer() = default;

const CardFaceRenderer::Font& CardFaceRenderer::font(Typeface typeface) const {
  for (const auto& f : fonts_) {
    if (f->typeface == typeface) return *f;
  }
  return *fonts_.front();
}

void CardFaceRenderer::text(cv::Mat& card, const std::string& utf8, double x_mm, double y_mm, double height_mm,
                            double max_width_mm, const RenderOptions& o, Typeface typeface, double grey) const {
  if (utf8.empty()) return;
  const double ppm = o.pixels_per_mm;
  const int em = std::max(4, px(height_mm, ppm));
  // Render white on black into a scratch canvas, take the ink as coverage.
  const int glyphs = static_cast<int>(utf8.size());  // bytes: an upper bound of the glyph count
  cv::Mat scratch(em * 3, em * (glyphs + 2), CV_8UC3, cv::Scalar::all(0));
  font(typeface).face->putText(scratch, utf8, cv::Point(em / 2, em * 2), em, cv::Scalar::all(255), -1, cv::LINE_AA,
                               true);
  cv::Mat coverage;
  cv::extractChannel(scratch, coverage, 0);
  const cv::Rect ink = cv::boundingRect(coverage > 0);
  if (ink.empty()) return;
  cv::Mat glyph = coverage(ink);
  if (max_width_mm > 0 && ink.width > px(max_width_mm, ppm)) {
    cv::Mat squeezed;
    cv::resize(glyph, squeezed, cv::Size(px(max_width_mm, ppm), ink.height), 0, 0, cv::INTER_AREA);
    glyph = squeezed;
  }
  const cv::Point at(px(x_mm + o.shift_x_mm, ppm), px(y_mm + o.shift_y_mm, ppm));
  const cv::Rect dst = cv::Rect(at, glyph.size()) & cv::Rect(0, 0, card.cols, card.rows);
  if (dst.empty()) return;
  cv::Mat roi = card(dst);
  const cv::Mat cov = glyph(cv::Rect(dst.x - at.x, dst.y - at.y, dst.width, dst.height));
  for (int y = 0; y < roi.rows; ++y) {
    auto* p = roi.ptr<cv::Vec3b>(y);
    const auto* a = cov.ptr<unsigned char>(y);
    for (int x = 0; x < roi.cols; ++x) {
      const double t = a[x] / 255.0;
      for (int c = 0; c < 3; ++c) p[x][c] = cv::saturate_cast<unsigned char>(p[x][c] * (1 - t) + grey * t);
    }
  }
}

cv::Mat CardFaceRenderer::front(const PrintedFields& f, const RenderOptions& o) const {
  if (f.security_code.size() != 4 ||
      !std::all_of(f.security_code.begin(), f.security_code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw std::invalid_argument("the security code is 4 digits");
  }
  if (f.generation == hal::CardGeneration::Unknown) throw std::invalid_argument("the card generation must be known");
  if (!f.birth_date.ok() || !f.card_expiry.ok()) throw std::invalid_argument("the card's dates must be real dates");
  const double ppm = o.pixels_per_mm;
  const cv::Size size(px(kCardWidthMm, ppm), px(kCardHeightMm, ppm));
  cv::Mat card = pastel_ground(size, ppm, o.pattern_seed);
  const Typeface tf = o.typeface;
  const double ink = o.ink_grey;
  const bool next = f.generation == hal::CardGeneration::Next;

  text(card, "氏名", 2.5, 3.0, 2.0, 0, o, tf, ink + 30);
  if (next) {
    text(card, f.name_kana, 9.0, 1.0, 1.6, 48.0, o, tf, ink + 20);
    text(card, f.name, 9.0, 3.0, 4.0, 48.0, o, tf, ink);
    text(card, f.name_romaji, 9.0, 7.6, 1.7, 48.0, o, tf, ink + 20);
    text(card, "日本国 JAPAN", 60.5, 1.4, 2.2, 22.0, o, tf, ink + 10);
  } else {
    text(card, f.name, 9.0, 2.5, 4.0, 48.0, o, tf, ink);
  }
  text(card, "住所", 2.5, 10.5, 2.0, 0, o, tf, ink + 30);
  for (std::size_t i = 0; i < f.address_lines.size() && i < 2; ++i) {
    text(card, f.address_lines[i], 9.0, 10.0 + 4.0 * static_cast<double>(i), 3.0, 49.0, o, tf, ink);
  }
  text(card, birth_date_text(f), 9.0, 20.0, 3.0, 32.0, o, tf, ink);
  if (!next && (f.sex == '1' || f.sex == '2')) {
    text(card, f.sex == '1' ? "性別 男" : "性別 女", 42.0, 20.0, 3.0, 0, o, tf, ink);
  }
  text(card, expiry_text(f), 9.0, 25.5, 3.0, 46.0, o, tf, ink);
  // The certificate-expiry box: a thin frame with its small label.
  cv::rectangle(card, cv::Point(px(2.5 + o.shift_x_mm, ppm), px(31.0 + o.shift_y_mm, ppm)),
                cv::Point(px(56.0 + o.shift_x_mm, ppm), px(41.0 + o.shift_y_mm, ppm)), cv::Scalar::all(ink + 60),
                std::max(1, px(0.15, ppm)), cv::LINE_AA);
  text(card, "電子証明書の有効期限の記載欄", 3.3, 31.8, 1.5, 0, o, tf, ink + 40);
  paste_photo(card, f.photo,
              cv::Rect(px(60.5 + o.shift_x_mm, ppm), px(5.0 + o.shift_y_mm, ppm), px(22.0, ppm), px(27.0, ppm)) &
                  cv::Rect(0, 0, size.width, size.height));
  text(card, f.security_code, 64.0, 35.0, 2.5, 0, o, tf, ink);
  text(card, "個人番号カード", 2.5, 46.0, 3.0, 0, o, tf, ink + 10);
  return with_alpha(card, ppm);
}

cv::Mat CardFaceRenderer::back(const RenderOptions& o) const {
  const double ppm = o.pixels_per_mm;
  const cv::Size size(px(kCardWidthMm, ppm), px(kCardHeightMm, ppm));
  cv::Mat card = pastel_ground(size, ppm, o.pattern_seed ^ 0x5A5Au);
  std::mt19937 rng(o.pattern_seed);
  std::uniform_int_distribution<int> digit(0, 9);
  // The IC chip's contacts.
  cv::rectangle(card, cv::Rect(px(6, ppm), px(18, ppm), px(11, ppm), px(9, ppm)), cv::Scalar(80, 170, 200), cv::FILLED);
  for (int i = 1; i < 3; ++i) {
    cv::line(card, cv::Point(px(6, ppm), px(18 + 3 * i, ppm)), cv::Point(px(17, ppm), px(18 + 3 * i, ppm)),
             cv::Scalar(60, 120, 150), 1, cv::LINE_AA);
  }
  text(card, "個人番号", 24.0, 6.0, 2.5, 0, o, o.typeface, o.ink_grey + 20);
  std::string number;  // made up: 12 random digits, not derived from any card
  for (int i = 0; i < 12; ++i) {
    number.push_back(static_cast<char>('0' + digit(rng)));
    if (i == 3 || i == 7) number.push_back(' ');
  }
  text(card, number, 24.0, 10.0, 4.5, 0, o, o.typeface, o.ink_grey);
  text(card, "氏名", 24.0, 20.0, 2.0, 0, o, o.typeface, o.ink_grey + 30);
  text(card, "生年月日", 24.0, 30.0, 2.0, 0, o, o.typeface, o.ink_grey + 30);
  // A QR-like block of random modules.
  const int modules = 25;
  const double module_mm = 0.8;
  const cv::Point qr(px(62.0, ppm), px(26.0, ppm));
  for (int y = 0; y < modules; ++y) {
    for (int x = 0; x < modules; ++x) {
      if (digit(rng) < 5) continue;
      cv::rectangle(card,
                    cv::Rect(qr.x + px(x * module_mm, ppm), qr.y + px(y * module_mm, ppm), std::max(1, px(module_mm, ppm)),
                             std::max(1, px(module_mm, ppm))),
                    cv::Scalar::all(20), cv::FILLED);
    }
  }
  explicit_bzero(number.data(), number.size());
  return with_alpha(card, ppm);
}

PrintedFields printed_fields(const card::CardProfile& profile, hal::CardGeneration generation, const std::string& name_kana,
                             const std::string& name_romaji) {
  PrintedFields f;
  f.generation = generation;
  f.name = profile.holder_name;
  f.name_kana = name_kana;
  f.name_romaji = name_romaji;
  if (!profile.address.empty()) {
    // Long addresses go on two lines (the card prints at most about 16 full-width characters).
    const std::string& a = profile.address;
    constexpr std::size_t kLineBytes = 16 * 3;
    if (a.size() <= kLineBytes) {
      f.address_lines.push_back(a);
    } else {
      std::size_t cut = kLineBytes;
      while (cut > 0 && (static_cast<unsigned char>(a[cut]) & 0xC0) == 0x80) --cut;  // a character boundary
      f.address_lines.push_back(a.substr(0, cut));
      f.address_lines.push_back(a.substr(cut));
    }
  }
  const auto birth = hal::calendar::parse_yyyymmdd(profile.birth_date);
  const auto expiry = hal::calendar::parse_yyyymmdd(profile.card_expiry);
  if (!birth || !expiry) throw std::invalid_argument("the card file's birth date or card expiry is not a date");
  f.birth_date = *birth;
  f.card_expiry = *expiry;
  f.sex = profile.sex;
  f.security_code = profile.security_code;
  if (!profile.face_photo_jp2.empty()) {
    const cv::Mat raw(1, static_cast<int>(profile.face_photo_jp2.size()), CV_8UC1,
                      const_cast<unsigned char*>(profile.face_photo_jp2.data()));
    cv::Mat decoded = cv::imdecode(raw, cv::IMREAD_UNCHANGED);  // greyscale JPEG 2000, maybe 16-bit
    if (!decoded.empty() && decoded.depth() != CV_8U) {
      decoded.convertTo(f.photo, CV_8U, decoded.depth() == CV_16U ? 1.0 / 257.0 : 1.0);
    } else {
      f.photo = decoded;
    }
  }
  return f;
}

}  // namespace kiosk::sim::card_face
