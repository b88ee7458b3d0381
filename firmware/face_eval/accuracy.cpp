#include "firmware/face_eval/accuracy.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <algorithm>

#include <opencv2/imgcodecs.hpp>

#include "core/face/card_photo.hpp"
#include "core/face/evaluation.hpp"
#include "core/face/face_error.hpp"
#include "core/face/score_cohort.hpp"
#include "firmware/face_eval/labelled_set.hpp"
#include "sim/camera/face_scene.hpp"
#include "sim/card/card_factory.hpp"

namespace kiosk::firmware::face_eval {

namespace {

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * v);
  return buf;
}

std::string fixed(double v, int digits = 4) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// A still camera view of the face: composed into a 640x480 frame, no head motion.
cv::Mat camera_view(const std::filesystem::path& image, std::uint32_t seed) {
  sim::camera::SceneSettings s;
  s.yaw_degrees = 0.0;
  s.pitch_degrees = 0.0;
  s.seed = seed;
  sim::camera::Scene scene(sim::camera::FaceSource::image(image), {sim::camera::Segment{}}, s);
  return scene.render(0.0, 0);
}

// Faces nobody tuned on: the threshold of each fold is chosen without its identities.
void print_cross_validation(const core::face::FoldScorer& score_fold, std::size_t identities,
                            const AccuracyOptions& options, std::ostream& out) {
  out << "  cross-validation: " << options.folds << " folds by identity (seed " << options.fold_seed
      << "); each fold's threshold chosen on the other folds' pairs, FAR and FRR counted on the pairs of its own identities\n";
  for (const double target : {0.01, 0.001}) {
    const auto cv = core::face::cross_validate(score_fold, identities, options.folds, target, options.fold_seed);
    double low = 1.0;
    double high = -1.0;
    for (const auto& f : cv.folds) {
      low = std::min(low, f.threshold);
      high = std::max(high, f.threshold);
    }
    out << "    FAR " << percent(target) << " chosen: held-out FAR " << percent(cv.far()) << " (" << cv.false_accepts << "/"
        << cv.impostor << "), FRR " << percent(cv.frr()) << " (" << cv.false_rejects << "/" << cv.genuine
        << "), thresholds " << fixed(low) << "-" << fixed(high) << "\n";
    for (std::size_t f = 0; f < cv.folds.size(); ++f) {
      const auto& fold = cv.folds[f];
      out << "      fold " << f + 1 << ": " << fold.identities << " identities, threshold " << fixed(fold.threshold) << ", FAR "
          << fold.false_accepts << "/" << fold.impostor << ", FRR " << fold.false_rejects << "/" << fold.genuine << "\n";
    }
  }
}

void print_operating_points(const std::vector<double>& genuine, const std::vector<double>& impostor, std::ostream& out) {
  const auto summary = core::face::summarize_scores(genuine, impostor, {0.01, 0.001, 0.0001});
  out << "  pairs:      " << summary.genuine << " genuine, " << summary.impostor << " impostor\n";
  for (const auto& p : summary.points) {
    out << "  FAR " << percent(p.target_far) << ": threshold " << fixed(p.threshold) << "  FRR " << percent(p.frr)
        << " (" << p.false_rejects << "/" << summary.genuine << ")  [FAR achieved " << percent(p.far) << ", "
        << p.false_accepts << " false accepts]\n";
  }
  out << "  EER " << percent(summary.eer) << " at threshold " << fixed(summary.eer_threshold) << "\n";
}

}  // namespace

