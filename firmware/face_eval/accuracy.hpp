// face-eval accuracy: the verification pipeline over every pair of a labelled set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "core/face/face_verifier.hpp"

namespace kiosk::firmware::face_eval {

enum class Protocol {
  // One image of a pair becomes a card photo exactly as the simulated card factory makes it
  // (greyscale, margin, 240x320, JPEG 2000) and is enrolled from the JPEG 2000 bytes; the
  // other is composed into a 640x480 camera frame and goes through detection as a live
  // frame. Ordered pairs: each image is the card once against every other image.
  Card,
  // The faces README's protocol: both images padded with 30% grey, detected, aligned and
  // embedded as they are; unordered pairs.
  Plain,
};

struct AccuracyOptions {
  std::filesystem::path manifest;
  Protocol protocol = Protocol::Card;
  int worst = 0;  // list this many lowest-scoring genuine pairs (which images fail)
  // Cross-validation by identity (0: none): per fold, the FAR 0.1% and 1% thresholds chosen
  // on the other folds' pairs, FAR and FRR counted on the held-out identities' pairs.
  std::size_t folds = 5;
  std::uint32_t fold_seed = 1;
  // When set, every pair's score is written there as CSV (card,camera,genuine,score), paths
  // relative to the manifest, for analysis outside face-eval (score fusion, plots).
  std::filesystem::path scores;
  // Also measure scores normalised against a cohort of the set's other identities (S-norm,
  // core/face/score_cohort.hpp), cross-validated with the cohort made of the training folds.
  bool cohort = false;
};

// One image of the set on both sides of the card protocol: made into a card photo by the card
// factory and enrolled from its JPEG 2000 bytes, and composed into a camera frame (`seed`) and
// embedded as a live face. A side without a face is empty (a line on `report` says which).
struct CardProtocolFace {
  core::face::Embedding card;
  core::face::Embedding camera;
  bool camera_face_found = false;
  std::optional<std::string> gate;  // the guidance when the quality gate would refuse the camera frame
};
CardProtocolFace embed_card_protocol(core::face::FaceVerifier& verifier, const std::filesystem::path& image,
                                     std::uint32_t seed, std::ostream& report);

// Prints the figures; returns 0, or 2 when nothing could be measured.
int run_accuracy(core::face::FaceVerifier& verifier, const AccuracyOptions& options, std::ostream& out);

}  // namespace kiosk::firmware::face_eval
