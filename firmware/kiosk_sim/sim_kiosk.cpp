#include "firmware/kiosk_sim/sim_kiosk.hpp"

#include <atomic>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>
#include <cstdint>
#include <vector>

#include "core/reception/reception_runner.hpp"
#include "firmware/kiosk/diag_command.hpp"
#include "firmware/screen/terminal_frontend.hpp"
#include "firmware/screen/web_frontend.hpp"
#include "sim/board/simulated_board.hpp"
#include "sim/camera/virtual_camera.hpp"
#include "sim/card/card_file_check.hpp"
#include "sim/card/jpki_card.hpp"

namespace kiosk::firmware::kiosk_sim {
namespace {

using namespace std::chrono_literals;
namespace rx = core::reception;

// The simulated patients: each places a card, stands in front of the camera, and takes the card
// back when the kiosk asks. Wraps the frontend that shows the screens.
class SimulatedPatients final : public core::reception::Frontend {
 public:
  SimulatedPatients(core::reception::Frontend& screen, sim::board::SimulatedBoard& kiosk, std::vector<sim::world::DemoCard> cards)
      : screen_(screen), kiosk_(kiosk), cards_(std::move(cards)) {}

  void start(core::reception::EventSink sink) override {
    screen_.start(std::move(sink));
    next_patient();
  }
  void stop() override { screen_.stop(); }
  void show(const rx::Screen& s) override {
    screen_.show(s);
    // The patient before the camera follows the face screen's guidance (turn the head).
    if (s.step == rx::Step::FaceCapture) kiosk_.camera->read_guidance(s.guidance);
    if (s.step == rx::Step::RemoveCard && present_) {
      present_ = false;
      later([this] {
        std::cout << "[sim] the patient takes the card\n" << std::flush;
        kiosk_.field->remove();
        kiosk_.camera->show(std::nullopt);
      });
    }
    if (s.step == rx::Step::Idle && served_ > 0 && !present_) next_patient();
  }

 private:
  // Runs `f` after a human pause, on a thread of its own; dropped when the simulation ends first.
  // Called from show() and start(), i.e. only on the reception runner's thread.
  // Moves that have finished are joined here (a kiosk simulated for 10,000 patients kept
  // 10,000 finished threads and their stacks' mappings).
  template <typename F>
  void later(F f) {
    std::erase_if(moves_, [](const Move& m) { return m.done->load(); });
    auto done = std::make_shared<std::atomic<bool>>(false);
    moves_.push_back({std::jthread([f = std::move(f), done](std::stop_token stop) mutable {
                        std::mutex m;
                        std::condition_variable_any pause;
                        std::unique_lock pause_lock(m);
                        pause.wait_for(pause_lock, stop, 400ms, [] { return false; });
                        if (!stop.stop_requested()) {
                          try {
                            f();
                          } catch (const std::exception& e) {  // a card file that cannot be used
                            std::cout << "[sim] the patient cannot go on: " << e.what() << "\n" << std::flush;
                          }
                        }
                        done->store(true);
                      }),
                      done});
  }
  void next_patient() {
    if (served_ >= cards_.size()) return;
    const sim::world::DemoCard card = cards_[served_++];
    present_ = true;
    later([this, card] {
      std::cout << "[sim] a patient places the card " << card.file.filename().string() << "\n" << std::flush;
      kiosk_.camera->show(card.live_face);
      kiosk_.place_card(card.file);
    });
  }

  core::reception::Frontend& screen_;
  sim::board::SimulatedBoard& kiosk_;
  std::vector<sim::world::DemoCard> cards_;
  std::size_t served_ = 0;
  bool present_ = false;
  // Last member, so destroyed first: every pending move is stopped and joined before the patients
  // go away, and the simulated board (which outlives them in run_simulator) is never
  // used by a move after run_simulator() returns.
  struct Move {
    std::jthread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Move> moves_;
};

// The terminal and the kiosk screen at once: every screen goes to both, input comes from both.
class BothFrontends final : public core::reception::Frontend {
 public:
  BothFrontends(core::reception::Frontend& a, core::reception::Frontend& b) : a_(a), b_(b) {}
  void start(core::reception::EventSink sink) override {
    a_.start(sink);
    b_.start(std::move(sink));
  }
  void show(const rx::Screen& s) override {
    a_.show(s);
    b_.show(s);
  }
  void stop() override {
    a_.stop();
    b_.stop();
  }
  void show_preview(std::vector<std::uint8_t> jpeg) override {
    a_.show_preview(jpeg);
    b_.show_preview(std::move(jpeg));
  }

