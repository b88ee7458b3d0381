// kiosk-sim run FILE|DIR...: plays QA scenario files against the firmware (virtual time, one
// process per scenario, -j N at once), prints a summary, writes JUnit XML; exit 1 when any
// scenario failed, 2 when none could run. With --pcsc the cards go through a running pcscd's
// vpcd reader and the real PC/SC driver (sim/world/card_field.hpp).
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>
#include <algorithm>

#include "core/face/face_config.hpp"
#include "sim/scenario/scenario_batch.hpp"
#include "firmware/kiosk_sim/commands.hpp"
#include "sim/scenario/scenario_report.hpp"

namespace kiosk::firmware::kiosk_sim {
namespace {

struct RunOptions {
  std::vector<std::string> inputs;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string junit;
  std::string world;
  std::string faces;
  std::string work;
  int watchdog = 60;
  bool transcripts = false;
  bool pcsc = false;
  sim::world::PcscReaderSlot slot;
};

std::vector<std::filesystem::path> scenario_files(const std::vector<std::string>& inputs) {
  std::vector<std::filesystem::path> files;
  for (const auto& input : inputs) {
    if (std::filesystem::is_directory(input)) {
      std::vector<std::filesystem::path> in_dir;
      for (const auto& e : std::filesystem::directory_iterator(input)) {
        if (e.path().extension() == ".json") in_dir.push_back(e.path());
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.emplace_back(input);
    }
  }
  return files;
}

int run(const RunOptions& o) {
  const auto files = scenario_files(o.inputs);
  if (files.empty()) {
    std::cerr << "kiosk-sim run: no scenario files given (FILE.json or a folder of them)\n";
    return 2;
  }
  const auto tmp = std::filesystem::temp_directory_path();
  sim::scenario::BatchOptions b;
  b.world_dir = o.world.empty() ? tmp / ("kiosk-scenario-world-" + std::to_string(::getuid())) : std::filesystem::path(o.world);
  b.faces_dir = o.faces;
  b.work_dir = o.work.empty() ? tmp / ("kiosk-scenarios-" + std::to_string(::getpid())) : std::filesystem::path(o.work);
  b.jobs = o.jobs;
  b.watchdog = std::chrono::seconds(o.watchdog);
  b.progress = &std::cerr;
  if (o.pcsc) {
    try {
      sim::world::PcscCardField probe(o.slot);  // fails here, once, rather than in every scenario
    } catch (const std::exception& e) {
      std::cerr << "kiosk-sim run " << e.what() << "\n";
      return 2;
    }
    b.pcsc = o.slot;
    if (o.jobs > 1) std::cerr << "kiosk-sim run --pcsc: one scenario at a time (one reader, one card)\n";
    std::cerr << "cards go through pcscd reader \"" << o.slot.reader << "\" (vpcd port " << o.slot.vpcd_port
              << "); reader and pcscd faults are skipped\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const auto results = sim::scenario::run_scenarios(files, b);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  bool failed = false;
  for (const auto& r : results) {
    if (!r.passed && !r.skipped) failed = true;
    if (o.transcripts || (!r.passed && !r.skipped)) {
      std::cout << "--- " << r.file << ": " << r.name << "\n";
      for (const auto& line : r.transcript) std::cout << line << "\n";
    }
  }
  sim::scenario::print_summary(std::cout, results, wall);
  if (!o.junit.empty()) sim::scenario::write_junit(o.junit, results);
  if (o.work.empty() && !failed) std::filesystem::remove_all(b.work_dir);
  if (failed) std::cout << "journals, result files and firmware logs of the scenarios: " << b.work_dir.string() << "\n";
  return failed ? 1 : 0;
}

}  // namespace

void register_scenario_commands(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  options->faces = core::face::default_model_dir().string();
  CLI::App* cmd = app.add_subcommand("run", "Play QA scenario files against the firmware (virtual time); see docs/scenarios.md");
  cmd->add_option("files", options->inputs, "Scenario files, or folders of them (tests/scenarios)")->required();
  cmd->add_option("-j,--jobs", options->jobs, "Scenarios at once (one process each)")->capture_default_str();
  cmd->add_option("--junit", options->junit, "Write a JUnit XML report to this file");
  cmd->add_option("--world", options->world, "Directory of the scenario world (made on first use; default: in $TMPDIR)");
  cmd->add_option("--faces-dir", options->faces, "Face set and models ($KIOSK_FACES_DIR)")->capture_default_str();
  cmd->add_option("--work", options->work, "Keep each scenario's journal, outbox and firmware log here");
  cmd->add_option("--watchdog", options->watchdog, "Wall-clock seconds a scenario may take before it is killed")
      ->capture_default_str();
  cmd->add_flag("--pcsc", options->pcsc,
                "Cards go through a running pcscd (vpcd reader) and the real PC/SC driver instead of in-process readers");
  cmd->add_option("--pcsc-reader", options->slot.reader, "With --pcsc: the vpcd reader as PC/SC lists it")
      ->capture_default_str();
  cmd->add_option("--vpcd-port", options->slot.vpcd_port, "With --pcsc: vpcd's TCP port for that reader slot")
      ->capture_default_str();
  cmd->add_flag("--transcript", options->transcripts, "Print every scenario's transcript (failed ones always are)");
  cmd->callback([options] {
    const int code = run(*options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace kiosk::firmware::kiosk_sim
