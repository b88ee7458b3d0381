// face-eval attacks: whole face sessions on the virtual camera, genuine and attacked, and how
// many each kind gets accepted.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "core/face/face_verifier.hpp"

namespace kiosk::firmware::face_eval {

struct AttackOptions {
  std::filesystem::path manifest;
  int identities = 0;  // 0: every identity with at least two images
  int skip = 0;        // leave out the first N of them (the half a setting was tuned on)
  double fps = 15.0;   // virtual camera frame rate (simulated time)
  std::vector<std::string> kinds;  // run only these (genuine, approach, impostor, print, lifesize, tablet, close, close-hd,
                                   // close-hd-turning, close-hd-pausing)
  bool verbose = false;  // one line per session (else only attacks accepted and genuine sessions refused)
};

int run_attacks(core::face::FaceVerifier& verifier, const AttackOptions& options, std::ostream& out);

}  // namespace kiosk::firmware::face_eval
