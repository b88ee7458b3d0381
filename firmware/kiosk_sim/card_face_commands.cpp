// kiosk-sim card-faces generate: an evaluation set of camera images of card fronts for
// `face-eval surface` (images + manifest.csv). Never commit what it writes: generate it into a
// build directory.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "firmware/kiosk_sim/commands.hpp"
#include "firmware/kiosk_sim/sim_dates.hpp"
#include "hal/calendar.hpp"
#include "sim/card_face/card_face_renderer.hpp"
#include "sim/card_face/card_scene.hpp"
#include "sim/card_face/sample_cards.hpp"

namespace kiosk::firmware::kiosk_sim {

namespace {

namespace cf = sim::card_face;
using std::chrono::year_month_day;

// The face set's photos (../shared/faces/data/<identity>/*.jpg) for the card photos; none:
// drawn silhouettes.
std::vector<std::filesystem::path> face_photos(const std::filesystem::path& faces_dir) {
  std::vector<std::filesystem::path> photos;
  std::error_code ec;
  const auto data = faces_dir / "data";
  if (!std::filesystem::is_directory(data, ec)) return photos;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data, ec)) {
    const auto ext = entry.path().extension().string();
    if (entry.is_regular_file(ec) && (ext == ".jpg" || ext == ".png")) photos.push_back(entry.path());
  }
  std::sort(photos.begin(), photos.end());
  return photos;
}

std::string two(unsigned v) {
  char out[8];
  std::snprintf(out, sizeof out, "%02u", v % 100);
  return out;
}

struct Options {
  std::string out;
  int count = 300;
  unsigned seed = 1;
  double refuse_share = 0.2;
  std::string today;
  std::string faces_dir;
};

void generate(const Options& o) {
  if (o.count < 1) throw std::invalid_argument("--count must be at least 1");
  if (o.refuse_share < 0 || o.refuse_share > 1) throw std::invalid_argument("--refuse-share is between 0 and 1");
  const year_month_day today{std::chrono::floor<std::chrono::days>(parse_today(o.today))};
  std::filesystem::create_directories(o.out);
  std::filesystem::create_directories(std::filesystem::path(o.out) / "images");
  std::string faces = o.faces_dir;
  if (faces.empty()) {
    const char* env = std::getenv("KIOSK_FACES_DIR");
    faces = env != nullptr ? env : "../shared/faces";
  }
  const auto photos = face_photos(faces);
  if (photos.empty()) std::cerr << "kiosk-sim: no face set in " << faces << ": card photos are drawn silhouettes\n";

  cf::CardFaceRenderer renderer;
  std::mt19937 rng(o.seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::ofstream manifest(std::filesystem::path(o.out) / "manifest.csv");
  manifest << "path,expect,birth_yymmdd,expiry_year,security_code,condition,kind,generation,typeface,background\n";
  const cf::SceneKind refuse_kinds[] = {cf::SceneKind::Covered,   cf::SceneKind::GlareOnField, cf::SceneKind::OutOfFocus,
                                        cf::SceneKind::NoCard,    cf::SceneKind::BackSide,     cf::SceneKind::CutOff};
  int reads = 0;
  for (int i = 0; i < o.count; ++i) {
    const bool refuse = u(rng) < o.refuse_share;
    const cf::SceneKind kind = refuse ? refuse_kinds[rng() % std::size(refuse_kinds)] : cf::SceneKind::Readable;
    const auto generation = u(rng) < 1.0 / 3.0 ? hal::CardGeneration::Next : hal::CardGeneration::Current;
    cf::PrintedFields fields = cf::random_card_fields(rng, today, generation);
    if (!photos.empty()) fields.photo = cv::imread(photos[rng() % photos.size()].string());
    cf::RenderOptions render;
    render.pattern_seed = static_cast<std::uint32_t>(rng());
    render.typeface = renderer.typefaces()[rng() % renderer.typefaces().size()];
    render.ink_grey = 15 + 50 * u(rng);
    render.shift_x_mm = (u(rng) - 0.5) * 2.0;  // print runs differ by a millimetre or so
    render.shift_y_mm = (u(rng) - 0.5) * 2.0;
    std::string label;
    const cf::SceneConditions conditions = cf::random_conditions(rng, kind, &label);
    cv::Mat card;
    if (kind == cf::SceneKind::BackSide) {
      card = renderer.back(render);
    } else if (kind != cf::SceneKind::NoCard) {
      card = renderer.front(fields, render);
    }
    const cf::CardScene scene = cf::compose_scene(card, render.pixels_per_mm, conditions);
    char name[32];
    std::snprintf(name, sizeof name, "images/%04d.jpg", i);
    cv::imwrite((std::filesystem::path(o.out) / name).string(), scene.frame, {cv::IMWRITE_JPEG_QUALITY, 95});
    const auto era = hal::calendar::to_era(fields.birth_date);
    const std::string birth = era ? two(static_cast<unsigned>(era->year)) + two(era->month) + two(era->day) : "";
    const bool shows_card = kind != cf::SceneKind::NoCard && kind != cf::SceneKind::BackSide;
    manifest << name << "," << (refuse ? "refuse" : "read") << "," << (shows_card ? birth : "") << ","
             << (shows_card ? std::to_string(static_cast<int>(fields.card_expiry.year())) : "") << ","
             << (shows_card ? fields.security_code : "") << "," << label << "," << cf::to_string(kind) << ","
             << hal::to_string(generation) << "," << cf::to_string(render.typeface) << ","
             << cf::to_string(conditions.background) << "\n";
    reads += refuse ? 0 : 1;
  }
  std::cout << "wrote " << o.count << " images (" << reads << " to read, " << o.count - reads << " to refuse) and "
            << (std::filesystem::path(o.out) / "manifest.csv").string() << "\n";
}

}  // namespace

void register_card_face_commands(CLI::App& app) {
  CLI::App* faces = app.add_subcommand("card-faces", "Camera images of simulated card fronts (the card-surface reader's test set)");
  faces->require_subcommand(1);
  auto* gen = faces->add_subcommand(
      "generate",
      "Write N camera images of card fronts (both generations, varied holders and conditions; a share that no honest "
      "reader can read: covered, glare on a field, out of focus, no card, the back, cut off) and manifest.csv with "
      "path,expect,birth_yymmdd,expiry_year,security_code,condition,...");
  auto options = std::make_shared<Options>();
  Options& o = *options;
  gen->add_option("--out", o.out, "Directory to write (images/ and manifest.csv); not in the repository")->required();
  gen->add_option("--count", o.count, "Number of images")->capture_default_str();
  gen->add_option("--seed", o.seed, "Random seed (the same seed gives the same set)")->capture_default_str();
  gen->add_option("--refuse-share", o.refuse_share, "Share of images to refuse")->capture_default_str();
  gen->add_option("--today", o.today, "Cards valid on this date (YYYY-MM-DD; default today)");
  gen->add_option("--faces-dir", o.faces_dir, "Face set for the card photos ($KIOSK_FACES_DIR, default ../shared/faces)");
  gen->callback([options] { generate(*options); });
}

}  // namespace kiosk::firmware::kiosk_sim
