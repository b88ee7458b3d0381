#include "firmware/face_eval/attacks.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "core/face/face_error.hpp"
#include "core/face/face_session.hpp"
#include "firmware/face_eval/labelled_set.hpp"
#include "sim/camera/face_scene.hpp"
#include "sim/camera/virtual_camera.hpp"
#include "sim/card/card_factory.hpp"

namespace kiosk::firmware::face_eval {

namespace {

struct Kind {
  const char* key;
  const char* name;
  sim::camera::Presentation presentation;
  bool impostor;          // someone else's face in front of the camera
  double screen_density;  // screen pixels per camera pixel (screen replays)
  bool attack;            // a presentation attack: acceptance is a failure
  bool approach = false;  // the patient steps in slowly: nobody, then too far, then in place
  double sway_degrees = 9.0;  // the (recorded) head's yaw sway
  bool pauses = false;        // the recording turns and pauses at each side, longer than any hold asked
};

const std::vector<Kind>& kinds() {
  static const std::vector<Kind> k = {
      {"genuine", "genuine, live", sim::camera::Presentation::Live, false, 2.3, false},
      {"approach", "genuine, slow approach (3 s away, 3 s far)", sim::camera::Presentation::Live, false, 2.3, false, true},
      {"impostor", "impostor, live (zero effort)", sim::camera::Presentation::Live, true, 2.3, false},
      {"print", "printed photo on a sheet", sim::camera::Presentation::PrintedPhoto, false, 2.3, true},
      {"lifesize", "life-size photo cut-out", sim::camera::Presentation::LifeSizePhoto, false, 2.3, true},
      {"tablet", "screen replay, tablet in view", sim::camera::Presentation::ScreenReplay, false, 2.3, true},
      {"close", "screen replay, screen fills view", sim::camera::Presentation::CloseScreenReplay, false, 2.3, true},
      {"close-hd", "same, high-density screen (5 px/px)", sim::camera::Presentation::CloseScreenReplay, false, 5.0, true},
      // An attacker who knows of the head-turn challenge: the replayed recording turns the head
      // far to both sides (+-26 degrees), so whichever side is asked, it gets there sometime.
      {"close-hd-turning", "same, recording turns +-26 deg", sim::camera::Presentation::CloseScreenReplay, false, 5.0, true,
       false, 26.0},
      // The same attacker who also knows the hold between the two sides: the recording turns
      // +-26 degrees in half a second and pauses at each side for the longest hold the kiosk
      // asks (liveness.challenge_hold_max) plus 0.6 s (to be seen still, and a reaction).
      {"close-hd-pausing", "same, pauses past the longest hold", sim::camera::Presentation::CloseScreenReplay,
       false, 5.0, true, false, 26.0, true},
  };
  return k;
}

struct Tally {
  int sessions = 0;
  int accepted = 0;
  int matched = 0;  // identity matched, whatever the liveness said
  std::map<std::string, int> outcomes;
  std::vector<double> decision_ms;  // face appearing to an acceptance
  std::vector<double> accept_ms;    // the attempt's first frame to an acceptance
  std::vector<double> parallax;
  std::vector<double> periodic;
  std::vector<double> edge_share;
  std::map<std::string, int> challenge;  // the head-turn challenge's state at the decision
  std::vector<double> turned;            // how far the face turned to the asked side
  std::vector<double> response_ms;       // question to turn, when passed
};

std::string spread(std::vector<double> v) {
  if (v.empty()) return "-";
  std::sort(v.begin(), v.end());
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f/%.3f/%.3f", v.front(), v[v.size() / 2], v.back());
  return buf;
}

// min / 10th percentile / median / 90th percentile / max.
std::string deciles(std::vector<double> v) {
  if (v.empty()) return "-";
  std::sort(v.begin(), v.end());
  auto at = [&](std::size_t num) { return v[std::min(v.size() - 1, v.size() * num / 10)]; };
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.3f/%.3f/%.3f/%.3f/%.3f", v.front(), at(1), at(5), at(9), v.back());
  return buf;
}

std::string rate(int n, int of) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%3d/%-3d %6.1f%%", n, of, of == 0 ? 0.0 : 100.0 * n / of);
  return buf;
}

}  // namespace

