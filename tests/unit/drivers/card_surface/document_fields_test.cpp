// Finding a paper document's fields by their labels in OCR output (no images, no engine): labels
// with their value on the same line, apart to the right, or under them; the combined
// 記号・番号（枝番）; the title's kind; and refusals rather than a value that could be wrong.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "drivers/card_surface/document_fields.hpp"

using namespace kiosk;
using namespace kiosk::drivers::card_surface;
using namespace std::chrono;

namespace {

// One line of print at (x, y), its characters read with `confidence`.
TextBox line(int x, int y, const std::string& utf8, float confidence = 99.0F) {
  TextBox b;
  b.box = cv::Rect(x, y, 20 * static_cast<int>(utf8.size() / 2 + 1), 24);
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    const std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    b.symbols.push_back(OcrSymbol{utf8.substr(i, n), confidence, {}});
    i += n;
  }
  return b;
}

FieldRules rules() { return FieldRules{80.0, 60.0, year_month_day{year{2026}, December, day{6}}}; }

}  // namespace

TEST_CASE("document fields: labels with their values on one line, 和暦 converted, the title gives the kind") {
  const std::vector<TextBox> boxes{
      line(200, 20, "資格確認書"),
      line(30, 100, "記号1234"),       line(350, 100, "番号56"), line(580, 100, "(枝番)01"),
      line(30, 200, "生年月日昭和50年11月30日"), line(560, 200, "性別男"),
      line(30, 260, "有効期限令和9年3月31日"),
      line(30, 400, "保険者番号06139992"),
  };
  const ParsedDocument d = parse_document(boxes, rules());
  INFO(d.problem);
  REQUIRE(d.complete());
  CHECK(d.kind == hal::DocumentKind::EligibilityCertificate);
  CHECK(d.insurer_number.text == "06139992");
  CHECK(d.symbol.text == "1234");
  CHECK(d.number.text == "56");
  CHECK(d.branch.text == "01");
  CHECK(d.birthdate.text == "19751130");
  CHECK(d.valid_until.text == "20270331");
  CHECK(d.insurer_number.confidence == Approx(99.0));
}

TEST_CASE("document fields: a value apart from its label, to the right or under it (unknown layouts)") {
  const std::vector<TextBox> boxes{
      line(40, 20, "国民健康保険被保険者証"),
      line(30, 80, "記号"),          line(200, 80, "12-34"), line(560, 76, "保険者番号"),
      line(560, 106, "138123"),      // under its label (a 6-digit 国民健康保険 number)
      line(30, 126, "番号"),         line(200, 126, "7"),
      line(30, 172, "生年月日"),     line(200, 172, "平成元年1月8日"),
      line(30, 220, "保険者名称"),   line(200, 220, "和和"),  // an insurer's name read as garbage: not a field
  };
  const ParsedDocument d = parse_document(boxes, rules());
  INFO(d.problem);
  REQUIRE(d.complete());
  CHECK(d.kind == hal::DocumentKind::HealthInsuranceCard);
  CHECK(d.symbol.text == "12-34");
  CHECK(d.number.text == "7");
  CHECK(d.branch.text.empty());  // not printed
  CHECK(d.insurer_number.text == "138123");
  CHECK(d.birthdate.text == "19890108");
  CHECK(d.valid_until.text.empty());
}

TEST_CASE("document fields: the combined label 記号・番号（枝番） and its one value") {
  const std::vector<TextBox> boxes{
      line(200, 20, "健康保険被保険者証"),
      line(30, 100, "記号・番号（枝番）"), line(330, 98, "71924886・7042（17）"),
      line(30, 160, "生年月日"),           line(330, 158, "2001年2月3日"),
      line(30, 220, "保険者番号"),         line(330, 218, "06130017"),
  };
  const ParsedDocument d = parse_document(boxes, rules());
  INFO(d.problem);
  REQUIRE(d.complete());
  CHECK(d.symbol.text == "71924886");
  CHECK(d.number.text == "7042");
  CHECK(d.branch.text == "17");
  CHECK(d.birthdate.text == "20010203");
}

TEST_CASE("document fields: what could be a misread is refused, naming the field and never its value") {
  const auto with = [](std::vector<TextBox> extra) {
    std::vector<TextBox> boxes{line(200, 20, "資格確認書"), line(30, 100, "記号1234"), line(30, 160, "生年月日昭和50年11月30日")};
    for (auto& b : extra) boxes.push_back(std::move(b));
    return parse_document(boxes, rules());
  };
  // A digit read without confidence.
  auto unsure = with({line(350, 100, "番号56"), line(30, 220, "保険者番号"), line(200, 220, "06139992", 40.0F)});
  CHECK_FALSE(unsure.complete());
  CHECK(unsure.problem == "insurer number: read without certainty");
  // A check digit that does not fit (one digit misread).
  auto check_digit = with({line(350, 100, "番号56"), line(30, 220, "保険者番号06139982")});
  CHECK(check_digit.problem == "insurer number: check digit");
  CHECK(check_digit.problem.find("0613") == std::string::npos);
  // A label read twice (a name read as 番号): which one is right?
  auto twice = with({line(350, 100, "番号56"), line(30, 300, "番号78"), line(30, 220, "保険者番号06139992")});
  CHECK(twice.problem == "number: label read twice");
  // Not a date, a birth date in the future, no number at all.
  auto no_date = parse_document({line(200, 20, "資格確認書"), line(30, 100, "番号56"), line(30, 160, "生年月日昭和5O年"),
                                 line(30, 220, "保険者番号06139992")},
                                rules());
  CHECK(no_date.problem == "birth date: not a date");
  auto future = parse_document({line(200, 20, "資格確認書"), line(30, 100, "番号56"), line(30, 160, "生年月日令和9年1月1日"),
                                line(30, 220, "保険者番号06139992")},
                               rules());
  CHECK(future.problem == "birth date: not plausible");
  auto no_number = with({line(30, 220, "保険者番号06139992")});
  CHECK(no_number.problem == "number: label not read");
  // No title: not a document the reader knows.
  auto untitled = parse_document({line(30, 100, "番号56"), line(30, 160, "生年月日昭和50年11月30日"), line(30, 220, "保険者番号06139992")},
                                 rules());
  CHECK_FALSE(untitled.kind);
  CHECK_FALSE(untitled.complete());
}

TEST_CASE("document fields: a value to the right behind another label is not taken") {
  // 番号 printed alone, its value missing (not read); the next thing to its right is the branch's
  // label: the number must not become the branch's value.
  const std::vector<TextBox> boxes{
      line(200, 20, "資格確認書"), line(30, 100, "記号1234"), line(350, 100, "番号"), line(580, 100, "(枝番)"),
      line(700, 100, "01"),         line(30, 160, "生年月日昭和50年11月30日"), line(30, 220, "保険者番号06139992"),
  };
  const ParsedDocument d = parse_document(boxes, rules());
  CHECK_FALSE(d.complete());
  CHECK(d.problem == "number: not what it can be");
}

TEST_CASE("document fields: two reads agree only when every field and the kind are the same") {
  const std::vector<TextBox> a{line(200, 20, "資格確認書"), line(30, 100, "番号56"), line(30, 160, "生年月日昭和50年11月30日"),
                               line(30, 220, "保険者番号06139992")};
  std::vector<TextBox> b = a;
  b[0] = line(200, 20, "健康保険被保険者証");
  const auto first = parse_document(a, rules());
  REQUIRE(first.complete());
  CHECK(first.same_as(parse_document(a, rules())));
  CHECK_FALSE(first.same_as(parse_document(b, rules())));
}
