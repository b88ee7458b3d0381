// scenario_bench [-j N] [--rounds R] [DIR]: plays the scenario library (default tests/scenarios)
// R times with N scenarios at once and prints scenarios per second (wall), split into the
// scenarios without and with face authentication (those run the real face pipeline), and the
// virtual time the receptions took, i.e. what they would take on hardware under the timing model.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "sim/scenario/scenario_batch.hpp"
#include "sim/scenario/scenario.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int rounds = 2;
  fs::path dir = fs::path(KIOSK_SOURCE_DIR) / "tests" / "scenarios";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "-j") && i + 1 < argc) {
      jobs = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
    } else if (argv[i][0] == '-') {
      std::fprintf(stderr, "usage: scenario_bench [-j JOBS] [--rounds N] [SCENARIO_DIR]\n");
      return 2;
    } else {
      dir = argv[i];
    }
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    std::fprintf(stderr, "scenario_bench: %s is not a directory of scenario files\n", dir.c_str());
    return 2;
  }
  std::vector<fs::path> plain, face;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    (kiosk::sim::scenario::load_scenario(e.path()).face ? face : plain).push_back(e.path());
  }
  std::sort(plain.begin(), plain.end());
  std::sort(face.begin(), face.end());

  kiosk::sim::scenario::BatchOptions o;
  o.world_dir = fs::path(KIOSK_BINARY_DIR) / "scenario-world";
  o.faces_dir = fs::path(KIOSK_SOURCE_DIR) / ".." / "shared" / "faces";
  o.work_dir = fs::temp_directory_path() / "kiosk-scenario-bench";
  o.jobs = jobs;

  std::printf("scenario_bench: %zu scenarios without face, %zu with face, %d at once, %d round(s), %u cores\n",
              plain.size(), face.size(), jobs, rounds, std::thread::hardware_concurrency());
  for (const auto& [label, files] : {std::pair{"without face", plain}, std::pair{"with face", face}}) {
    if (files.empty()) continue;
    kiosk::sim::scenario::run_scenarios({files.front()}, o);  // warm: the world exists, caches are hot
    double wall = 0, virtual_receptions = 0;
    int receptions = 0, played = 0, failed = 0;
    for (int r = 0; r < rounds; ++r) {
      const auto start = std::chrono::steady_clock::now();
      const auto results = kiosk::sim::scenario::run_scenarios(files, o);
      wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      for (const auto& res : results) {
        ++played;
        if (!res.passed && !res.skipped) ++failed;
        for (double t : res.reception_seconds) {
          virtual_receptions += t;
          ++receptions;
        }
      }
    }
    std::printf("  %-13s %6.1f scenarios/s (%d played in %.2f s wall, %d failed); mean reception %.2f s virtual over %d\n",
                label, played / wall, played, wall, failed, receptions ? virtual_receptions / receptions : 0.0, receptions);
  }
  fs::remove_all(o.work_dir);
  return 0;
}
