// face-eval cohort: the score cohort file (core/face/score_cohort.hpp) made from a labelled set
// with the kiosk's own pipeline: every image as a card photo (card factory, JPEG 2000) and as a
// camera frame.
#pragma once

#include <filesystem>
#include <ostream>

#include "core/face/face_verifier.hpp"

namespace kiosk::firmware::face_eval {

struct CohortOptions {
  std::filesystem::path manifest;
  std::filesystem::path output;  // .yml or .yml.gz
  int skip = 0;                  // leave out the first N identities (in name order), then
  int identities = 0;            // take this many (0: all the rest)
};

// Writes the cohort and prints what it holds; returns 0, or 2 when too few faces were usable.
int run_cohort(core::face::FaceVerifier& verifier, const CohortOptions& options, std::ostream& out);

}  // namespace kiosk::firmware::face_eval
