#include "sim/card_face/document_renderer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "hal/calendar.hpp"
#include "hal/insurer_number.hpp"

namespace kiosk::sim::card_face {

namespace {

using namespace std::chrono;

constexpr double kWidthMm = 85.60;
constexpr double kHeightMm = 53.98;

int px(double mm, double ppm) { return static_cast<int>(std::lround(mm * ppm)); }

bool digits_only(const std::string& s, bool hyphen_allowed) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return (c >= '0' && c <= '9') || (hyphen_allowed && c == '-'); });
}

const char* title(DocumentType t) {
  switch (t) {
    case DocumentType::EligibilityCertificate: return "資格確認書";
    case DocumentType::EmployeeInsuranceCard: return "健康保険被保険者証";
    case DocumentType::NationalInsuranceCard: return "国民健康保険被保険者証";
  }
  return "";
}

// Paper: a light tint (white, cream, pale blue or pink card stock) with faint fibres.
cv::Mat paper(cv::Size size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  static constexpr double kTints[4][3] = {{246, 248, 250}, {226, 240, 248}, {248, 238, 228}, {240, 232, 248}};
  const double* tint = kTints[rng() % 4];
  cv::Mat ground(size, CV_8UC3, cv::Scalar(tint[0], tint[1], tint[2]));
  const int fibres = size.area() / 4000;
  for (int i = 0; i < fibres; ++i) {
    const cv::Point a(static_cast<int>(u(rng) * size.width), static_cast<int>(u(rng) * size.height));
    const cv::Point b = a + cv::Point(static_cast<int>((u(rng) - 0.5) * 12), static_cast<int>((u(rng) - 0.5) * 12));
    const double g = 8 + 10 * u(rng);
    cv::line(ground, a, b, cv::Scalar(tint[0] - g, tint[1] - g, tint[2] - g), 1, cv::LINE_AA);
  }
  return ground;
}

std::string sex_text(char sex) { return sex == '2' ? "女" : "男"; }

// The insurer's seal: a red ring with its name's first characters.
void seal(cv::Mat& doc, double x_mm, double y_mm, double ppm) {
  cv::circle(doc, cv::Point(px(x_mm, ppm), px(y_mm, ppm)), px(3.2, ppm), cv::Scalar(70, 70, 210), std::max(1, px(0.35, ppm)),
             cv::LINE_AA);
  cv::circle(doc, cv::Point(px(x_mm, ppm), px(y_mm, ppm)), px(2.4, ppm), cv::Scalar(90, 90, 220), std::max(1, px(0.2, ppm)),
             cv::LINE_AA);
}

}  // namespace

const char* to_string(DocumentType type) {
  switch (type) {
    case DocumentType::EligibilityCertificate: return "eligibility-certificate";
    case DocumentType::EmployeeInsuranceCard: return "employee-insurance-card";
    case DocumentType::NationalInsuranceCard: return "national-insurance-card";
  }
  return "unknown";
}

const char* to_string(DocumentLayout layout) {
  switch (layout) {
    case DocumentLayout::Inline: return "inline";
    case DocumentLayout::Stacked: return "stacked";
    case DocumentLayout::Ruled: return "ruled";
  }
  return "unknown";
}

std::string era_date_text(year_month_day date) {
  const auto era = hal::calendar::to_era(date);
  if (!era) throw std::invalid_argument("a date before 大正 cannot be printed in the era");
  const std::string y = era->year == 1 ? "元" : std::to_string(era->year);
  return std::string(hal::calendar::era_name(era->era)) + y + "年" + std::to_string(static_cast<unsigned>(date.month())) +
         "月" + std::to_string(static_cast<unsigned>(date.day())) + "日";
}

