#include "drivers/card_surface/document_fields.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

#include "drivers/card_surface/printed_date.hpp"
#include "drivers/card_surface/wipe.hpp"
#include "hal/calendar.hpp"
#include "hal/insurer_number.hpp"

namespace kiosk::drivers::card_surface {

namespace {

using namespace std::chrono;

// One character as read, normalised: full-width digits and brackets as ASCII, the dashes as '-'.
struct Ch {
  std::string c;
  float confidence = 0.0F;
};

void wipe_all(std::vector<Ch>& v) noexcept {
  for (auto& c : v) wipe(c.c);
  v.clear();
}

std::string normalised(const std::string& c) {
  static const std::map<std::string, std::string, std::less<>> kMap{
      {"（", "("}, {"）", ")"}, {"ー", "-"}, {"－", "-"}, {"―", "-"}, {"‐", "-"}, {"−", "-"}, {"･", "・"}, {"\xEF\xBC\x8E", "."},
      {"０", "0"}, {"１", "1"}, {"２", "2"}, {"３", "3"}, {"４", "4"}, {"５", "5"}, {"６", "6"}, {"７", "7"}, {"８", "8"},
      {"９", "9"}};
  const auto it = kMap.find(c);
  return it == kMap.end() ? c : it->second;
}

std::vector<std::string> chars_of(std::string_view utf8) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    const std::size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
    out.emplace_back(utf8.substr(i, n));
    i += n;
  }
  return out;
}

enum class Label { Combined, CombinedNoBranch, Insurer, Symbol, Number, Branch, Birth, ValidUntil, Other };

struct LabelText {
  Label label;
  std::vector<std::string> chars;
};

// Longest first: 保険者番号 before 番号, 記号・番号(枝番) before 記号.
const std::vector<LabelText>& labels() {
  static const std::vector<LabelText> kLabels = [] {
    const std::pair<Label, const char*> raw[] = {
        {Label::Combined, "記号・番号(枝番)"}, {Label::CombinedNoBranch, "記号・番号"}, {Label::Other, "資格取得年月日"},
        {Label::Insurer, "保険者番号"},        {Label::Other, "保険者名称"},          {Label::Other, "交付年月日"},
        {Label::Birth, "生年月日"},            {Label::ValidUntil, "有効期限"},       {Label::Branch, "(枝番)"},
        {Label::Symbol, "記号"},               {Label::Number, "番号"},               {Label::Branch, "枝番"},
        {Label::Other, "氏名"},                {Label::Other, "性別"},
    };
    std::vector<LabelText> out;
    for (const auto& [label, text] : raw) out.push_back({label, chars_of(text)});
    return out;
  }();
  return kLabels;
}

const char* label_name(Label l) {
  switch (l) {
    case Label::Combined:
    case Label::CombinedNoBranch: return "symbol and number";
    case Label::Insurer: return "insurer number";
    case Label::Symbol: return "symbol";
    case Label::Number: return "number";
    case Label::Branch: return "branch";
    case Label::Birth: return "birth date";
    case Label::ValidUntil: return "valid until";
    case Label::Other: return "other";
  }
  return "unknown";
}

// A piece of a box: a label and the characters after it up to the next label (or the box's
// end); or, before the box's first label, characters without one (a value printed apart from
// its label).
struct Segment {
  std::optional<Label> label;
  std::vector<Ch> value;
  bool taken = false;  // an unlabelled segment given to a label
};

struct Line {
  cv::Rect box;
  std::vector<Segment> segments;
  bool title = false;
};

bool matches(const std::vector<Ch>& s, std::size_t at, const std::vector<std::string>& label) {
  if (at + label.size() > s.size()) return false;
  for (std::size_t i = 0; i < label.size(); ++i) {
    if (s[at + i].c != label[i]) return false;
  }
  return true;
}

bool contains(const std::vector<Ch>& s, std::string_view text) {
  const auto t = chars_of(text);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (matches(s, i, t)) return true;
  }
  return false;
}

Line split(const TextBox& b) {
  Line line;
  line.box = b.box;
  std::vector<Ch> s;
  for (const auto& sym : b.symbols) {
    if (sym.text.empty() || sym.text == " " || sym.text == "\u3000") continue;
    s.push_back({normalised(sym.text), sym.confidence});
  }
  if (contains(s, "資格確認書") || contains(s, "被保険者証")) {
    line.title = true;
    wipe_all(s);
    return line;
  }
  Segment current;
  for (std::size_t i = 0; i < s.size();) {
    const LabelText* hit = nullptr;
    for (const auto& l : labels()) {
      if (matches(s, i, l.chars)) {
        hit = &l;
        break;
      }
    }
    if (hit == nullptr) {
      current.value.push_back(s[i]);
      ++i;
      continue;
    }
    if (current.label || !current.value.empty()) line.segments.push_back(std::move(current));
    current = Segment{};
    current.label = hit->label;
    i += hit->chars.size();
  }
  if (current.label || !current.value.empty()) line.segments.push_back(std::move(current));
  wipe_all(s);
  return line;
}

