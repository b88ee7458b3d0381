#include "firmware/face_eval/cohort.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "core/face/face_error.hpp"
#include "core/face/score_cohort.hpp"
#include "firmware/face_eval/accuracy.hpp"
#include "firmware/face_eval/labelled_set.hpp"

namespace kiosk::firmware::face_eval {

int run_cohort(core::face::FaceVerifier& verifier, const CohortOptions& options, std::ostream& out) {
  const auto identities = by_identity(read_manifest(options.manifest));
  std::vector<core::face::Embedding> card_side;
  std::vector<core::face::Embedding> camera_side;
  std::vector<int> identity;
  std::vector<std::string> names;
  int index = 0;
  std::uint32_t seed = 0;
  for (const auto& [name, images] : identities) {
    const int position = index++;
    if (position < options.skip) continue;
    if (options.identities > 0 && position >= options.skip + options.identities) break;
    names.push_back(name);
    for (const auto& image : images) {
      CardProtocolFace face = embed_card_protocol(verifier, image, ++seed, out);
      if (face.card.empty() || face.camera.empty()) continue;
      card_side.push_back(std::move(face.card));
      camera_side.push_back(std::move(face.camera));
      identity.push_back(static_cast<int>(names.size()) - 1);
    }
  }
  try {
    const auto cohort = core::face::ScoreCohort::of_faces(card_side, camera_side, identity);
    cohort.save(options.output);
    char spread[96];
    std::snprintf(spread, sizeof spread, "mean %.4f, deviation %.4f", cohort.cohort().mean, cohort.cohort().deviation);
    out << "face-eval cohort: " << cohort.faces() << " faces of " << cohort.identities() << " identities ("
        << (names.empty() ? std::string() : names.front() + " .. " + names.back()) << ") written to "
        << options.output.string() << "\n"
        << "  cosines between the cohort's different people: " << spread << "\n"
        << "  use it with face.recognizer.cohort=" << options.output.string()
        << "; choose face.cohort_threshold with face-eval accuracy --cohort on faces of the kind the kiosk sees\n";
  } catch (const core::face::FaceError& e) {
    out << "face-eval cohort: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace kiosk::firmware::face_eval