CardProtocolFace embed_card_protocol(core::face::FaceVerifier& verifier, const std::filesystem::path& image,
                                     std::uint32_t seed, std::ostream& report) {
  CardProtocolFace face;
  try {
    const Bytes jp2 = sim::card::make_card_photo_jp2(image);
    face.card = verifier.enroll_card_photo(jp2);
  } catch (const core::face::FaceError& e) {
    report << "  card photo not enrolled: " << image.filename().string() << ": " << e.what() << "\n";
  }
  const cv::Mat frame = camera_view(image, seed);
  const core::face::FrameAnalysis a = verifier.analyse(frame);
  if (a.faces.empty()) {
    report << "  no face in the camera frame of " << image.filename().string() << "\n";
    return face;
  }
  face.camera_face_found = true;
  if (!a.quality.usable) face.gate = core::face::to_string(a.quality.guidance);
  face.camera = verifier.embed_face(frame, a.faces.front());
  return face;
}

int run_accuracy(core::face::FaceVerifier& verifier, const AccuracyOptions& options, std::ostream& out) {
  const auto images = read_manifest(options.manifest);
  const auto identities = by_identity(images);
  const auto& config = verifier.config();
  out << "face-eval accuracy\n"
      << "  recognizer: " << core::face::to_string(config.recognizer.kind) << " ("
      << config.resolve(config.recognizer.model).string() << ")\n"
      << "  protocol:   "
      << (options.protocol == Protocol::Card ? "card (card-factory JPEG 2000 photo vs 640x480 camera frame)"
                                             : "plain (both images padded 30%)")
      << ", greyscale matching " << (config.policy.greyscale_matching ? "on" : "off") << "\n"
      << "  set:        " << images.size() << " images, " << identities.size() << " identities ("
      << options.manifest.string() << ")\n";

  std::vector<core::face::Embedding> reference(images.size());  // card side
  std::vector<core::face::Embedding> probe(images.size());      // camera side
  std::size_t enrol_failures = 0;
  std::size_t no_face = 0;
  std::map<std::string, int> gate;  // what the live-frame quality gate would say
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < images.size(); ++i) {
    const auto& path = images[i].path;
    if (options.protocol == Protocol::Card) {
      CardProtocolFace face = embed_card_protocol(verifier, path, static_cast<std::uint32_t>(i + 1), out);
      reference[i] = std::move(face.card);
      probe[i] = std::move(face.camera);
      enrol_failures += reference[i].empty() ? 1U : 0U;
      no_face += face.camera_face_found ? 0U : 1U;
      if (face.gate) ++gate[*face.gate];
    } else {
      const cv::Mat image = cv::imread(path.string(), cv::IMREAD_COLOR);
      try {
        reference[i] = verifier.enroll_image(core::face::pad_image(image, 0.3));
        probe[i] = reference[i].clone();
      } catch (const core::face::FaceError& e) {
        ++enrol_failures;
        out << "  not enrolled: " << path.filename().string() << ": " << e.what() << "\n";
      }
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // A pair with a side that could not be enrolled counts as a rejection (score -1).
  std::vector<double> genuine;
  std::vector<double> impostor;
  std::vector<std::tuple<double, std::size_t, std::size_t>> genuine_pairs;
  std::map<std::string, std::size_t> identity_index;
  for (const auto& [name, unused] : identities) identity_index.emplace(name, identity_index.size());
  std::vector<core::face::PairScore> pairs;
  std::ofstream scores;
  if (!options.scores.empty()) {
    scores.open(options.scores);
    if (!scores) {
      out << "  cannot write " << options.scores.string() << "\n";
      return 2;
    }
    scores << "card,camera,genuine,score\n";
  }
  const auto base = options.manifest.parent_path();
  // cosine[i][j]: image i as the card photo against image j as the camera face (-1: a side
  // without a face), for the normalised scores below.
  std::vector<std::vector<double>> cosine(images.size(), std::vector<double>(images.size(), -1.0));
  for (std::size_t i = 0; i < images.size(); ++i) {
    for (std::size_t j = 0; j < images.size(); ++j) {
      if (i == j) continue;
      if (options.protocol == Protocol::Plain && j < i) continue;
      const bool both = !reference[i].empty() && !probe[j].empty();
      const double score = both ? reference[i].cosine(probe[j]) : -1.0;
      cosine[i][j] = score;
      pairs.push_back({score, identity_index.at(images[i].identity), identity_index.at(images[j].identity)});
      if (scores.is_open()) {
        scores << images[i].path.lexically_relative(base).generic_string() << ","
               << images[j].path.lexically_relative(base).generic_string() << ","
               << (images[i].identity == images[j].identity ? 1 : 0) << "," << fixed(score, 6) << "\n";
      }
      if (images[i].identity == images[j].identity) {
        genuine.push_back(score);
        genuine_pairs.emplace_back(score, i, j);
      } else {
        impostor.push_back(score);
      }
    }
  }
  std::sort(genuine_pairs.begin(), genuine_pairs.end());
  for (int k = 0; k < options.worst && k < static_cast<int>(genuine_pairs.size()); ++k) {
    const auto& [score, i, j] = genuine_pairs[static_cast<std::size_t>(k)];
    out << "  low genuine " << fixed(score) << ": card " << images[i].path.parent_path().filename().string() << "/"
        << images[i].path.filename().string() << "  camera " << images[j].path.filename().string() << "\n";
  }
  out << "  enrolment:  " << enrol_failures << " photo(s) without a usable face";
  if (options.protocol == Protocol::Card) {
    out << "; camera frames without a face: " << no_face << "; frames the quality gate would refuse:";
    int refused = 0;
    for (const auto& [g, n] : gate) {
      out << " " << g << " " << n;
      refused += n;
    }
    if (refused == 0) out << " none";
    out << " (matched anyway here: this measures the matcher)";
  }
  out << "\n  time:       " << fixed(1000.0 * seconds / static_cast<double>(images.size()), 1)
      << " ms per image (enrol + camera frame)\n";
  if (genuine.empty() || impostor.empty()) {
    out << "  no genuine or no impostor pairs: nothing to measure\n";
    return 2;
  }
  print_operating_points(genuine, impostor, out);
  std::size_t fa = 0;
  std::size_t fr = 0;
  for (double s : impostor) fa += s >= config.recognizer.threshold ? 1 : 0;
  for (double s : genuine) fr += s < config.recognizer.threshold ? 1 : 0;
  out << "  configured threshold " << fixed(config.recognizer.threshold) << ": FAR "
      << percent(static_cast<double>(fa) / static_cast<double>(impostor.size())) << " (" << fa << "), FRR "
      << percent(static_cast<double>(fr) / static_cast<double>(genuine.size())) << " (" << fr << ")\n";
  const bool folding = options.folds >= 2 && identities.size() >= options.folds;
  if (folding) {
    print_cross_validation([&pairs](std::size_t, const std::vector<std::size_t>&) { return pairs; }, identities.size(),
                           options, out);
  }
  if (!options.cohort || options.protocol != Protocol::Card) return 0;

  // The same pairs normalised against a cohort (S-norm).
  std::vector<std::size_t> identity(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) identity[i] = identity_index.at(images[i].identity);
  const core::face::SetCohortScorer scorer(std::move(cosine), std::move(identity), identities.size());
  out << "score cohort (S-norm): every pair normalised against the set's other identities (never the pair's own two)\n";
  std::vector<double> normalised_genuine;
  std::vector<double> normalised_impostor;
  for (const auto& p : scorer.pairs(std::vector<bool>(identities.size(), true))) {
    (p.genuine() ? normalised_genuine : normalised_impostor).push_back(p.score);
  }
  print_operating_points(normalised_genuine, normalised_impostor, out);
  if (folding) {
    out << "  the cohort of each fold: the other folds' identities\n";
    print_cross_validation(
        [&scorer](std::size_t f, const std::vector<std::size_t>& fold_of) {
          std::vector<bool> in_cohort(fold_of.size());
          for (std::size_t k = 0; k < fold_of.size(); ++k) in_cohort[k] = fold_of[k] != f;
          return scorer.pairs(in_cohort);
        },
        identities.size(), options, out);
  }
  return 0;
}

}  // namespace kiosk::firmware::face_eval
