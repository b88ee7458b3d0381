#include "firmware/face_eval/surface.hpp"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "drivers/card_surface/surface_reader.hpp"

namespace kiosk::firmware::face_eval {

namespace {

namespace cs = drivers::card_surface;

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cell);
      cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  out.push_back(cell);
  return out;
}

struct Case {
  std::string path;
  bool expect_read = true;
  std::string code;  // expected 照合番号B (read cases)
  std::string condition;
};

struct Tally {
  int cases = 0;
  int exact = 0;    // read cases read exactly
  int refused = 0;  // cases refused
  int wrong = 0;    // a code that is not the expected one, or any code on a refuse case
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5)];
}

}  // namespace

int run_surface(const SurfaceOptions& o, std::ostream& out) {
  std::ifstream in(o.manifest);
  if (!in) {
    out << "face-eval surface: cannot read " << o.manifest << "\n";
    return 1;
  }
  std::string header;
  std::getline(in, header);
  const auto columns = split_csv(header);
  const auto column = [&](const std::string& name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == name) return i;
    }
    return std::nullopt;
  };
  const auto c_path = column("path");
  const auto c_expect = column("expect");
  const auto c_birth = column("birth_yymmdd");
  const auto c_expiry = column("expiry_year");
  const auto c_code = column("security_code");
  const auto c_condition = column("condition");
  if (!c_path || !c_expect || !c_birth || !c_expiry || !c_code) {
    out << "face-eval surface: " << o.manifest
        << " needs the columns path,expect,birth_yymmdd,expiry_year,security_code\n";
    return 1;
  }
  std::vector<Case> cases;
  std::string line;
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    const auto cells = split_csv(line);
    const auto cell = [&](std::size_t i) { return i < cells.size() ? cells[i] : std::string(); };
    Case c;
    c.path = cell(*c_path);
    const std::string expect = cell(*c_expect);
    if (expect != "read" && expect != "refuse") {
      out << "face-eval surface: " << o.manifest << " line " << line_no << ": expect is read or refuse\n";
      return 1;
    }
    c.expect_read = expect == "read";
    c.code = cell(*c_birth) + cell(*c_expiry) + cell(*c_code);
    if (c.expect_read && c.code.size() != cs::CodeB::kLength) {
      out << "face-eval surface: " << o.manifest << " line " << line_no << ": a read case needs a 6-digit birth date, "
          << "a 4-digit expiry year and a 4-digit security code\n";
      return 1;
    }
    c.condition = c_condition ? cell(*c_condition) : std::string("all");
    if (c.condition.empty()) c.condition = "-";
    cases.push_back(std::move(c));
  }
  if (cases.empty()) {
    out << "face-eval surface: no cases in " << o.manifest << "\n";
    return 1;
  }

  cs::ScannerConfig config = o.settings.empty() ? cs::ScannerConfig{} : cs::load_scanner_config(o.settings);
  cs::CardSurfaceReader reader(config);
  const auto today = o.today.value_or(
      std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())});
  const std::filesystem::path base = o.manifest.parent_path();

  std::map<std::string, std::pair<Tally, Tally>> by_condition;  // read cases, refuse cases
  Tally reads;
  Tally refuses;
  std::map<std::string, int> reasons;  // why read cases were refused
  std::vector<double> times;
  for (const Case& c : cases) {
    cv::Mat image = cv::imread((base / c.path).string(), cv::IMREAD_COLOR);
    if (image.empty()) {
      out << "face-eval surface: cannot read the image " << (base / c.path).string() << "\n";
      return 1;
    }
    const cs::SurfaceRead r = reader.read(image, today);
    times.push_back(r.total_ms);
    Tally& t = c.expect_read ? reads : refuses;
    Tally& tc = c.expect_read ? by_condition[c.condition].first : by_condition[c.condition].second;
    for (Tally* x : {&t, &tc}) ++x->cases;
    std::string outcome;
    if (r.status == cs::ReadStatus::Read) {
      const bool exact = c.expect_read && r.code_b.view() == c.code;
      for (Tally* x : {&t, &tc}) (exact ? x->exact : x->wrong) += 1;
      outcome = exact ? "exact" : "WRONG";
      if (!exact && c.expect_read && r.code_b.view().size() == c.code.size()) {
        // Which printed field was misread (the synthetic set's codes are not secrets).
        const std::string_view read = r.code_b.view();
        const std::string_view want = c.code;
        outcome += " (";
        if (read.substr(0, 6) != want.substr(0, 6)) outcome += " birth date " + std::string(read.substr(0, 6));
        if (read.substr(6, 4) != want.substr(6, 4)) outcome += " expiry year " + std::string(read.substr(6, 4));
        if (read.substr(10) != want.substr(10)) outcome += " security code " + std::string(read.substr(10));
        outcome += " )";
      }
    } else {
      for (Tally* x : {&t, &tc}) ++x->refused;
      outcome = std::string("refused (") + hal::to_string(r.hint) + "): " + r.reason;
      if (c.expect_read) ++reasons[r.reason + " [" + hal::to_string(r.hint) + "]"];
    }
    if (o.verbose) {
      out << c.path << "  " << (c.expect_read ? "read  " : "refuse") << "  " << c.condition << "  " << outcome << "  "
          << std::fixed << std::setprecision(0) << r.total_ms << " ms\n";
    }
  }

  out << std::left << std::setw(22) << "condition" << std::right << std::setw(7) << "read" << std::setw(7) << "exact"
      << std::setw(9) << "refused" << std::setw(8) << "refuse" << std::setw(9) << "refused" << std::setw(7) << "wrong"
      << "\n";
  for (const auto& [condition, tallies] : by_condition) {
    const auto& [rd, rf] = tallies;
    out << std::left << std::setw(22) << condition << std::right << std::setw(7) << rd.cases << std::setw(7) << rd.exact
        << std::setw(9) << rd.refused << std::setw(8) << rf.cases << std::setw(9) << rf.refused << std::setw(7)
        << rd.wrong + rf.wrong << "\n";
  }
  if (!reasons.empty()) {
    out << "why readable cards were refused:\n";
    for (const auto& [why, n] : reasons) out << "  " << n << "  " << why << "\n";
  }
  out << std::fixed << std::setprecision(0) << "read time per image: median " << percentile(times, 0.5) << " ms, p90 "
      << percentile(times, 0.9) << " ms, max " << percentile(times, 1.0) << " ms (" << times.size() << " images)\n";
  out << std::setprecision(1) << "exact reads: " << (reads.cases > 0 ? 100.0 * reads.exact / reads.cases : 0.0)
      << "% of readable cards; refuse cases refused: " << refuses.refused << "/" << refuses.cases << "\n";
  out << "surface: exact " << reads.exact << "/" << reads.cases << ", refused " << refuses.refused << ", wrong "
      << reads.wrong + refuses.wrong << "\n";
  return 0;
}

}  // namespace kiosk::firmware::face_eval
