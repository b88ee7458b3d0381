#include "firmware/face_eval/documents.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <stdexcept>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "drivers/card_surface/ocr_document_reader.hpp"
#include "hal/calendar.hpp"
#include "sim/card_face/card_scene.hpp"
#include "sim/card_face/document_renderer.hpp"

namespace kiosk::firmware::face_eval {

namespace {

using sim::card_face::DocumentType;

constexpr double kPixelsPerMm = 12.0;

sim::card_face::SceneConditions clean_scene(std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  sim::card_face::SceneConditions c;
  c.frame = cv::Size(1280, 960);
  c.card_width_fraction = 10.0 * 85.60 / 1280.0;  // the simulated tray's 10 pixels per mm
  c.rotation_deg = 5.0 * u(rng) + ((rng() % 2) != 0 ? 180.0 : 0.0);
  c.tilt_x_deg = 3.0 * u(rng);
  c.tilt_y_deg = 3.0 * u(rng);
  c.noise_sigma = 2.0;
  c.background = sim::card_face::Background::DarkTray;
  c.seed = static_cast<std::uint32_t>(rng());
  return c;
}

sim::card_face::SceneConditions scene(std::mt19937& rng, const std::string& kind, std::string& label) {
  if (kind == "clean") {
    label = "clean";
    return clean_scene(rng);
  }
  if (kind == "varied") return sim::card_face::random_conditions(rng, sim::card_face::SceneKind::Readable, &label);
  if (kind == "bad") {
    const sim::card_face::SceneKind bad[] = {sim::card_face::SceneKind::OutOfFocus, sim::card_face::SceneKind::GlareOnField,
                                             sim::card_face::SceneKind::Covered, sim::card_face::SceneKind::CutOff};
    const auto k = bad[rng() % 4];
    auto c = sim::card_face::random_conditions(rng, k, &label);
    label = std::string(sim::card_face::to_string(k)) + ":" + label;
    return c;
  }
  throw std::invalid_argument("--scenes is clean, varied or bad");
}

struct Tally {
  int total = 0, exact = 0, refused = 0, wrong = 0;
};

}  // namespace

int run_documents(const DocumentsOptions& o, std::ostream& out) {
  std::mt19937 rng(o.seed);
  sim::card_face::CardFaceRenderer fonts;
  sim::card_face::DocumentRenderer renderer(fonts);
  drivers::card_surface::DocumentImageReader reader;
  const DocumentType types[] = {DocumentType::EligibilityCertificate, DocumentType::EmployeeInsuranceCard,
                                DocumentType::NationalInsuranceCard};
  std::map<std::string, Tally> by_layout;
  std::map<std::string, int> refusals;
  Tally all;
  double ms = 0;
  if (!o.dump.empty()) std::filesystem::create_directories(o.dump);
  for (int i = 0; i < o.count; ++i) {
    const DocumentType type = types[static_cast<std::size_t>(i) % 3];
    const auto layout = sim::card_face::kDocumentLayouts[static_cast<std::size_t>(i / 3) % 3];
    const auto& faces = fonts.typefaces();
    sim::card_face::DocumentRenderOptions ro;
    ro.pixels_per_mm = kPixelsPerMm;
    ro.layout = layout;
    ro.typeface = faces[static_cast<std::size_t>(i / 9) % faces.size()];
    ro.paper_seed = static_cast<std::uint32_t>(rng());
    std::uniform_real_distribution<double> shift(-0.6, 0.6);
    ro.shift_x_mm = shift(rng);
    ro.shift_y_mm = shift(rng);
    const auto doc = sim::card_face::random_document(rng, o.today, type);
    std::string label;
    const auto conditions = scene(rng, o.scenes, label);
    const auto shot = sim::card_face::compose_scene(renderer.render(doc, ro), kPixelsPerMm, conditions);
    if (!o.dump.empty()) {
      char name[64];
      std::snprintf(name, sizeof name, "doc-%03d.png", i);
      cv::imwrite((o.dump / name).string(), shot.frame);
    }
    const auto read = reader.read(shot.frame, o.today);
    ms += read.total_ms;
    const std::string layout_key = std::string(sim::card_face::to_string(layout)) + "/" + sim::card_face::to_string(type);
    Tally& t = by_layout[layout_key];
    ++t.total;
    ++all.total;
    std::string verdict;
    if (read.status != drivers::card_surface::DocumentStatus::Read) {
      ++t.refused;
      ++all.refused;
      ++refusals[std::string(to_string(read.status)) + ": " + read.reason];
      verdict = std::string("refused (") + to_string(read.status) + ": " + read.reason + ")";
    } else {
      const auto& f = read.fields;
      const hal::DocumentKind kind = type == DocumentType::EligibilityCertificate ? hal::DocumentKind::EligibilityCertificate
                                                                                  : hal::DocumentKind::HealthInsuranceCard;
      std::vector<std::string> differ;
      if (f.kind != kind) differ.emplace_back("kind");
      if (f.insurer_number.text != doc.insurer_number) differ.emplace_back("insurer");
      if (f.symbol.text != doc.symbol) differ.emplace_back("symbol");
      if (f.number.text != doc.number) differ.emplace_back("number");
      if (f.branch.text != doc.branch) differ.emplace_back("branch");
      if (f.birthdate.text != hal::calendar::format_yyyymmdd(doc.birth_date)) differ.emplace_back("birthdate");
      const std::string until = doc.valid_until ? hal::calendar::format_yyyymmdd(*doc.valid_until) : std::string();
      if (f.valid_until.text != until) differ.emplace_back("valid_until");
      if (differ.empty()) {
        ++t.exact;
        ++all.exact;
        verdict = "exact";
      } else {
        ++t.wrong;
        ++all.wrong;
        verdict = "WRONG:";
        for (const auto& d : differ) verdict += " " + d;
      }
    }
    if (o.verbose) {
      out << "doc " << i << " " << layout_key << " " << sim::card_face::to_string(ro.typeface) << " " << label << ": " << verdict
          << " (" << static_cast<int>(read.total_ms) << " ms)\n";
    }
  }
  for (const auto& [key, t] : by_layout) {
    out << "  " << key << ": exact " << t.exact << "/" << t.total << ", refused " << t.refused << ", wrong " << t.wrong << "\n";
  }
  for (const auto& [why, n] : refusals) out << "  refused " << n << "x: " << why << "\n";
  out << "  mean read time " << (all.total > 0 ? static_cast<int>(ms / all.total) : 0) << " ms per frame\n";
  out << "documents: exact " << all.exact << "/" << all.total << ", refused " << all.refused << ", wrong " << all.wrong << "\n";
  return 0;
}

}  // namespace kiosk::firmware::face_eval