double centre_y(const cv::Rect& r) { return r.y + r.height / 2.0; }

// The unlabelled text that belongs to a label printed alone: the next line to its right on the
// same row (when that line starts with a label, the value is not there), else the nearest line
// under it that starts below the label, overlapping it in x.
Segment* value_apart(std::vector<Line>& lines, const Line& own) {
  Line* right = nullptr;
  for (auto& l : lines) {
    if (&l == &own || l.title) continue;
    const bool same_row = std::abs(centre_y(l.box) - centre_y(own.box)) < 0.5 * std::max(own.box.height, l.box.height) &&
                          l.box.x >= own.box.x + own.box.width - 2;
    if (same_row && (right == nullptr || l.box.x < right->box.x)) right = &l;
  }
  if (right != nullptr && !right->segments.empty()) {
    Segment& first = right->segments.front();
    if (!first.label && !first.taken) return &first;
  }
  Segment* best = nullptr;
  double best_distance = 1e18;
  for (auto& l : lines) {
    if (&l == &own || l.title || l.segments.empty()) continue;
    Segment& first = l.segments.front();
    if (first.label || first.taken) continue;
    const int overlap = std::min(l.box.x + l.box.width, own.box.x + own.box.width) - std::max(l.box.x, own.box.x);
    const double below = l.box.y - (own.box.y + own.box.height);
    if (overlap > 0 && below >= -0.2 * own.box.height && below < 2.0 * own.box.height && below < best_distance) {
      best_distance = below;
      best = &first;
    }
  }
  return best;
}

std::string text_of(const std::vector<Ch>& v) {
  std::string out;
  for (const auto& c : v) out += c.c;
  return out;
}

float confidence_of(const std::vector<Ch>& v) {
  float m = v.empty() ? 0.0F : 100.0F;
  for (const auto& c : v) m = std::min(m, c.confidence);
  return m;
}

// Every character read with the confidence its kind needs (digits more than the rest).
bool certain(const std::vector<Ch>& v, const FieldRules& rules) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [&](const Ch& c) {
    const bool digit = c.c.size() == 1 && c.c[0] >= '0' && c.c[0] <= '9';
    return c.confidence >= (digit ? rules.min_confidence : rules.min_text_confidence);
  });
}

bool all_of_kind(const std::string& s, bool hyphen) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [&](char c) { return (c >= '0' && c <= '9') || (hyphen && c == '-'); }) &&
         s.front() != '-' && s.back() != '-';
}

}  // namespace

FieldText::~FieldText() { wipe(text); }

bool ParsedDocument::same_as(const ParsedDocument& o) const {
  return kind == o.kind && insurer_number == o.insurer_number && symbol == o.symbol && number == o.number &&
         branch == o.branch && birthdate == o.birthdate && valid_until == o.valid_until;
}

