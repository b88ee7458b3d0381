// face-eval: measures the face pipeline on a labelled set.
//   face-eval accuracy   FRR at FAR 1% / 0.1% / 0.01%, EER and thresholds (default)
//   face-eval cohort     the score cohort file (S-norm) from a labelled set (firmware/face_eval/cohort.hpp)
//   face-eval attacks    acceptance of simulated presentation attacks (and of genuine sessions)
//   face-eval surface    the card-surface reader on camera images of card fronts (firmware/face_eval/surface.hpp)
//   face-eval documents  the document reader on generated 資格確認書 / 健康保険証 images (firmware/face_eval/documents.hpp)
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/face/face_config.hpp"
#include "core/face/face_error.hpp"
#include "core/face/face_verifier.hpp"
#include "firmware/face_eval/accuracy.hpp"
#include "firmware/face_eval/cohort.hpp"
#include "firmware/face_eval/attacks.hpp"
#include "firmware/face_eval/documents.hpp"
#include "firmware/face_eval/surface.hpp"
#include "hal/calendar.hpp"

int main(int argc, char** argv) {
  using namespace kiosk;
  CLI::App app{"face-eval: accuracy and attack acceptance of the kiosk's face pipeline on a labelled face set"};
  std::string model_dir = core::face::default_model_dir().string();
  std::string manifest;
  std::string recognizer = "paddlex";
  std::vector<std::string> settings;
  app.add_option("--model-dir", model_dir, "Face models and data ($KIOSK_FACES_DIR, default ../shared/faces)")
      ->capture_default_str();
  app.add_option("--manifest", manifest, "Labelled set (default: <model-dir>/data/manifest.csv)");
  app.add_option("--recognizer", recognizer, "paddlex | foamliu | sface (SFace needs its model file)")
      ->capture_default_str();
  app.add_option("--set", settings, "Any face setting, key=value (e.g. --set policy.greyscale_matching=false)");
  app.require_subcommand(0, 1);

  auto* accuracy = app.add_subcommand("accuracy", "FRR at FAR 1%/0.1%/0.01%, EER and thresholds (the default)");
  std::string protocol = "card";
  accuracy->add_option("--protocol", protocol, "card | plain")->capture_default_str();
  int worst = 0;
  accuracy->add_option("--worst", worst, "List the N lowest-scoring genuine pairs");
  std::size_t folds = 5;
  accuracy->add_option("--folds", folds, "Cross-validation by identity: the threshold chosen on the other folds, FAR and FRR on the held-out one (0: none)")
      ->capture_default_str();
  std::uint32_t fold_seed = 1;
  accuracy->add_option("--fold-seed", fold_seed, "How the identities are shuffled into folds")->capture_default_str();
  std::filesystem::path scores;
  accuracy->add_option("--scores", scores, "Write every pair's score to this CSV file (card,camera,genuine,score)");
  bool cohort = false;
  accuracy->add_flag("--cohort", cohort, "Also measure scores normalised against a cohort of the set's other identities (S-norm)");

  auto* attacks = app.add_subcommand("attacks", "whole sessions on the virtual camera: genuine, impostor and attacks");
  int identities = 0;
  double fps = 15.0;
  attacks->add_option("--identities", identities, "Use only the first N identities (0: all)")->capture_default_str();
  int skip = 0;
  attacks->add_option("--skip", skip, "Leave out the first N identities (the half a setting was tuned on), then --identities")
      ->capture_default_str();
  attacks->add_option("--fps", fps, "Virtual camera frame rate")->capture_default_str();
  std::vector<std::string> only;
  bool attacks_verbose = false;
  attacks->add_flag("--verbose", attacks_verbose, "One line per session (else only attacks accepted and genuine sessions refused)");
  attacks->add_option("--kind", only, "Run only these kinds: genuine approach impostor print lifesize tablet close close-hd close-hd-turning close-hd-pausing");

  auto* cohort_command = app.add_subcommand("cohort", "the score cohort file (S-norm) from a labelled set: every image as a card photo and as a camera face");
  firmware::face_eval::CohortOptions cohort_options;
  cohort_command->add_option("--out", cohort_options.output, "The cohort file to write (.yml or .yml.gz)")->required();
  cohort_command->add_option("--skip", cohort_options.skip, "Leave out the first N identities (name order)")->capture_default_str();
  cohort_command->add_option("--identities", cohort_options.identities, "Then take only N identities (0: all the rest)")
      ->capture_default_str();

  auto* surface = app.add_subcommand("surface", "the card-surface reader (照合番号B) on camera images of card fronts");
  std::string surface_manifest;
  std::string surface_today;
  std::string surface_settings;
  bool surface_verbose = false;
  surface->add_option("--manifest", surface_manifest, "CSV: path,expect,birth_yymmdd,expiry_year,security_code (kiosk-sim card-faces generate)")
      ->required();
  surface->add_option("--today", surface_today, "Judge plausibility as on this date (YYYY-MM-DD; default today)");
  surface->add_option("--settings", surface_settings, "Card-surface settings (JSON; default: the built-in layout)");
  surface->add_flag("--verbose", surface_verbose, "One line per image");

  auto* documents = app.add_subcommand("documents", "the document reader on generated 資格確認書 / 健康保険証 camera images");
  firmware::face_eval::DocumentsOptions doc_options;
  std::string documents_today;
  std::string documents_dump;
  documents->add_option("--count", doc_options.count, "Documents generated")->capture_default_str();
  documents->add_option("--seed", doc_options.seed, "Random seed")->capture_default_str();
  documents->add_option("--scenes", doc_options.scenes, "clean | varied | bad")->capture_default_str();
  documents->add_option("--today", documents_today, "As on this date (YYYY-MM-DD; default today)");
  documents->add_option("--dump", documents_dump, "Write every camera image into this directory");
  documents->add_flag("--verbose", doc_options.verbose, "One line per document");

  CLI11_PARSE(app, argc, argv);
  if (*documents) {  // no face models needed
    if (!documents_today.empty()) {
      const auto day = hal::calendar::parse_iso_date(documents_today);
      if (!day) {
        std::cerr << "face-eval: --today is YYYY-MM-DD\n";
        return 1;
      }
      doc_options.today = *day;
    }
    doc_options.dump = documents_dump;
    try {
      return firmware::face_eval::run_documents(doc_options, std::cout);
    } catch (const std::exception& e) {
      std::cerr << "face-eval: " << e.what() << "\n";
      return 1;
    }
  }
  if (*surface) {  // no face models needed
    firmware::face_eval::SurfaceOptions so;
    so.manifest = surface_manifest;
    so.settings = surface_settings;
    so.verbose = surface_verbose;
    if (!surface_today.empty()) {
      so.today = hal::calendar::parse_iso_date(surface_today);
      if (!so.today) {
        std::cerr << "face-eval: --today is YYYY-MM-DD\n";
        return 1;
      }
    }
    try {
      return firmware::face_eval::run_surface(so, std::cout);
    } catch (const std::exception& e) {
      std::cerr << "face-eval: " << e.what() << "\n";
      return 1;
    }
  }
  try {
    core::face::FaceConfig config;
    config.model_dir = model_dir;
    core::face::apply_setting(config, "recognizer", recognizer);
    for (const auto& s : settings) {
      const auto eq = s.find('=');
      if (eq == std::string::npos) throw core::face::FaceError(core::face::FaceErrorKind::BadConfig, "--set needs key=value: " + s);
      core::face::apply_setting(config, s.substr(0, eq), s.substr(eq + 1));
    }
    const std::filesystem::path set = manifest.empty() ? config.model_dir / "data" / "manifest.csv" : std::filesystem::path(manifest);
    core::face::FaceVerifier verifier(config);
    if (*cohort_command) {
      cohort_options.manifest = set;
      return firmware::face_eval::run_cohort(verifier, cohort_options, std::cout);
    }
    if (*attacks) {
      return firmware::face_eval::run_attacks(verifier, {set, identities, skip, fps, only, attacks_verbose}, std::cout);
    }
    if (protocol != "card" && protocol != "plain") {
      std::cerr << "face-eval: --protocol must be card or plain\n";
      return 1;
    }
    return firmware::face_eval::run_accuracy(verifier,
                                   {set, protocol == "card" ? firmware::face_eval::Protocol::Card : firmware::face_eval::Protocol::Plain, worst,
                                    folds, fold_seed, scores, cohort},
                                   std::cout);
  } catch (const core::face::FaceError& e) {
    std::cerr << "face-eval: " << e.what() << "\n  " << e.advice() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "face-eval: " << e.what() << "\n";
    return 1;
  }
}
