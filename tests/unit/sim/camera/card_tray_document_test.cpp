// The document reader on rendered documents: 資格確認書 and old 健康保険証 in the three insurer
// layouts, on the simulated card tray (the kiosk's path: several frames must agree) and as single
// camera images under clean and bad conditions. Exact reads are counted and printed; a wrong
// read is never allowed (a refusal is: the patient types the numbers).
#include <catch2/catch.hpp>

#include <iostream>

#include "drivers/card_surface/ocr_document_reader.hpp"
#include "hal/calendar.hpp"
#include "sim/camera/card_tray_camera.hpp"
#include "sim/card_face/card_scene.hpp"
#include "sim/card_face/document_renderer.hpp"
#include "sim/card_face/sample_cards.hpp"

using namespace kiosk;
using namespace std::chrono_literals;
using sim::card_face::DocumentType;

namespace {

std::chrono::year_month_day today() {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

sim::camera::CardTrayCamera::Settings small_tray(std::uint32_t seed) {
  sim::camera::CardTrayCamera::Settings s;
  s.frame = cv::Size(1280, 960);
  s.card_pixels_per_mm = 10.0;
  s.seed = seed;
  return s;
}

hal::DocumentKind kind_of(DocumentType t) {
  return t == DocumentType::EligibilityCertificate ? hal::DocumentKind::EligibilityCertificate : hal::DocumentKind::HealthInsuranceCard;
}

// Every field the reader released is the printed one; empty: all exact.
std::string differences(const hal::DocumentFields& f, const sim::card_face::PrintedDocument& d) {
  std::string out;
  const auto check = [&](const char* name, std::string_view seen, const std::string& printed) {
    if (seen != printed) out += std::string(" ") + name;
  };
  if (f.kind != kind_of(d.type)) out += " kind";
  check("insurer", f.insurer_number.text, d.insurer_number);
  check("symbol", f.symbol.text, d.symbol);
  check("number", f.number.text, d.number);
  check("branch", f.branch.text, d.branch);
  check("birthdate", f.birthdate.text, hal::calendar::format_yyyymmdd(d.birth_date));
  check("valid_until", f.valid_until.text, d.valid_until ? hal::calendar::format_yyyymmdd(*d.valid_until) : std::string());
  return out;
}

std::string differences(const drivers::card_surface::ParsedDocument& p, const sim::card_face::PrintedDocument& d) {
  hal::DocumentFields f;
  f.kind = *p.kind;
  f.insurer_number.text = p.insurer_number.text;
  f.symbol.text = p.symbol.text;
  f.number.text = p.number.text;
  f.branch.text = p.branch.text;
  f.birthdate.text = p.birthdate.text;
  f.valid_until.text = p.valid_until.text;
  return differences(f, d);
}

}  // namespace

TEST_CASE("card tray + document reader: every layout of every document type is read exactly, fields agreed over frames") {
  sim::camera::CardTrayCamera tray(small_tray(5));
  drivers::card_surface::OcrDocumentReader reader(tray);
  sim::card_face::CardFaceRenderer fonts;
  std::mt19937 rng(21);
  int exact = 0;
  int refused = 0;
  int total = 0;
  for (const auto layout : sim::card_face::kDocumentLayouts) {
    for (const auto type : {DocumentType::EligibilityCertificate, DocumentType::EmployeeInsuranceCard, DocumentType::NationalInsuranceCard}) {
      const auto doc = sim::card_face::random_document(rng, today(), type);
      sim::card_face::DocumentRenderOptions o;
      o.layout = layout;
      o.typeface = fonts.typefaces()[static_cast<std::size_t>(total) % fonts.typefaces().size()];
      o.paper_seed = static_cast<std::uint32_t>(rng());
      tray.place_document(doc, o);
      INFO(to_string(layout) << " " << to_string(type) << " " << to_string(o.typeface));
      ++total;
      try {
        reader.read_document(hal::DocumentKind::EligibilityCertificate, 20s, [&](const hal::DocumentFields& f) {
          // Released: every field exactly as printed (never a wrong read), agreed over frames.
          CHECK(differences(f, doc) == "");
          CHECK(f.insurer_number.confidence >= 0.8F);
          CHECK(f.number.confidence >= 0.8F);
          CHECK(reader.last_read().agreeing >= 2);
          ++exact;
        });
      } catch (const hal::DocumentReadError& e) {
        // Refused (the patient types the numbers): allowed, counted.
        std::cout << "  refused: " << to_string(layout) << " " << to_string(type) << " " << to_string(o.typeface) << ": "
                  << e.what() << "\n";
        CHECK(e.kind() == hal::DocumentReadErrorKind::Unreadable);
        ++refused;
      }
    }
  }
  std::cout << "document reader on the tray (clean, frames agreeing): exact " << exact << "/" << total << ", refused " << refused
            << "\n";
  // Measured: 8/9 (the stacked 資格確認書 in IPA Mincho: its symbol never read with certainty in 20 s).
  CHECK(exact + refused == total);
  CHECK(exact >= total - 1);
}

TEST_CASE("document reader: single camera images, clean scenes mostly exact, bad scenes refused and never wrong") {
  sim::card_face::CardFaceRenderer fonts;
  const sim::card_face::DocumentRenderer renderer(fonts);
  drivers::card_surface::DocumentImageReader reader;
  std::mt19937 rng(31);
  const DocumentType types[] = {DocumentType::EligibilityCertificate, DocumentType::EmployeeInsuranceCard,
                                DocumentType::NationalInsuranceCard};
  struct Tally {
    int exact = 0, refused = 0, wrong = 0;
  };
  Tally clean;
  Tally bad;
  const int n = 12;
  for (int i = 0; i < 2 * n; ++i) {
    const bool is_bad = i >= n;
    const auto doc = sim::card_face::random_document(rng, today(), types[i % 3]);
    sim::card_face::DocumentRenderOptions o;
    o.layout = sim::card_face::kDocumentLayouts[static_cast<std::size_t>(i / 3) % 3];
    o.typeface = fonts.typefaces()[static_cast<std::size_t>(i) % fonts.typefaces().size()];
    o.paper_seed = static_cast<std::uint32_t>(rng());
    sim::card_face::SceneConditions c;
    if (is_bad) {
      const sim::card_face::SceneKind kinds[] = {sim::card_face::SceneKind::OutOfFocus, sim::card_face::SceneKind::GlareOnField,
                                                 sim::card_face::SceneKind::Covered, sim::card_face::SceneKind::CutOff};
      c = sim::card_face::random_conditions(rng, kinds[i % 4]);
    } else {
      c.frame = cv::Size(1280, 960);
      c.card_width_fraction = 10.0 * 85.60 / 1280.0;
      c.rotation_deg = (i % 2 == 0 ? 3.0 : 183.0);  // either way up
      c.tilt_x_deg = 2.0;
      c.noise_sigma = 2.0;
      c.seed = static_cast<std::uint32_t>(rng());
    }
    const auto scene = sim::card_face::compose_scene(renderer.render(doc, o), o.pixels_per_mm, c);
    const auto read = reader.read(scene.frame, today());
    Tally& t = is_bad ? bad : clean;
    if (read.status != drivers::card_surface::DocumentStatus::Read) {
      ++t.refused;
      CHECK_FALSE(read.reason.empty());
      continue;
    }
    const std::string diff = differences(read.fields, doc);
    INFO(to_string(o.layout) << " " << to_string(doc.type) << ":" << diff);
    CHECK(diff.empty());
    ++(diff.empty() ? t.exact : t.wrong);
  }
  std::cout << "document reader, single frames: clean exact " << clean.exact << "/" << n << " (refused " << clean.refused
            << ", wrong " << clean.wrong << "); bad exact " << bad.exact << "/" << n << " (refused " << bad.refused << ", wrong "
            << bad.wrong << ")\n";
  CHECK(clean.wrong == 0);
  CHECK(bad.wrong == 0);
  CHECK(clean.exact >= n * 2 / 3);  // one frame; the kiosk reads until frames agree
}

TEST_CASE("card tray + document reader: an empty tray, a My Number card, an unplugged camera: refused, nothing released") {
  sim::camera::CardTrayCamera tray(small_tray(7));
  drivers::card_surface::OcrDocumentReader reader(tray);
  const auto error_of = [&](std::chrono::milliseconds timeout) {
    bool released = false;
    try {
      reader.read_document(hal::DocumentKind::EligibilityCertificate, timeout, [&](const hal::DocumentFields&) { released = true; });
    } catch (const hal::DocumentReadError& e) {
      CHECK_FALSE(released);
      return e.kind();
    }
    FAIL("the reader released fields");
    return hal::DocumentReadErrorKind::Timeout;
  };
  CHECK(error_of(1500ms) == hal::DocumentReadErrorKind::NoDocument);
  std::mt19937 rng(41);
  tray.place(sim::card_face::random_card_fields(rng, today(), hal::CardGeneration::Current));
  const auto card = error_of(4000ms);
  CHECK((card == hal::DocumentReadErrorKind::UnknownLayout || card == hal::DocumentReadErrorKind::Unreadable));
  tray.unplug();
  CHECK(error_of(1000ms) == hal::DocumentReadErrorKind::DeviceGone);
  CHECK(std::string(hal::advice(hal::DocumentReadErrorKind::DeviceGone)).find("type the numbers") != std::string::npos);
}
