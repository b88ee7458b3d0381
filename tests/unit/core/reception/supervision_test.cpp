// The reception loop under a service manager (systemd on a kiosk board, issue 15): READY once
// the reader watch and the screen are up, the watchdog as the loop turns, the step as STATUS,
// STOPPING last. The runner on a board with simulated readers and a service manager that
// records what it hears.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/board/board.hpp"
#include "core/reception/reception_runner.hpp"
#include "sim/card/recording_card.hpp"
#include "sim/card/simulated_readers.hpp"
#include "tests/support/runner_support.hpp"
#include "tests/support/test_cards.hpp"

using namespace kiosk;
using namespace std::chrono_literals;
using test::eventually;
using test::QuietScreen;
using test::WallClock;

namespace {

// What a service manager heard, in order: "ready", "status:<text>", "watchdog", "stopping".
class RecordingServiceManager final : public hal::ServiceManager {
 public:
  bool supervised() const override { return true; }
  void ready() override { add("ready"); }
  void status(std::string_view text) override { add("status:" + std::string(text)); }
  void watchdog() override { add("watchdog"); }
  std::optional<std::chrono::microseconds> watchdog_interval() const override { return 1s; }
  void stopping() override { add("stopping"); }

  std::vector<std::string> heard() const {
    std::lock_guard lock(mutex_);
    return heard_;
  }
  std::size_t count(const std::string& what) const {
    const auto h = heard();
    return static_cast<std::size_t>(std::count(h.begin(), h.end(), what));
  }

 private:
  void add(std::string what) {
    std::lock_guard lock(mutex_);
    heard_.push_back(std::move(what));
  }
  mutable std::mutex mutex_;
  std::vector<std::string> heard_;
};

constexpr const char* kReader = "SONY FeliCa RC-S300/S (0123456) 00 00";

}  // namespace

TEST_CASE("supervision: ready once the loop serves, watchdog as it turns, the step as status, stopping last") {
  core::board::Board board;
  board.clock = std::make_unique<WallClock>();
  auto readers = std::make_unique<sim::card::SimulatedReaders>();
  sim::card::SimulatedReaders& field = *readers;
  field.attach_reader(kReader);
  board.readers = std::move(readers);
  board.reader = kReader;
  auto trust = std::make_unique<core::crypto::TrustStore>();
  trust->add_directory(test::test_ca_directory());
  board.trust = std::move(trust);
  auto manager_owned = std::make_unique<RecordingServiceManager>();
  RecordingServiceManager& manager = *manager_owned;
  board.service_manager = std::move(manager_owned);

  QuietScreen screen;
  core::reception::RunnerOptions options;
  options.tick_interval = 50ms;
  core::reception::ReceptionRunner runner(board, screen, {}, options);
  std::thread running([&] { runner.run(); });

  REQUIRE(eventually([&] { return manager.count("ready") == 1; }, 5s));
  CHECK(screen.started);  // the screen was up before READY went out
  {
    const auto heard = manager.heard();
    REQUIRE(heard.size() >= 2);
    CHECK(heard[0] == "ready");
    CHECK(heard[1] == std::string("status:") + core::reception::to_string(core::reception::Step::Idle));
  }
  // An idle kiosk still turns its loop (ticks): the watchdog hears it, not once but steadily.
  CHECK(eventually([&] { return manager.count("watchdog") >= 5; }, 5s));

  // A card: the step changes and the status follows it; nothing personal in the status lines.
  field.place_card(kReader, std::make_shared<sim::card::RecordingCard>(test::make_card(test::test_card_profile())));
  REQUIRE(eventually([&] { return runner.step() != core::reception::Step::Idle; }, 5s));
  CHECK(eventually(
      [&] {
        const auto heard = manager.heard();
        return std::count_if(heard.begin(), heard.end(), [](const std::string& h) { return h.rfind("status:", 0) == 0; }) >= 2;
      },
      5s));
  const auto profile = test::test_card_profile();
  for (const auto& h : manager.heard()) {
    if (h.rfind("status:", 0) != 0) continue;
    CHECK(h.find(profile.holder_name) == std::string::npos);
    CHECK(h.find(profile.birth_date) == std::string::npos);
  }

  runner.stop();
  running.join();
  const auto heard = manager.heard();
  REQUIRE_FALSE(heard.empty());
  CHECK(heard.back() == "stopping");
  CHECK(manager.count("ready") == 1);
  CHECK(manager.count("stopping") == 1);
}

TEST_CASE("supervision: a board without a service manager runs and stops the same") {
  core::board::Board board;
  board.clock = std::make_unique<WallClock>();
  auto readers = std::make_unique<sim::card::SimulatedReaders>();
  readers->attach_reader(kReader);
  board.readers = std::move(readers);
  board.reader = kReader;
  QuietScreen screen;
  core::reception::RunnerOptions options;
  options.tick_interval = 50ms;
  core::reception::ReceptionRunner runner(board, screen, {}, options);
  std::thread running([&] { runner.run(); });
  CHECK(eventually([&] { return screen.started.load(); }, 5s));
  runner.stop();
  running.join();
  CHECK(runner.step() == core::reception::Step::Idle);
}