ParsedDocument parse_document(const std::vector<TextBox>& boxes, const FieldRules& rules) {
  ParsedDocument out;
  std::vector<Line> lines;
  std::map<Label, std::vector<Ch>> values;
  // The characters read are personal data: overwritten whatever way this returns.
  struct Wipe {
    std::vector<Line>& lines;
    std::map<Label, std::vector<Ch>>& values;
    ~Wipe() {
      for (auto& l : lines) {
        for (auto& seg : l.segments) wipe_all(seg.value);
      }
      for (auto& [label, v] : values) wipe_all(v);
    }
  } wipe_guard{lines, values};
  lines.reserve(boxes.size());
  for (const auto& b : boxes) lines.push_back(split(b));
  for (const auto& l : lines) {
    if (!l.title) continue;
    // The title's text again (split() kept no segments of it).
    std::vector<Ch> s;
    for (const auto& b : boxes) {
      if (b.box != l.box) continue;
      for (const auto& sym : b.symbols) s.push_back({normalised(sym.text), sym.confidence});
    }
    const hal::DocumentKind k =
        contains(s, "資格確認書") ? hal::DocumentKind::EligibilityCertificate : hal::DocumentKind::HealthInsuranceCard;
    if (out.kind && *out.kind != k) {
      out.problem = "two different titles";
      return out;
    }
    out.kind = k;
  }

  // Each label's value.
  std::map<Label, int> seen;
  for (auto& l : lines) {
    for (auto& seg : l.segments) {
      if (!seg.label) continue;
      ++seen[*seg.label];
      if (*seg.label != Label::Other) ++out.labels;
      std::vector<Ch> v = seg.value;
      if (v.empty() && &seg == &l.segments.back()) {
        if (Segment* apart = value_apart(lines, l)) {
          apart->taken = true;
          v = apart->value;
        }
      }
      if (*seg.label != Label::Other) values[*seg.label] = std::move(v);
    }
  }
  const auto fail = [&](std::string why) -> ParsedDocument& {
    if (out.problem.empty()) out.problem = std::move(why);
    return out;
  };
  if (!out.kind) return fail("no title (資格確認書 / 被保険者証) read");
  for (const auto& [label, n] : seen) {
    if (label != Label::Other && n > 1) return fail(std::string(label_name(label)) + ": label read twice");
  }
  const auto field = [&](Label l, FieldText& into, bool hyphen) -> bool {
    const auto it = values.find(l);
    if (it == values.end()) return false;
    into.text = text_of(it->second);
    into.confidence = confidence_of(it->second);
    if (!all_of_kind(into.text, hyphen)) {
      fail(std::string(label_name(l)) + ": not what it can be");
      return true;
    }
    if (!certain(it->second, rules)) fail(std::string(label_name(l)) + ": read without certainty");
    return true;
  };

  // 記号・番号（枝番） as one value: "<symbol>・<number>(<branch>)".
  for (const Label combined : {Label::Combined, Label::CombinedNoBranch}) {
    const auto it = values.find(combined);
    if (it == values.end()) continue;
    if (values.count(Label::Symbol) != 0 || values.count(Label::Number) != 0) return fail("symbol and number printed twice");
    const std::vector<Ch>& v = it->second;
    const auto dot = std::find_if(v.begin(), v.end(), [](const Ch& c) { return c.c == "・"; });
    if (dot == v.end()) return fail("symbol and number: no separator read");
    auto open = std::find_if(dot, v.end(), [](const Ch& c) { return c.c == "("; });
    values[Label::Symbol] = std::vector<Ch>(v.begin(), dot);
    values[Label::Number] = std::vector<Ch>(dot + 1, open);
    if (open != v.end()) {
      if (v.back().c != ")") return fail("branch: no closing bracket read");
      values[Label::Branch] = std::vector<Ch>(open + 1, v.end() - 1);
    }
    values.erase(it);
  }
  // A branch printed "(00)" after its label.
  if (auto it = values.find(Label::Branch); it != values.end() && it->second.size() >= 2 && it->second.front().c == "(" &&
                                            it->second.back().c == ")") {
    it->second = std::vector<Ch>(it->second.begin() + 1, it->second.end() - 1);
  }

  if (!field(Label::Insurer, out.insurer_number, false)) return fail("insurer number: label not read");
  if (!out.problem.empty()) return out;
  const std::string& in = out.insurer_number.text;
  if (in.size() != 6 && in.size() != 8) return fail("insurer number: not 6 or 8 digits");
  {
    const std::string full = in.size() == 6 ? "00" + in : in;
    if (hal::insurer_check_digit(std::string_view(full).substr(0, 7)) != full[7] - '0') {
      return fail("insurer number: check digit");
    }
  }
  if (!field(Label::Number, out.number, false)) return fail("number: label not read");
  if (!out.problem.empty()) return out;
  if (out.number.text.size() > 20) return fail("number: too long");
  field(Label::Symbol, out.symbol, true);
  if (!out.problem.empty()) return out;
  if (out.symbol.text.size() > 20) return fail("symbol: too long");
  field(Label::Branch, out.branch, false);
  if (!out.problem.empty()) return out;
  if (!out.branch.text.empty() && out.branch.text.size() != 2) return fail("branch: not 2 digits");

  const auto date = [&](Label l, FieldText& into) -> std::optional<year_month_day> {
    const auto it = values.find(l);
    if (it == values.end()) return std::nullopt;
    std::string printed = text_of(it->second);
    into.confidence = confidence_of(it->second);
    const auto d = parse_document_date(printed);
    wipe(printed);
    if (!d) {
      fail(std::string(label_name(l)) + ": not a date");
      return std::nullopt;
    }
    if (!certain(it->second, rules)) fail(std::string(label_name(l)) + ": read without certainty");
    into.text = hal::calendar::format_yyyymmdd(*d);
    return d;
  };
  if (values.count(Label::Birth) == 0) return fail("birth date: label not read");
  const auto birth = date(Label::Birth, out.birthdate);
  if (!out.problem.empty()) return out;
  if (sys_days{*birth} > sys_days{rules.today} || *birth < year_month_day{year{1912}, July, day{30}}) {
    return fail("birth date: not plausible");
  }
  date(Label::ValidUntil, out.valid_until);
  return out;
}

}  // namespace kiosk::drivers::card_surface
