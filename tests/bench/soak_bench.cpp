// Memory over many receptions (issue 18, reliability 8): a kiosk runs for months, so its memory
// must stay flat. Prints the resident set size (RSS) every N receptions and the drift.
//
//   soak_bench [--receptions 10000] [--every 1000] [--world DIR] [--mode console|runner]
//
// console: the long-lived console kiosk (`kiosk-sim kiosk --control`): one ScenarioSession on the
//          scenario player (virtual time), driven step by step as `kiosk-sim console` drives it:
//          place the card, PIN, consent, prescription, OK, card taken away. Where the growth was
//          found (14 KB per reception: every step copied the whole transcript; then 3.5 KB: the
//          in-process service kept every stored answer, and its audit and consents in memory,
//          and each confirmation session for its 30 minutes).
// runner:  the reception runner on a simulated board in real time (the field program's loop),
//          the patient answering at once.
// The drift is measured from the first mark (after warm-up: caches, the TLS session, the
// allocator's arenas) to the last; "flat" is less than 2 MB. Exit 0 when flat, 1 otherwise.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/reception/reception_runner.hpp"
#include "sim/board/simulated_board.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_player.hpp"
#include "sim/world/demo_world.hpp"

using namespace kiosk;
namespace rx = kiosk::core::reception;
using Clock = std::chrono::steady_clock;

namespace {

// Resident set size in KiB (/proc/self/status VmRSS).
long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Mappings of the process (a thread never joined keeps its stack mapped).
long mappings() {
  std::ifstream maps("/proc/self/maps");
  long n = 0;
  std::string line;
  while (std::getline(maps, line)) ++n;
  return n;
}

struct Mark {
  int receptions;
  long rss_kib;
  long maps;
  double seconds;
};

int report(const std::vector<Mark>& marks, const char* what) {
  std::printf("%s: RSS per %d receptions\n", what, marks.size() > 1 ? marks[1].receptions - marks[0].receptions : 0);
  std::printf("  %10s %12s %10s %10s\n", "receptions", "RSS (MiB)", "mappings", "time (s)");
  for (const Mark& m : marks) std::printf("  %10d %12.1f %10ld %10.1f\n", m.receptions, static_cast<double>(m.rss_kib) / 1024, m.maps, m.seconds);
  if (marks.size() < 3) return 1;
  // From the first mark after warm-up (the second) to the last.
  const long drift = marks.back().rss_kib - marks[1].rss_kib;
  const long maps_drift = marks.back().maps - marks[1].maps;
  const bool flat = drift < 2048 && maps_drift <= 2;
  std::printf("  drift from %d to %d receptions: %+.2f MiB RSS, %+ld mappings: %s\n", marks[1].receptions,
              marks.back().receptions, static_cast<double>(drift) / 1024, maps_drift, flat ? "flat" : "GROWING");
  return flat ? 0 : 1;
}

int console_soak(const std::filesystem::path& world_dir, int receptions, int every) {
  std::ostringstream log;
  const sim::world::DemoWorld world = sim::world::ensure_scenario_world(world_dir / "scenarios", world_dir / "no-faces", log);
  sim::scenario::Scenario context;
  context.name = "soak";
  context.file = "soak";
  for (const auto& [name, card] : world.named) context.cards[name].world_card = name;
  context.face = false;
  sim::scenario::PlayerOptions p;
  p.world = &world;
  p.faces_dir = world_dir / "no-faces";
  p.work_dir = world_dir / "soak-console";
  std::filesystem::remove_all(p.work_dir);
  sim::scenario::ScenarioSession session(context, p);
  const std::vector<std::string> steps{R"({"place_card": "taro"})", R"({"choose": "pin"})",     R"({"type_pin": "1234"})",
                                       R"({"answer": true})",        R"({"prescription": "electronic"})", R"({"acknowledge": true})",
                                       R"({"remove_card": true})"};
  std::vector<sim::scenario::StepEntry> parsed;
  for (const auto& s : steps) parsed.push_back(sim::scenario::parse_step(s, context));
  std::vector<Mark> marks;
  const auto started = Clock::now();
  int failures = 0;
  for (int r = 1; r <= receptions; ++r) {
    for (const auto& step : parsed) {
      for (const auto& line : session.run(step)) {
        if (line.rfind("FAILED", 0) == 0) {
          ++failures;
          std::cerr << line << "\n";
        }
      }
    }
    if (session.screen().find("idle") == std::string::npos) {
      std::cerr << "soak_bench: reception " << r << " did not end idle: " << session.screen() << "\n";
      return 1;
    }
    // Result files pile up in the outbox in any kiosk until the reception system takes them
    // (and the kiosk's housekeeping purges them): take them, as the reception system would.
    if (r % 100 == 0) {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(p.work_dir / "outbox", ec)) std::filesystem::remove(e.path(), ec);
    }
    if (r % every == 0) {
      marks.push_back({r, rss_kib(), mappings(), std::chrono::duration<double>(Clock::now() - started).count()});
      std::fprintf(stderr, "  ... %d receptions, RSS %.1f MiB\n", r, static_cast<double>(marks.back().rss_kib) / 1024);
    }
  }
  if (failures > 0) std::printf("  %d unmet expectations\n", failures);
  return report(marks, "Console kiosk (scenario session on virtual time), PIN receptions") | (failures > 0 ? 1 : 0);
}