int run_attacks(core::face::FaceVerifier& verifier, const AttackOptions& options, std::ostream& out) {
  const auto people = by_identity(read_manifest(options.manifest));
  std::vector<std::pair<std::string, std::vector<std::filesystem::path>>> usable;
  for (const auto& entry : people) {
    if (entry.second.size() >= 2) usable.push_back(entry);
  }
  if (options.skip > 0) {
    usable.erase(usable.begin(), usable.begin() + static_cast<std::ptrdiff_t>(std::min(usable.size(), static_cast<std::size_t>(options.skip))));
  }
  if (options.identities > 0 && static_cast<std::size_t>(options.identities) < usable.size()) {
    usable.resize(static_cast<std::size_t>(options.identities));
  }
  if (usable.size() < 2) {
    out << "face-eval attacks: need at least two identities with two images\n";
    return 2;
  }
  const auto& policy = verifier.config().policy;
  out << "face-eval attacks: " << usable.size() << " identities, one session per identity and kind\n"
      << "  card photo: image 1 of the person (card factory, JPEG 2000); in front of the camera: image 2\n"
      << "  (attacks present the card holder's own image 2); virtual camera 640x480 at " << options.fps
      << " fps, simulated time;\n  one attempt: " << policy.attempt_budget.count()
      << " ms from the first face (up to " << policy.no_face_budget.count()
      << " ms for one to show); accepted = Decision::authenticated()\n";

  std::vector<Tally> tallies(kinds().size());
  for (std::size_t p = 0; p < usable.size(); ++p) {
    const auto& [identity, files] = usable[p];
    Bytes jp2;
    try {
      jp2 = sim::card::make_card_photo_jp2(files[0]);
    } catch (const std::exception& e) {
      out << "  " << identity << ": no card photo: " << e.what() << "\n";
      continue;
    }
    for (std::size_t k = 0; k < kinds().size(); ++k) {
      const Kind& kind = kinds()[k];
      if (!options.kinds.empty() &&
          std::find(options.kinds.begin(), options.kinds.end(), kind.key) == options.kinds.end()) {
        continue;
      }
      const auto& shown = kind.impostor ? usable[(p + 1) % usable.size()].second[1] : files[1];
      sim::camera::SceneSettings settings;
      settings.fps = options.fps;
      settings.seed = static_cast<std::uint32_t>(p * 31 + k + 1);
      settings.screen_density = kind.screen_density;
      settings.yaw_degrees = kind.sway_degrees;
      if (kind.pauses) {
        settings.sway_pause =
            std::chrono::duration<double>(verifier.config().liveness.challenge_hold_max).count() + 0.6;
      }
      Tally& t = tallies[k];
      try {
        core::face::FaceSession session(verifier, jp2);
        std::vector<sim::camera::Segment> script{sim::camera::Segment{kind.presentation}};
        if (kind.approach) {
          script = {sim::camera::Segment{sim::camera::Presentation::Nobody, sim::camera::Condition::Normal, 3.0},
                    sim::camera::Segment{kind.presentation, sim::camera::Condition::TooFar, 3.0},
                    sim::camera::Segment{kind.presentation, sim::camera::Condition::Normal, 100.0}};
        }
        session.set_challenge_seed(settings.seed * 7u + 3u);
        sim::camera::VirtualCamera camera(sim::camera::Scene(sim::camera::FaceSource::image(shown), script, settings));
        core::face::CameraLoopOptions loop;
        loop.on_progress = [&camera](const core::face::Progress& progress) {  // the person reads the screen
          camera.read_guidance(core::face::to_string(progress.guidance));
        };
        const core::face::Decision d = core::face::run_attempt(session, camera, loop);
        ++t.sessions;
        ++t.outcomes[core::face::to_string(d.outcome)];
        if (d.match) ++t.matched;
        t.parallax.push_back(d.liveness.parallax);
        t.periodic.push_back(d.liveness.periodic_score);
        t.edge_share.push_back(d.liveness.frames > 0 ? static_cast<double>(d.liveness.edge_frames) / d.liveness.frames : 0.0);
        ++t.challenge[core::face::to_string(d.challenge)];
        if (d.challenge != core::face::ChallengeState::NotAsked) t.turned.push_back(d.challenge_turned);
        if (d.challenge == core::face::ChallengeState::Passed) {
          t.response_ms.push_back(static_cast<double>(d.challenge_response.count()));
        }
        if (d.authenticated()) {
          ++t.accepted;
          if (d.face_to_decision) t.decision_ms.push_back(static_cast<double>(d.face_to_decision->count()));
          t.accept_ms.push_back(static_cast<double>(d.elapsed.count()));
          if (kind.attack || kind.impostor) {
            out << "  ACCEPTED " << kind.name << ": card of " << identity << ", shown "
                << shown.parent_path().filename().string() << ": " << d.reason << "\n";
          } else if (options.verbose) {
            out << "  accepted " << kind.name << ": " << identity << ": " << d.reason << "\n";
          }
        } else if (!kind.attack && !kind.impostor) {
          out << "  REJECTED " << kind.name << ": " << identity << ": " << core::face::to_string(d.outcome) << ": "
              << d.reason << "\n";
        } else if (options.verbose) {
          out << "  refused " << kind.name << ": " << identity << ": " << core::face::to_string(d.outcome) << ": "
              << d.reason << "\n";
        }
      } catch (const core::face::FaceError& e) {
        out << "  " << identity << ": card photo not usable: " << e.what() << "\n";
        break;
      }
    }
  }

  out << "\n  kind                                   accepted          identity matched   outcomes\n";
  for (std::size_t k = 0; k < kinds().size(); ++k) {
    const Tally& t = tallies[k];
    char line[96];
    std::snprintf(line, sizeof line, "  %-38s %s  %s  ", kinds()[k].name, rate(t.accepted, t.sessions).c_str(),
                  rate(t.matched, t.sessions).c_str());
    out << line;
    for (const auto& [o, n] : t.outcomes) out << o << " " << n << "  ";
    out << "\n";
  }
  const auto& live = verifier.config().liveness;
  out << "\n  liveness measures (min/median/max over the sessions; limits: parallax >= " << live.min_parallax
      << ", periodic <= " << live.max_periodic_score << ", edge share < " << live.edge_frame_fraction << ")\n";
  for (std::size_t k = 0; k < kinds().size(); ++k) {
    const Tally& t = tallies[k];
    char line[200];
    std::snprintf(line, sizeof line, "  %-38s parallax %-20s periodic %-22s edge share %s\n", kinds()[k].name,
                  spread(t.parallax).c_str(), spread(t.periodic).c_str(), spread(t.edge_share).c_str());
    out << line;
  }
  if (live.head_turn_challenge) {
    out << "\n  head-turn challenge (state at the decision; span: the largest swing from the first side over to the\n"
        << "  other within " << live.challenge_span_window.count() << " ms, min/p10/median/p90/max, must reach "
        << live.challenge_span << " after a first turn of " << live.challenge_first_turn << "; question to pass, median)\n";
    for (std::size_t k = 0; k < kinds().size(); ++k) {
      const Tally& t = tallies[k];
      if (t.sessions == 0) continue;
      std::string states;
      for (const auto& [state, n] : t.challenge) states += state + " " + std::to_string(n) + "  ";
      std::vector<double> response = t.response_ms;
      std::sort(response.begin(), response.end());
      char line[280];
      std::snprintf(line, sizeof line, "  %-38s %-36s span %-34s response %s\n", kinds()[k].name, states.c_str(),
                    deciles(t.turned).c_str(),
                    response.empty() ? "-" : (std::to_string(static_cast<int>(response[response.size() / 2])) + " ms").c_str());
      out << line;
    }
  }
  int attacks = 0;
  int accepted = 0;
  for (std::size_t k = 0; k < kinds().size(); ++k) {
    if (!kinds()[k].attack) continue;
    attacks += tallies[k].sessions;
    accepted += tallies[k].accepted;
  }
  out << "  all attacks: " << rate(accepted, attacks) << " accepted (APCER over the simulated attack kinds)\n";
  // Time to acceptance, on the first attempt, for the kinds a real patient is.
  auto percentile = [](std::vector<double> v, std::size_t num, std::size_t den) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, v.size() * num / den)];
  };
  for (std::size_t k = 0; k < kinds().size(); ++k) {
    const Tally& t = tallies[k];
    if (kinds()[k].attack || kinds()[k].impostor || t.accept_ms.empty()) continue;
    out << "  " << kinds()[k].key << ": accepted on the first attempt " << t.accepted << "/" << t.sessions
        << "; time to acceptance (simulated): from the attempt's start median " << percentile(t.accept_ms, 1, 2)
        << " ms, 90th percentile " << percentile(t.accept_ms, 9, 10) << " ms; from the first face median "
        << (t.decision_ms.empty() ? 0.0 : percentile(t.decision_ms, 1, 2)) << " ms, 90th percentile "
        << (t.decision_ms.empty() ? 0.0 : percentile(t.decision_ms, 9, 10)) << " ms\n";
  }
  return 0;
}

}  // namespace kiosk::firmware::face_eval
