// The scenario player's inside, shared by its files: scenario_player.cpp (the wiring: the
// simulated board, the cards, the reception, settling, what is observed), scenario_steps.cpp
// (the step interpreter) and scenario_faults.cpp (the faults a step injects).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/reception/reception_runner.hpp"
#include "sim/board/simulated_board.hpp"
#include "sim/card/faulty_card.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/card/recording_card.hpp"
#include "sim/scenario/scenario_player.hpp"
#include "sim/scenario/transcript.hpp"

namespace kiosk::sim::scenario {

struct PlayedCard {
  std::string name;
  sim::card::CardProfile profile;
  std::shared_ptr<sim::card::JpkiCard> emulator;  // null for a foreign card
  std::shared_ptr<sim::card::FaultyCard> faulty;
  std::shared_ptr<sim::card::RecordingCard> recorded;
  std::optional<std::filesystem::path> live_face;
};

class Player {
 public:
  using Clock = std::chrono::steady_clock;

  Player(const Scenario& s, const PlayerOptions& o)
      : scenario_(s), options_(o), world_(*o.world), sim_(make_board(s, o)), clock_(*sim_.virtual_clock),
        transcript_(clock_, o.live), frontend_(transcript_, clock_, o.texts) {}

  ScenarioResult play();

  // Step by step (the console): start() sets the world up and starts the reception (false when
  // the scenario cannot run here: result().skip_reason says why); run() plays one step and
  // returns the failures it caused; finish() stops and reports.
  bool start();
  std::vector<std::string> run(const StepEntry& entry);
  ScenarioResult finish();
  core::reception::Screen screen() const { return frontend_.current(); }
  const ScenarioResult& result() const { return result_; }
  std::size_t transcript_size() const { return transcript_.size(); }
  std::vector<std::string> transcript_since(std::size_t n) const { return transcript_.since(n); }
  // For a session that runs as long as it is used (the console): what the steps so far left
  // behind is folded into what the expectations need (the count of PIN VERIFYs, the check that
  // the My Number's application was never selected) and dropped, keeping the last `keep_lines`
  // transcript lines. Memory then stays flat however many receptions the session sees.
  void forget_history(std::size_t keep_lines);

 private:
  static sim::board::SimulatedBoard make_board(const Scenario& s, const PlayerOptions& o);
  void setup();
  void make_cards();
  void run_step(std::size_t index, const StepEntry& entry);
  void apply(const Fault& f);
  Observed observe();
  bool settle();
  void wait_for_card_event(std::uint64_t activity_before);
  void fail(const std::string& what) { result_.failures.push_back(what); }
  void check_trace();
  std::vector<sim::card::TracedApdu> all_apdus() const;
  int auth_pin_verifies() const;

  const Scenario& scenario_;
  const PlayerOptions& options_;
  const sim::world::DemoWorld& world_;
  // The simulated kiosk: its board and the world's controls. Outlives the runner.
  sim::board::SimulatedBoard sim_;
  sim::clock::VirtualClock& clock_;
  Transcript transcript_;
  ScenarioFrontend frontend_;
  ScenarioResult result_;

  bool face_ = false;  // the scenario has face steps and the face models are here
  std::map<std::string, PlayedCard> cards_;
  std::string on_reader_;
  bool explicit_face_ = false;
  std::atomic<bool> pulled_{false};  // a card was pulled out mid-command (set on the card's thread)
  int pins_typed_ = 0;
  int forgotten_verifies_ = 0;  // PIN VERIFYs of traces dropped by forget_history()
  std::unique_ptr<core::reception::ReceptionRunner> runner_;
  std::thread reception_;
  std::mutex crash_mutex_;
  std::string crashed_;
  bool hung_ = false;
  std::size_t steps_run_ = 0;
  Clock::time_point wall_start_;
};

}  // namespace kiosk::sim::scenario
