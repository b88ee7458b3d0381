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
#include <string>
#include <thread>
#include <vector>

#include "core/card/code_b_guard.hpp"
#include "core/crypto/trust_store.hpp"
#include "core/crypto/validation.hpp"
#include "core/eligibility/client.hpp"
#include "core/eligibility/result_file.hpp"
#include "core/face/face_session.hpp"
#include "core/genuine_card/trust_anchors.hpp"
#include "core/journal/journal.hpp"
#include "core/reception/reception_machine.hpp"
#include "firmware/kiosk/frontend.hpp"
#include "hal/camera.hpp"
#include "hal/card_reader.hpp"
#include "hal/card_surface_scanner.hpp"
#include "hal/clock.hpp"

namespace kiosk::firmware {

// What a reception uses. Everything but the readers, trust and clock is optional: a missing
// service or camera shows up as the failure the patient would meet with a broken one.
struct ReceptionServices {
  hal::CardReaderService* readers = nullptr;
  std::string reader;  // empty: any reader
  hal::Clock* clock = nullptr;
  const crypto::TrustStore* trust = nullptr;
  crypto::ValidationPolicy certificate_policy{90, 90, false};
  eligibility::EligibilityClient* eligibility = nullptr;
  hal::TerminalSigner* terminal = nullptr;  // signs face / visual-check attestations
  const eligibility::ResultFileWriter* results = nullptr;
  journal::Journal* journal = nullptr;
  face::FaceVerifier* face = nullptr;
  hal::Camera* camera = nullptr;
  hal::CardSurfaceScanner* scanner = nullptr;
  // The J-LIS keys of the card-face records (the simulated CA's cardface-anchors.json): without
  // them no card can be proven genuine and face authentication is not offered.
  const core::genuine_card::CardFaceTrustAnchors* card_face_anchors = nullptr;
  card::CodeBPolicy code_b_policy;  // the 照合番号B tries the kiosk never spends
};

struct RunnerOptions {
  // The run() loop hands the machine a Tick when nothing happened for this long (wall time).
  // Zero: no automatic ticks; whoever drives the runner posts them (the scenario player, on
  // virtual time, so time-outs fire deterministically).
  std::chrono::milliseconds tick_interval{200};
};

class ReceptionRunner {
 public:
  ReceptionRunner(ReceptionServices services, Frontend& frontend, reception::Policy policy = {},
                  RunnerOptions options = {});
  ~ReceptionRunner();
  ReceptionRunner(const ReceptionRunner&) = delete;
  ReceptionRunner& operator=(const ReceptionRunner&) = delete;

  // Thread-safe: patient input, staff actions, test drivers.
  void post(reception::Event event);
  // Serves until stop(), or until `patients` receptions have ended (0: no limit).
  void run(int patients = 0);
  void stop();

  // The step the machine is in (for tests and the headless demo; any thread).
  reception::Step step() const;

  // True when the runner has nothing left to do by itself: no event queued or being handled,
  // no face or service worker running. A scenario step runs once the previous one settled.
  bool settled() const;
  // Counts handled events and finished workers; unchanged over a while = nothing moved.
  std::uint64_t activity() const;

 private:
  struct CardContext;
  struct Queued {
    std::uint64_t session;  // 0: not tied to a session (input, card events, ticks)
    reception::Event event;
  };

  void post_for(std::uint64_t session, reception::Event event);
  void watch_cards(std::stop_token stop);
  void execute(reception::Command& command);
  void read_card();
  void verify_pin(card::Secret pin);
  void confirm(const reception::ConfirmEligibility& c);
  void register_card(const eligibility::RegistrationOffer& offer);
  void record_consent(const reception::RecordConsent& c);
  void start_face();
  void end_session();
  template <typename Work>
  void in_background(Work work);
  void reap_workers();
  std::chrono::system_clock::time_point wall_now() const;

  ReceptionServices services_;
  Frontend& frontend_;
  reception::ReceptionMachine machine_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Queued> queue_;
  bool stopping_ = false;
  reception::Step step_ = reception::Step::Idle;
  bool handling_ = false;          // run() took an event and carries out its commands
  std::uint64_t activity_ = 0;
  std::atomic<int> busy_workers_{0};
  RunnerOptions options_;

  std::uint64_t session_ = 1;             // the current session's number (run() thread)
  std::shared_ptr<CardContext> card_;     // the current card, shared with workers
  std::vector<std::jthread> workers_;
  std::vector<std::shared_ptr<std::atomic<bool>>> worker_done_;
  std::mutex service_mutex_;  // one eligibility call at a time (stale workers included)
  std::unique_ptr<std::stop_source> face_stop_;
  std::jthread card_watcher_;
};

}  // namespace kiosk::firmware