// The patient with no think time, for the runner (as reception_bench's).
class InstantPatient final : public rx::Frontend {
 public:
  InstantPatient(sim::world::CardField& field, std::filesystem::path card, std::filesystem::path outbox, int every,
                 std::vector<Mark>& marks)
      : field_(field), card_(std::move(card)), outbox_(std::move(outbox)), every_(every), marks_(marks), started_(Clock::now()) {}
  void start(rx::EventSink sink) override {
    sink_ = std::move(sink);
    field_.place(sim::card::JpkiCard::load(card_));
  }
  void stop() override {}
  void show(const rx::Screen& s) override {
    using rx::Step;
    switch (s.step) {
      case Step::MethodChoice: return sink_(rx::MethodChosen{rx::Method::Pin});
      case Step::PinEntry: return sink_(rx::PinTyped{core::card::Secret("1234")});
      case Step::Consent: return sink_(rx::Answered{true});
      case Step::Prescription: return sink_(rx::PrescriptionChosen{core::eligibility::PrescriptionIssue::Electronic});
      case Step::Result:
      case Step::Notice: return sink_(rx::Acknowledged{});
      case Step::RemoveCard: return field_.remove();
      case Step::Idle:
        if (!busy_) return;
        busy_ = false;
        if (++done_ % every_ == 0) {
          marks_.push_back({done_, rss_kib(), mappings(), std::chrono::duration<double>(Clock::now() - started_).count()});
          std::fprintf(stderr, "  ... %d receptions, RSS %.1f MiB\n", done_, static_cast<double>(marks_.back().rss_kib) / 1024);
        }
        if (done_ % 100 == 0) {  // the reception system takes the result files
          std::error_code ec;
          for (const auto& e : std::filesystem::directory_iterator(outbox_, ec)) std::filesystem::remove(e.path(), ec);
        }
        field_.place(sim::card::JpkiCard::load(card_));
        return;
      default:
        busy_ = true;
        return;
    }
  }

 private:
  sim::world::CardField& field_;
  std::filesystem::path card_;
  std::filesystem::path outbox_;
  int every_;
  std::vector<Mark>& marks_;
  Clock::time_point started_;
  rx::EventSink sink_;
  bool busy_ = false;
  int done_ = 0;
};

int runner_soak(const std::filesystem::path& world_dir, int receptions, int every) {
  std::ostringstream log;
  const sim::world::DemoWorld world = sim::world::ensure_demo_world(world_dir, world_dir / "no-faces", log);
  sim::board::SimulatedBoardOptions options;
  options.face = false;
  options.work_dir = world_dir / "soak-runner";
  std::filesystem::remove_all(options.work_dir);
  sim::board::SimulatedBoard kiosk = sim::board::simulated_board(world, {}, options);
  std::vector<Mark> marks;
  InstantPatient patient(*kiosk.field, world.cards.front().file, kiosk.board.results->outbox(), every, marks);
  rx::ReceptionRunner runner(kiosk.board, patient);
  runner.run(receptions);
  return report(marks, "Reception runner (simulated board, real time), PIN receptions");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"soak_bench: RSS per N receptions over many receptions (flat: < 2 MB drift)"};
  int receptions = 10000;
  int every = 1000;
  std::string mode = "console";
  std::string world = (std::filesystem::temp_directory_path() / "kiosk-soak-bench").string();
  app.add_option("--receptions", receptions, "Receptions")->capture_default_str()->check(CLI::Range(3, 1000000));
  app.add_option("--every", every, "Print RSS every N receptions")->capture_default_str()->check(CLI::Range(1, 1000000));
  app.add_option("--world", world, "Directory of the simulated world (made on first use)")->capture_default_str();
  app.add_option("--mode", mode, "console (scenario session) or runner (reception runner in real time)")
      ->capture_default_str()
      ->check(CLI::IsMember({"console", "runner"}));
  CLI11_PARSE(app, argc, argv);
  try {
    return mode == "console" ? console_soak(world, receptions, every) : runner_soak(world, receptions, every);
  } catch (const std::exception& e) {
    std::cerr << "soak_bench: " << e.what() << "\n";
    return 2;
  }
}
