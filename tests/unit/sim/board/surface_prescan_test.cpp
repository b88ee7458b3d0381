// The face path reads 照合番号B from the card's printed face while the patient chooses between
// face and PIN (RunnerOptions::surface_prescan), so the OCR is off the face attempt's time: the
// reception runner in real time on the simulated board, whose scanner is the OCR reader over the
// card tray. The proof that the digits were read ahead: the tray is emptied after the choice
// screen came up, and the photo still opens; without the pre-scan the same attempt finds no card.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/board/board.hpp"
#include "core/reception/reception_runner.hpp"
#include "sim/board/simulated_board.hpp"
#include "sim/world/demo_world.hpp"
#include "tests/support/demo_world.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/support/test_paths.hpp"

using namespace kiosk;
using namespace std::chrono_literals;
namespace rx = core::reception;

namespace {

const sim::world::DemoWorld& world() { return test::shared_demo_world(); }

// Chooses face once the runner has nothing left to do on the choice screen (the pre-scan, when
// there is one, has ended), after taking the card off the scanner's tray; records the screens.
class FaceChooser final : public rx::Frontend {
 public:
  FaceChooser(sim::board::SimulatedBoard& kiosk, rx::ReceptionRunner*& runner) : kiosk_(kiosk), runner_(runner) {}
  ~FaceChooser() override {
    if (chooser_.joinable()) chooser_.join();
  }
  void start(rx::EventSink sink) override { sink_ = std::move(sink); }
  void stop() override {}
  void show(const rx::Screen& s) override {
    {
      std::lock_guard lock(mutex_);
      screens_.push_back(s);
    }
    if (s.step == rx::Step::FaceCapture) kiosk_.camera->read_guidance(s.guidance);  // the patient turns when asked
    if (s.step == rx::Step::MethodChoice && !chose_.exchange(true)) {
      chooser_ = std::thread([this] {
        const auto until = std::chrono::steady_clock::now() + 60s;
        while (!runner_->settled() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
        kiosk_.tray->remove();  // the card stays in the reader; nothing is left to read on the tray
        sink_(rx::MethodChosen{rx::Method::Face});
      });
    }
    if (s.step == rx::Step::Consent || (s.step != rx::Step::FaceCapture && chose_ && s.message != rx::Message::None)) {
      runner_->stop();
    }
  }
  std::vector<rx::Screen> screens() const {
    std::lock_guard lock(mutex_);
    return screens_;
  }

 private:
  sim::board::SimulatedBoard& kiosk_;
  rx::ReceptionRunner*& runner_;
  rx::EventSink sink_;
  std::atomic<bool> chose_{false};
  std::thread chooser_;
  mutable std::mutex mutex_;
  std::vector<rx::Screen> screens_;
};

// A face reception of the world's first card holder with the given pre-scan time; the screens.
std::vector<rx::Screen> face_reception(std::chrono::milliseconds prescan) {
  test::TempDir work;
  sim::board::SimulatedBoardOptions o;
  o.faces_dir = test::faces_dir();
  o.work_dir = work.path();
  sim::board::SimulatedBoard kiosk = sim::board::simulated_board(world(), {}, o);
  REQUIRE(kiosk.board.face_ready());
  const sim::world::DemoCard& card = world().cards.front();
  REQUIRE(card.live_face);
  kiosk.camera->show(*card.live_face);
  rx::RunnerOptions options;
  options.surface_prescan = prescan;
  rx::ReceptionRunner* runner = nullptr;
  FaceChooser patient(kiosk, runner);
  rx::ReceptionRunner r(kiosk.board, patient, rx::Policy{}, options);
  runner = &r;
  // A runner that neither reaches consent nor shows a message is stopped after 2 minutes.
  std::mutex m;
  std::condition_variable ended;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(m);
    if (!ended.wait_for(lock, 120s, [&] { return done; })) r.stop();
  });
  kiosk.place_card(card.file);
  r.run(1);
  {
    std::lock_guard lock(m);
    done = true;
  }
  ended.notify_all();
  watchdog.join();
  return patient.screens();
}

bool reached(const std::vector<rx::Screen>& screens, rx::Step step) {
  for (const auto& s : screens) {
    if (s.step == step) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("surface pre-scan: read while the patient chooses, the digits open the photo with the tray empty") {
  if (!std::filesystem::is_directory(test::faces_dir() / "models")) FAIL("the face set is missing: " << test::faces_dir());
  const auto with = face_reception(4000ms);
  CHECK(reached(with, rx::Step::FaceCapture));
  CHECK(reached(with, rx::Step::Consent));  // matched: the photo was opened with the digits read ahead

  const auto without = face_reception(0ms);
  CHECK_FALSE(reached(without, rx::Step::Consent));  // the attempt's own scan found no card on the tray
}