 private:
  core::reception::Frontend& a_;
  core::reception::Frontend& b_;
};

}  // namespace

kiosk::LoadedConfig simulated_kiosk_config(const sim::world::DemoWorld& world, const std::filesystem::path& faces_dir,
                                           const std::filesystem::path& score_cohort) {
  kiosk::LoadedConfig loaded;
  loaded.source = "the simulated kiosk of " + world.dir.string();
  kiosk::KioskConfig& c = loaded.config;
  c.terminal_id = "SIM-KIOSK-01";
  c.reader = sim::board::kSimulatedReader;
  c.jpki_ca_dir = world.ca_dir;
  c.data_dir = world.dir;
  c.outbox = world.outbox;
  c.eligibility_host = "127.0.0.1";
  c.camera = "simulated kiosk camera";
  c.model_dir = faces_dir / "models";
  c.score_cohort = score_cohort;
  // Without the face set the simulated kiosk offers no face authentication (as the board does).
  std::error_code ec;
  c.face_enabled = std::filesystem::is_directory(c.model_dir, ec);
  return loaded;
}

int run_simulator(const SimOptions& o) {
  const sim::world::DemoWorld world = sim::world::ensure_demo_world(o.world, o.faces_dir, std::cout);
  std::vector<sim::world::DemoCard> cards = world.cards;
  if (!o.cards.empty()) {
    cards.clear();
    for (const auto& f : o.cards) {
      try {
        sim::card::read_card_file(f);  // every card checked before the first patient comes
      } catch (const sim::card::CardFileError& e) {
        std::cerr << "kiosk-sim: " << e.what() << "\n";
        return 1;
      }
      // A card of the world keeps its patient: the virtual camera shows that patient's face.
      std::optional<std::filesystem::path> face;
      for (const auto& c : world.cards) {
        std::error_code ec;
        if (std::filesystem::equivalent(c.file, f, ec)) face = c.live_face;
      }
      cards.push_back({f, face});
    }
  }

  sim::board::SimulatedBoardOptions options;
  options.faces_dir = o.faces_dir;
  options.face = o.face;
  options.score_cohort = o.score_cohort;
  sim::board::SimulatedBoard kiosk = sim::board::simulated_board(world, {}, options);
  core::board::Board& board = kiosk.board;
  for (const auto& n : board.notes) std::cout << "[sim] " << n << "\n";
  std::cout << "[sim] eligibility service at " << kiosk.service->url() << " (mutual TLS)\n";

  firmware::screen::TerminalFrontend terminal_screen(0, std::cout, o.texts);
  std::optional<firmware::screen::WebFrontend> web;
  std::optional<BothFrontends> both;
  core::reception::Frontend* screen = &terminal_screen;
  if (o.screen_port >= 0) {
    firmware::screen::WebFrontendConfig web_config;
    web_config.port = o.screen_port;
    web_config.journal = board.journal.get();  // the desk page; staff pages: the demo staff account (README)
    web_config.staff = std::make_shared<firmware::staff::StaffAuthenticator>(
        firmware::staff::demo_staff_accounts(), firmware::staff::StaffPolicy{}, firmware::staff::journal_into(*board.journal));
    // The staff diagnostics page: the checks on a diagnostics board of this world (a simulated
    // reader with the world's first card, the camera, the world's service), as `kiosk-sim diag`.
    web_config.diagnostics = [&world, faces = o.faces_dir, cohort = o.score_cohort] {
      sim::board::SimulatedBoardOptions diag_board;
      diag_board.faces_dir = faces;
      diag_board.face = false;
      diag_board.journal = false;
      sim::board::SimulatedBoard checked = sim::board::simulated_board(world, {}, diag_board);
      checked.place_card(world.cards.front().file);
      kiosk::DiagOptions diag;
      diag.kiosk_running = true;
      return kiosk::collect_report(checked.board, simulated_kiosk_config(world, faces, cohort), diag).to_json();
    };
    web.emplace(web_config);
    both.emplace(terminal_screen, *web);
    screen = &*both;
  }
  SimulatedPatients patients(*screen, kiosk, cards);
  core::reception::ReceptionRunner runner(board, patients);
  std::jthread url_printer;
  if (web) {
    // The page is served once start() ran inside run(); print the URL from a short-lived thread.
    url_printer = std::jthread([&web] {
      for (int i = 0; i < 50 && web->port() == 0; ++i) std::this_thread::sleep_for(100ms);
      std::cout << "[kiosk] kiosk screen: " << web->url() << " (open it in Chromium: chromium --kiosk " << web->url()
                << ")\n" << std::flush;
    });
  }
  const auto started = board.clock->now();
  runner.run(static_cast<int>(cards.size()));

  int completed = 0;
  for (const auto& r : board.journal->since(started)) {
    if (r.event == "reception-completed") ++completed;
  }
  std::cout << "[sim] " << cards.size() << " patient(s); journal: " << world.journal.string()
            << "; result files: " << world.outbox.string() << "\n";
  return completed >= static_cast<int>(cards.size()) ? 0 : 3;
}

}  // namespace kiosk::firmware::kiosk_sim
