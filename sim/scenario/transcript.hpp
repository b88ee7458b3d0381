// What a QA scenario shows of a reception: the transcript (each line stamped with the virtual
// time, echoed live when asked) and the kiosk screen as the scenario sees it (every screen
// recorded, the patient's input sent into the reception through the sink it was given).
#pragma once

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/reception/frontend.hpp"
#include "sim/clock/virtual_clock.hpp"
#include "sim/world/patient_camera.hpp"

namespace kiosk::sim::scenario {

// "valid", "invalid", ... as scenario files name a qualification's validity.
std::string validity_name(core::eligibility::QualificationValidity v);

// A screen as the transcript shows it: the step, the message code with its key and text (from
// `texts`), methods, tries left, guidance and result; never a PIN.
std::string describe(const core::reception::Screen& s, const nlohmann::json& texts);

// The transcript, in virtual time; echoed live when asked.
class Transcript {
 public:
  Transcript(const sim::clock::VirtualClock& clock, std::ostream* live);
  // One line: "[   1.234 s] who: what".
  void add(const std::string& who, const std::string& what);
  // The lines kept (all of them unless keep_last() dropped some).
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  // How many lines were ever added, and a copy of those from the `index`-th on (only those:
  // the console asks after every step, and copying everything each time made a long session
  // slower and slower).
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return dropped_ + lines_.size();
  }
  std::vector<std::string> since(std::size_t index) const {
    std::lock_guard lock(mutex_);
    const std::size_t from = index > dropped_ ? std::min(index - dropped_, lines_.size()) : 0;
    return {lines_.begin() + static_cast<std::ptrdiff_t>(from), lines_.end()};
  }
  // Keeps the last `n` lines only (the console's history; tail() still has them).
  void keep_last(std::size_t n) {
    std::lock_guard lock(mutex_);
    if (lines_.size() <= n) return;
    const std::size_t drop = lines_.size() - n;
    lines_.erase(lines_.begin(), lines_.begin() + static_cast<std::ptrdiff_t>(drop));
    dropped_ += drop;
    lines_.shrink_to_fit();
  }
  std::string tail(std::size_t n) const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (std::size_t i = lines_.size() > n ? lines_.size() - n : 0; i < lines_.size(); ++i) out += "\n    " + lines_[i];
    return out;
  }

 private:
  const sim::clock::VirtualClock& clock_;
  std::ostream* live_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  std::size_t dropped_ = 0;
};

// The kiosk screen as the scenario sees it: every screen is recorded; the patient's input
// goes to the runner through the sink it was given.
class ScenarioFrontend final : public core::reception::Frontend {
 public:
  ScenarioFrontend(Transcript& transcript, const sim::clock::VirtualClock& clock, const nlohmann::json& texts)
      : transcript_(transcript), clock_(clock), texts_(texts) {}
  void start(core::reception::EventSink sink) override {
    std::lock_guard lock(mutex_);
    sink_ = std::move(sink);
  }
  void stop() override {}
  // The patient before the simulated camera, who follows the face screen's guidance.
  void seen_by(sim::world::PatientCamera& patient) { patient_ = &patient; }
  void show(const core::reception::Screen& s) override {
    transcript_.add("screen ", describe(s, texts_));
    if (patient_ != nullptr && s.step == core::reception::Step::FaceCapture) patient_->read_guidance(s.guidance);
    std::lock_guard lock(mutex_);
    current_ = s;
    seen_.push_back(core::reception::to_string(s.step));
    if (reception_start_ && (s.step == core::reception::Step::Result || s.step == core::reception::Step::Notice)) {
      receptions_.push_back(static_cast<double>((clock_.elapsed() - *reception_start_).count()) / 1e6);
      reception_start_.reset();
    }
  }
  void input(core::reception::Event e) {
    core::reception::EventSink sink;
    {
      std::lock_guard lock(mutex_);
      sink = sink_;
    }
    if (!sink) throw std::runtime_error("the kiosk screen was not started");
    sink(std::move(e));
  }
  void reception_starts() {
    std::lock_guard lock(mutex_);
    reception_start_ = clock_.elapsed();
  }
  core::reception::Screen current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  std::vector<std::string> take_seen() {
    std::lock_guard lock(mutex_);
    return std::exchange(seen_, {});
  }
  std::vector<double> receptions() const {
    std::lock_guard lock(mutex_);
    return receptions_;
  }
  // Drops the timings and all but the last `keep_screens` screens seen since the last expect.
  void forget_history(std::size_t keep_screens) {
    std::lock_guard lock(mutex_);
    receptions_ = {};
    if (seen_.size() > keep_screens) {
      seen_.erase(seen_.begin(), seen_.begin() + static_cast<std::ptrdiff_t>(seen_.size() - keep_screens));
    }
  }

 private:
  Transcript& transcript_;
  sim::world::PatientCamera* patient_ = nullptr;
  const sim::clock::VirtualClock& clock_;
  const nlohmann::json& texts_;
  mutable std::mutex mutex_;
  core::reception::EventSink sink_;
  core::reception::Screen current_;
  std::vector<std::string> seen_;
  std::optional<std::chrono::microseconds> reception_start_;
  std::vector<double> receptions_;
};

}  // namespace kiosk::sim::scenario