cv::Mat DocumentRenderer::render(const PrintedDocument& d, const DocumentRenderOptions& o) const {
  if (!digits_only(d.insurer_number, false) || (d.insurer_number.size() != 8 && d.insurer_number.size() != 6)) {
    throw std::invalid_argument("the insurer number is 6 or 8 digits");
  }
  if (!digits_only(d.number, false) || !digits_only(d.symbol, true)) throw std::invalid_argument("symbol and number are digits");
  if (!d.branch.empty() && (d.branch.size() != 2 || !digits_only(d.branch, false))) throw std::invalid_argument("the branch is 2 digits");
  if (!d.birth_date.ok() || !d.issued.ok()) throw std::invalid_argument("the document's dates must be real dates");
  const bool certificate = d.type == DocumentType::EligibilityCertificate;
  if (certificate && (!d.valid_until || !d.valid_until->ok())) throw std::invalid_argument("a 資格確認書 prints its 有効期限");

  const double ppm = o.pixels_per_mm;
  const cv::Size size(px(kWidthMm, ppm), px(kHeightMm, ppm));
  cv::Mat doc = paper(size, o.paper_seed);
  RenderOptions ro;
  ro.pixels_per_mm = ppm;
  ro.shift_x_mm = o.shift_x_mm;
  ro.shift_y_mm = o.shift_y_mm;
  const double ink = o.ink_grey;
  const double label_ink = ink + 25;
  const Typeface tf = o.typeface;
  const auto put = [&](const std::string& s, double x, double y, double em, double max_w, double grey, Typeface face) {
    fonts_.text(doc, s, x, y, em, max_w, ro, face, grey);
  };
  const std::string birth = era_date_text(d.birth_date);
  const std::string issued = era_date_text(d.issued);
  const std::string second_label = certificate ? "有効期限" : "資格取得年月日";
  const std::string second_date = certificate ? era_date_text(*d.valid_until) : era_date_text(d.acquired);
  const cv::Scalar rule_colour = cv::Scalar::all(ink + 70);
  const int rule = std::max(1, px(0.15, ppm));
  const auto hline = [&](double x0, double x1, double y) {
    cv::line(doc, cv::Point(px(x0 + o.shift_x_mm, ppm), px(y + o.shift_y_mm, ppm)),
             cv::Point(px(x1 + o.shift_x_mm, ppm), px(y + o.shift_y_mm, ppm)), rule_colour, rule, cv::LINE_AA);
  };
  const auto vline = [&](double x, double y0, double y1) {
    cv::line(doc, cv::Point(px(x + o.shift_x_mm, ppm), px(y0 + o.shift_y_mm, ppm)),
             cv::Point(px(x + o.shift_x_mm, ppm), px(y1 + o.shift_y_mm, ppm)), rule_colour, rule, cv::LINE_AA);
  };

  switch (o.layout) {
    case DocumentLayout::Inline: {
      put(title(d.type), 22.0, 2.5, 3.6, 44.0, ink, tf);
      if (d.type == DocumentType::EmployeeInsuranceCard) put("本人（被保険者）", 66.0, 3.4, 1.8, 17.0, label_ink, tf);
      double y = 10.0;
      put("記号", 3.0, y, 2.2, 0, label_ink, tf);
      put(d.symbol, 10.0, y - 0.2, 2.7, 22.0, ink, tf);
      put("番号", 35.0, y, 2.2, 0, label_ink, tf);
      put(d.number, 42.0, y - 0.2, 2.7, 13.0, ink, tf);
      if (!d.branch.empty()) {
        put("（枝番）", 58.0, y, 2.2, 0, label_ink, tf);
        put(d.branch, 70.0, y - 0.2, 2.7, 0, ink, tf);
      }
      y = 15.5;
      put("氏名", 3.0, y, 2.2, 0, label_ink, tf);
      put(d.name, 14.0, y - 0.4, 3.2, 40.0, ink, tf);
      y = 21.5;
      put("生年月日", 3.0, y, 2.2, 0, label_ink, tf);
      put(birth, 17.0, y - 0.2, 2.6, 32.0, ink, tf);
      put("性別", 56.0, y, 2.2, 0, label_ink, tf);
      put(sex_text(d.sex), 63.0, y - 0.2, 2.6, 0, ink, tf);
      y = 27.0;
      put(second_label, 3.0, y, 2.2, 0, label_ink, tf);
      put(second_date, certificate ? 17.0 : 25.0, y - 0.2, 2.6, 32.0, ink, tf);
      y = 32.5;
      put("交付年月日", 3.0, y, 2.2, 0, label_ink, tf);
      put(issued, 20.0, y - 0.2, 2.6, 32.0, ink, tf);
      y = 39.5;
      put("保険者番号", 3.0, y, 2.2, 0, label_ink, tf);
      put(d.insurer_number, 20.0, y - 0.2, 2.7, 20.0, ink, tf);
      y = 45.0;
      put("保険者名称", 3.0, y, 2.2, 0, label_ink, tf);
      put(d.insurer_name, 20.0, y - 0.2, 2.6, 50.0, ink, tf);
      seal(doc, 78.0, 46.0, ppm);
      break;
    }
    case DocumentLayout::Stacked: {
      put(title(d.type), 4.0, 2.0, 3.4, 50.0, ink, tf);
      // 保険者番号 at the top right, under the title's line.
      put("保険者番号", 56.0, 8.0, 2.0, 0, label_ink, tf);
      put(d.insurer_number, 56.0, 11.0, 2.6, 26.0, ink, tf);
      const double x_value = 20.0;
      double y = 8.0;
      const double step = 4.6;
      const auto row = [&](const std::string& label, const std::string& value, double value_em, double max_w) {
        put(label, 3.0, y + 0.3, 2.1, 0, label_ink, tf);
        put(value, x_value, y, value_em, max_w, ink, tf);
        y += step;
      };
      row("記号", d.symbol, 2.6, 30.0);
      row("番号", d.number, 2.6, 30.0);
      if (!d.branch.empty()) row("枝番", d.branch, 2.6, 0);
      row("氏名", d.name, 2.9, 36.0);
      put("性別", 60.0, y - step + 0.3, 2.1, 0, label_ink, tf);
      put(sex_text(d.sex), 67.0, y - step, 2.6, 0, ink, tf);
      row("生年月日", birth, 2.5, 34.0);
      row("交付年月日", issued, 2.5, 34.0);
      row(second_label, second_date, 2.5, 34.0);
      row("保険者名称", d.insurer_name, 2.5, 60.0);
      seal(doc, 77.0, 30.0, ppm);
      break;
    }
    case DocumentLayout::Ruled: {
      // Values in a Mincho face when one is installed.
      const auto& faces = fonts_.typefaces();
      Typeface values = tf;
      for (Typeface f : {Typeface::IpaMincho, Typeface::NotoSerif}) {
        if (std::find(faces.begin(), faces.end(), f) != faces.end()) {
          values = f;
          break;
        }
      }
      put(title(d.type), 20.0, 2.0, 3.5, 46.0, ink, values);
      const double x0 = 2.5;
      const double x1 = 83.0;
      const double xl = 23.0;  // the label column ends here
      const double top = 8.0;
      const double h = 6.2;
      const int rows = 7;
      for (int i = 0; i <= rows; ++i) hline(x0, x1, top + h * i);
      vline(x0, top, top + h * rows);
      vline(x1, top, top + h * rows);
      vline(xl, top, top + h * rows);
      const auto cell = [&](int r, const std::string& label, const std::string& value, double em, double max_w) {
        const double y = top + h * r;
        put(label, x0 + 1.0, y + (h - 1.9) / 2, 1.9, xl - x0 - 2.0, label_ink, tf);
        put(value, xl + 3.5, y + (h - em) / 2, em, max_w, ink, values);
      };
      std::string id = d.symbol + "・" + d.number;
      if (!d.branch.empty()) id += "（" + d.branch + "）";
      cell(0, "記号・番号（枝番）", id, 2.6, 50.0);
      cell(1, "氏名", d.name, 2.8, 40.0);
      cell(2, "生年月日", birth, 2.5, 30.0);
      put("性別", 62.0, top + h * 2 + (h - 1.9) / 2, 1.9, 0, label_ink, tf);
      put(sex_text(d.sex), 70.0, top + h * 2 + (h - 2.5) / 2, 2.5, 0, ink, values);
      cell(3, second_label, second_date, 2.5, 30.0);
      cell(4, "交付年月日", issued, 2.5, 30.0);
      cell(5, "保険者番号", d.insurer_number, 2.6, 24.0);
      cell(6, "保険者名称", d.insurer_name, 2.5, 54.0);
      seal(doc, 76.0, top + h * 5 + h / 2, ppm);
      break;
    }
  }
  cv::Mat out = with_rounded_corners(doc, ppm);
  return out;
}

