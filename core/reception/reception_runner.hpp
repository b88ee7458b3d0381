// Runs the reception state machine against devices and services.
//
// One thread (run()) owns the machine: it takes events from a queue, hands them to the
// machine and carries out the commands. Card operations that take milliseconds run there;
// the face capture and the eligibility service run on worker threads and post their outcome
// back. Every outcome carries the session it belongs to: what arrives after the card was
// taken away is dropped, so a new patient never sees the previous one's data.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/board/board.hpp"
#include "core/eligibility/client.hpp"
#include "core/face/face_session.hpp"
#include "core/reception/reception_machine.hpp"
#include "core/reception/frontend.hpp"

namespace kiosk::core::reception {

struct RunnerOptions {
  // The run() loop hands the machine a Tick when nothing happened for this long (wall time).
  // Zero: no automatic ticks; whoever drives the runner posts them (the scenario player, on
  // virtual time, so time-outs fire deterministically).
  std::chrono::milliseconds tick_interval{200};
  // Read 照合番号B from the card's printed face while the patient chooses between face and PIN
  // (at most `surface_prescan` long), so the OCR is off the face path's time; the digits are
  // held wiped and dropped with the card. Zero: read only when face is chosen (the scenario
  // player: each step's tray decides what is read, and no scan outlives a step).
  std::chrono::milliseconds surface_prescan{4000};
};

class ReceptionRunner {
 public:
  // Every device and service comes from the board (core/board/board.hpp), which outlives the
  // runner. A member the board lacks shows up as the failure a patient would meet with a broken
  // one (no eligibility service: sent to the counter; no face path: face is not offered).
  ReceptionRunner(board::Board& board, Frontend& frontend, Policy policy = {}, RunnerOptions options = {});
  ~ReceptionRunner();
  ReceptionRunner(const ReceptionRunner&) = delete;
  ReceptionRunner& operator=(const ReceptionRunner&) = delete;

  // Thread-safe: patient input, staff actions, test drivers.
  void post(core::reception::Event event);
  // Serves until stop(), or until `patients` receptions have ended (0: no limit).
  void run(int patients = 0);
  void stop();

  // The step the machine is in (for tests and the headless demo; any thread).
  core::reception::Step step() const;

  // True when the runner has nothing left to do by itself: no event queued or being handled,
  // no face or service worker running. A scenario step runs once the previous one settled.
  bool settled() const;
  // Counts handled events and finished workers; unchanged over a while = nothing moved.
  std::uint64_t activity() const;
  // Reader events the card watcher took from the reader service and handed on (each one is
  // posted, or ignored as another reader's, by the time it is counted).
  std::uint64_t reader_events_taken() const { return reader_events_taken_.load(); }

 private:
  struct CardContext;
  struct Queued {
    std::uint64_t session;  // 0: not tied to a session (input, card events, ticks)
    core::reception::Event event;
  };

  void post_for(std::uint64_t session, core::reception::Event event);
  void watch_cards(std::stop_token stop);
  void execute(core::reception::Command& command);
  void read_card();
  void verify_pin(core::card::Secret pin);
  void confirm(const core::reception::ConfirmEligibility& c);
  void register_card(const core::eligibility::RegistrationOffer& offer);
  void record_consent(const core::reception::RecordConsent& c);
  void look_up(const core::eligibility::NumberLookup& lookup);
  void read_document(core::eligibility::PresentedDocument expected);
  void start_face();
  void prescan_surface(const std::shared_ptr<CardContext>& ctx);
  void end_session();
  template <typename Work>
  void in_background(Work work);
  void reap_workers();
  std::chrono::system_clock::time_point wall_now() const;

  board::Board& board_;
  std::optional<core::eligibility::EligibilityClient> eligibility_;  // on the board's line to the service
  Frontend& frontend_;
  core::reception::ReceptionMachine machine_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Queued> queue_;
  bool stopping_ = false;
  core::reception::Step step_ = core::reception::Step::Idle;
  bool handling_ = false;          // run() took an event and carries out its commands
  std::uint64_t activity_ = 0;
  std::atomic<int> busy_workers_{0};
  std::atomic<std::uint64_t> reader_events_taken_{0};
  RunnerOptions options_;

  std::uint64_t session_ = 1;             // the current session's number (run() thread)
  std::shared_ptr<CardContext> card_;     // the current card, shared with workers
  std::vector<std::jthread> workers_;
  std::vector<std::shared_ptr<std::atomic<bool>>> worker_done_;
  std::mutex service_mutex_;  // one eligibility call at a time (stale workers included)
  std::mutex scanner_mutex_;  // one card-surface scan at a time (a pre-scan of a card gone included)
  std::unique_ptr<std::stop_source> face_stop_;
  std::jthread card_watcher_;
};

}  // namespace kiosk::core::reception
