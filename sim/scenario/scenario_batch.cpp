#include "sim/scenario/scenario_batch.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "hal/files.hpp"
#include "sim/world/demo_world.hpp"
#include "sim/scenario/scenario_player.hpp"

namespace kiosk::sim::scenario {
namespace {

namespace sc = sim::scenario;
using Clock = std::chrono::steady_clock;

struct Job {
  std::size_t index = 0;
  std::filesystem::path file;
  std::optional<sc::Scenario> scenario;
  std::filesystem::path work;
  pid_t pid = -1;
  Clock::time_point started;
};

[[noreturn]] void child(const Job& job, const sim::world::DemoWorld& world, const BatchOptions& o) {
  // The firmware's own log lines go to the scenario's folder.
  const int log = ::open((job.work / "firmware.log").c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
  if (log >= 0) {
    ::dup2(log, STDERR_FILENO);
    ::dup2(log, STDOUT_FILENO);
  }
  sc::ScenarioResult r;
  r.name = job.scenario->name;
  r.file = job.file.filename().string();
  try {
    PlayerOptions p;
    p.world = &world;
    p.faces_dir = o.faces_dir;
    p.work_dir = job.work;
    p.pcsc = o.pcsc;
    p.settle_limit = std::chrono::duration_cast<std::chrono::milliseconds>(o.watchdog) / 2;
    r = play_scenario(*job.scenario, p);
  } catch (const std::exception& e) {
    r.passed = false;
    r.failures.push_back(std::string("the scenario could not run: ") + e.what());
  }
  try {
    hal::write_file_atomically(job.work / "result.json", sc::to_json(r).dump(2) + "\n", 0644);
  } catch (const std::exception& e) {
    std::cerr << "the scenario's result could not be written: " << e.what() << "\n";
  }
  std::cout.flush();
  std::cerr.flush();
  ::_exit(0);  // no destructors of the parent's state in the child
}

sc::ScenarioResult collect(const Job& job, int status, bool killed, const BatchOptions& o) {
  sc::ScenarioResult r;
  const auto file = job.work / "result.json";
  if (!killed && std::filesystem::exists(file)) {
    std::ifstream in(file);
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_discarded()) r = sc::result_from_json(j);
  }
  r.name = job.scenario->name;
  r.file = job.file.filename().string();
  r.wall_seconds = std::chrono::duration<double>(Clock::now() - job.started).count();
  if (killed) {
    r.passed = false;
    r.failures.push_back("hung: killed by the watchdog after " + std::to_string(o.watchdog.count()) +
                         " s of wall time; firmware log: " + (job.work / "firmware.log").string());
  } else if (!std::filesystem::exists(file)) {
    r.passed = false;
    std::string how = WIFSIGNALED(status) ? "crashed with signal " + std::to_string(WTERMSIG(status)) + " (" +
                                                strsignal(WTERMSIG(status)) + ")"
                                          : "exited with status " + std::to_string(WEXITSTATUS(status));
    r.failures.push_back("the firmware " + how + " before the scenario ended; firmware log: " +
                         (job.work / "firmware.log").string());
  }
  return r;
}

}  // namespace

std::vector<sc::ScenarioResult> run_scenarios(const std::vector<std::filesystem::path>& files, const BatchOptions& o) {
  std::vector<sc::ScenarioResult> results(files.size());
  std::deque<Job> pending;
  for (std::size_t i = 0; i < files.size(); ++i) {
    Job job;
    job.index = i;
    job.file = files[i];
    try {
      job.scenario = sc::load_scenario(files[i]);
    } catch (const std::exception& e) {
      results[i].name = files[i].stem().string();
      results[i].file = files[i].filename().string();
      results[i].failures.push_back(std::string("the file is not a valid scenario: ") + e.what());
      if (o.progress) *o.progress << "FAIL  " << results[i].file << "  (not a valid scenario)\n" << std::flush;
      continue;
    }
    job.work = o.work_dir / (std::to_string(i + 1) + "-" + files[i].stem().string());
    pending.push_back(std::move(job));
  }
  if (pending.empty()) return results;

  // Made before any process or thread starts; each scenario reads it.
  std::ostringstream world_log;
  const sim::world::DemoWorld world = sim::world::ensure_scenario_world(o.world_dir, o.faces_dir, world_log);
  if (o.progress && !world_log.str().empty()) *o.progress << world_log.str() << std::flush;

  std::vector<Job> running;
  const int jobs = o.pcsc ? 1 : std::max(1, o.jobs);  // one pcscd reader holds one card at a time
  while (!pending.empty() || !running.empty()) {
    while (!pending.empty() && static_cast<int>(running.size()) < jobs) {
      Job job = std::move(pending.front());
      pending.pop_front();
      std::filesystem::remove_all(job.work);
      std::filesystem::create_directories(job.work);
      std::cout.flush();
      std::cerr.flush();
      job.started = Clock::now();
      const pid_t pid = ::fork();
      if (pid < 0) throw std::runtime_error("fork failed: cannot start a scenario process");
      if (pid == 0) child(job, world, o);
      job.pid = pid;
      running.push_back(std::move(job));
    }
    bool any = false;
    for (std::size_t i = 0; i < running.size();) {
      Job& job = running[i];
      int status = 0;
      bool killed = false;
      pid_t done = ::waitpid(job.pid, &status, WNOHANG);
      if (done == 0 && Clock::now() - job.started > o.watchdog) {
        ::kill(job.pid, SIGKILL);
        ::waitpid(job.pid, &status, 0);
        killed = true;
        done = job.pid;
      }
      if (done == job.pid) {
        results[job.index] = collect(job, status, killed, o);
        if (o.progress) {
          const auto& r = results[job.index];
          *o.progress << (r.skipped ? "SKIP" : r.passed ? "PASS" : "FAIL") << "  " << r.file << "\n" << std::flush;
        }
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
        any = true;
      } else {
        ++i;
      }
    }
    if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return results;
}

}  // namespace kiosk::sim::scenario