PrintedDocument random_document(std::mt19937& rng, year_month_day today, DocumentType type) {
  static constexpr std::array<const char*, 10> kFamily{{"佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"}};
  static constexpr std::array<const char*, 10> kGiven{{"太郎", "花子", "翔太", "美咲", "健一", "陽菜", "大輔", "由美子", "誠", "恵子"}};
  static constexpr std::array<const char*, 6> kEmployers{{"全国健康保険協会　東京支部", "全国健康保険協会　大阪支部",
                                                         "関東電機健康保険組合", "みなと商事健康保険組合",
                                                         "全国食品健康保険組合", "西日本運輸健康保険組合"}};
  static constexpr std::array<const char*, 6> kCities{{"千代田区", "横浜市", "札幌市", "名古屋市", "福岡市", "那覇市"}};
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto digits = [&](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
    if (n > 1 && s[0] == '0') s[0] = static_cast<char>('1' + rng() % 9);
    return s;
  };
  PrintedDocument d;
  d.type = type;
  const bool national = type == DocumentType::NationalInsuranceCard || (type == DocumentType::EligibilityCertificate && u(rng) < 0.35);
  if (national) {  // 国民健康保険: 6-digit insurer numbers (the prefecture's 2 digits, 3, a check digit)
    std::string first = "00" + digits(5);
    first[2] = static_cast<char>('0' + 1 + rng() % 4);
    d.insurer_number = first.substr(2) + std::to_string(*hal::insurer_check_digit(first));
    d.insurer_name = std::string(kCities[rng() % kCities.size()]);
    d.symbol = digits(2 + rng() % 3);
  } else {
    std::string first = (u(rng) < 0.5 ? "01" : "06") + digits(5);
    d.insurer_number = first + std::to_string(*hal::insurer_check_digit(first));
    d.insurer_name = kEmployers[rng() % kEmployers.size()];
    d.symbol = digits(4 + rng() % 5);
    if (u(rng) < 0.15) d.symbol.insert(2, "-");
  }
  d.number = digits(1 + rng() % 6);
  d.branch = u(rng) < 0.8 ? std::string{static_cast<char>('0' + rng() % 2), static_cast<char>('0' + rng() % 10)} : std::string();
  d.name = std::string(kFamily[rng() % kFamily.size()]) + "　" + kGiven[rng() % kGiven.size()];
  const sys_days now{today};
  std::uniform_int_distribution<long> age_days(365, 95 * 365);
  d.birth_date = year_month_day{now - days{age_days(rng)}};
  if (u(rng) < 0.1) d.birth_date = year_month_day{year{1989}, January, day{7 + static_cast<unsigned>(rng() % 2)}};  // 昭和64 / 平成元
  d.sex = u(rng) < 0.5 ? '1' : '2';
  std::uniform_int_distribution<long> back(30, 700);
  if (type == DocumentType::EligibilityCertificate) {
    const sys_days issued = std::max(now - days{back(rng)}, sys_days{year{2024} / December / 2});
    d.issued = year_month_day{issued};
    d.acquired = d.issued;
    d.valid_until = year_month_day{issued + days{365 * (3 + static_cast<int>(rng() % 3))}};
    if (sys_days{*d.valid_until} < now) d.valid_until = year_month_day{now + days{400}};
  } else {  // issued before the 健康保険証 stopped being issued (2024-12-02)
    const sys_days issued = sys_days{year{2024} / December / 1} - days{back(rng) * 3};
    d.issued = year_month_day{issued};
    d.acquired = year_month_day{issued - days{back(rng)}};
  }
  if (sys_days{d.birth_date} > sys_days{d.acquired}) d.acquired = d.birth_date;
  return d;
}

}  // namespace kiosk::sim::card_face
