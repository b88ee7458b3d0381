#include "firmware/kiosk/sim_mode.hpp"

#include <fstream>
#include <iostream>
#include <optional>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "core/eligibility/client.hpp"
#include "core/face/face_error.hpp"
#include "core/face/face_verifier.hpp"
#include "drivers/https/https_client_transport.hpp"
#include "drivers/https/terminal_key_signer.hpp"
#include "drivers/system/system_clock.hpp"
#include "firmware/kiosk/demo_world.hpp"
#include "firmware/kiosk/diag_command.hpp"
#include "firmware/kiosk/patient_camera.hpp"
#include "firmware/kiosk/reception_runner.hpp"
#include "firmware/kiosk/terminal_frontend.hpp"
#include "firmware/kiosk/web_frontend.hpp"
#include "sim/camera/simulated_card_surface_scanner.hpp"
#include "sim/camera/virtual_camera.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/card/simulated_readers.hpp"
#include "sim/eligibility/fixture.hpp"
#include "sim/eligibility/service.hpp"

namespace kiosk::firmware {
namespace {

using namespace std::chrono_literals;
namespace rx = reception;

const std::string kReader = "Simulated Contactless Reader 0";

// The simulated patients: each places a card, stands in front of the camera, and takes the card
// back when the kiosk asks. Wraps the frontend that shows the screens.
class SimulatedPatients final : public Frontend {
 public:
  SimulatedPatients(Frontend& screen, sim::SimulatedReaders& readers, PatientCamera& camera,
                    sim::SimulatedCardSurfaceScanner& scanner, std::vector<DemoCard> cards)
      : screen_(screen), readers_(readers), camera_(camera), scanner_(scanner), cards_(std::move(cards)) {}

  void start(EventSink sink) override {
    screen_.start(std::move(sink));
    next_patient();
  }
  void stop() override { screen_.stop(); }
  void show(const rx::Screen& s) override {
    screen_.show(s);
    if (s.step == rx::Step::RemoveCard && present_) {
      present_ = false;
      later([this] {
        std::cout << "[sim] the patient takes the card\n" << std::flush;
        readers_.remove_card(kReader);
        camera_.show(std::nullopt);
      });
    }
    if (s.step == rx::Step::Idle && served_ > 0 && !present_) next_patient();
  }

 private:
  // Runs `f` after a human pause, on a thread of its own; dropped when the simulation ends first.
  // Called from show() and start(), i.e. only on the reception runner's thread.
  template <typename F>
  void later(F f) {
    moves_.emplace_back([f = std::move(f)](std::stop_token stop) mutable {
      std::mutex m;
      std::condition_variable_any pause;
      std::unique_lock pause_lock(m);
      pause.wait_for(pause_lock, stop, 400ms, [] { return false; });
      if (!stop.stop_requested()) f();
    });
  }
  void next_patient() {
    if (served_ >= cards_.size()) return;
    const DemoCard card = cards_[served_++];
    present_ = true;
    later([this, card] {
      std::cout << "[sim] a patient places the card " << card.file.filename().string() << "\n" << std::flush;
      scanner_.place(card.file);
      camera_.show(card.live_face);
      readers_.place_card(kReader, sim::JpkiCard::load(card.file));
    });
  }

  Frontend& screen_;
  sim::SimulatedReaders& readers_;
  PatientCamera& camera_;
  sim::SimulatedCardSurfaceScanner& scanner_;
  std::vector<DemoCard> cards_;
  std::size_t served_ = 0;
  bool present_ = false;
  // Last member, so destroyed first: every pending move is stopped and joined before the patients
  // go away, and the readers, camera and scanner (which outlive them in run_simulator) are never
  // used by a move after run_simulator() returns.
  std::vector<std::jthread> moves_;
};

// The terminal and the kiosk screen at once: every screen goes to both, input comes from both.
class BothFrontends final : public Frontend {
 public:
  BothFrontends(Frontend& a, Frontend& b) : a_(a), b_(b) {}
  void start(EventSink sink) override {
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

 private:
  Frontend& a_;
  Frontend& b_;
};

}  // namespace

nlohmann::json load_texts(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return {};
  auto texts = nlohmann::json::parse(in, nullptr, false);
  return texts.is_discarded() ? nlohmann::json{} : texts;
}

int run_simulator(const SimOptions& o) {
  const DemoWorld world = ensure_demo_world(o.world, o.faces_dir, std::cout);
  std::vector<DemoCard> cards = world.cards;
  if (!o.cards.empty()) {
    cards.clear();
    for (const auto& f : o.cards) {
      // A card of the world keeps its patient: the virtual camera shows that patient's face.
      std::optional<std::filesystem::path> face;
      for (const auto& c : world.cards) {
        std::error_code ec;
        if (std::filesystem::equivalent(c.file, f, ec)) face = c.live_face;
      }
      cards.push_back({f, face});
    }
  }

  drivers::SystemClock clock;
  crypto::TrustStore trust;
  trust.add_directory(world.ca_dir);
  const auto card_face_anchors =
      core::genuine_card::CardFaceTrustAnchors::load(world.ca_dir / core::genuine_card::CardFaceTrustAnchors::kFileName);

  // The national eligibility service, on loopback with mutual TLS.
  WorldService national = start_world_service(world);
  drivers::HttpsClientTransport transport(national.tls);
  eligibility::EligibilityClient client(transport, clock);
  drivers::TerminalKeySigner terminal = drivers::TerminalKeySigner::from_pem_file(national.tls.client_key);
  std::cout << "[sim] eligibility service at " << national.service->url() << " (mutual TLS)\n";

  const eligibility::ResultFileWriter results(world.outbox);
  journal::Journal journal = journal::Journal::open(world.journal, "SIM-KIOSK-01");

  std::optional<face::FaceVerifier> verifier;
  if (o.face) {
    try {
      face::FaceConfig config;
      config.model_dir = o.faces_dir;
      verifier.emplace(config);
    } catch (const face::FaceError& e) {
      std::cout << "[sim] face authentication is off: " << e.what() << "\n";
    }
  }
  PatientCamera camera;
  sim::SimulatedCardSurfaceScanner scanner(sim::CardProfile::load(cards.front().file));

  sim::SimulatedReaders readers;
  readers.attach_reader(kReader);
  TerminalFrontend terminal_screen(0, std::cout, load_texts(o.texts));
  std::optional<WebFrontend> web;
  std::optional<BothFrontends> both;
  Frontend* screen = &terminal_screen;
  if (o.screen_port >= 0) {
    WebFrontendConfig web_config;
    web_config.port = o.screen_port;
    web_config.journal = &journal;  // the desk page; staff pages: the demo staff account (README)
    web_config.staff = std::make_shared<StaffAuthenticator>(demo_staff_accounts(), StaffPolicy{}, journal_into(journal));
    // The staff diagnostics page runs `kiosk diag --sim` on this world: a simulated reader with the
    // world's first card, a virtual camera and the world's service started for the checks.
    web_config.diagnostics = [world_dir = o.world] {
      DiagOptions diag;
      diag.simulated = true;
      diag.world = world_dir;
      return collect_report(diag).to_json();
    };
    web.emplace(web_config);
    both.emplace(terminal_screen, *web);
    screen = &*both;
  }
  SimulatedPatients patients(*screen, readers, camera, scanner, cards);

  ReceptionServices services;
  services.readers = &readers;
  services.reader = kReader;
  services.clock = &clock;
  services.trust = &trust;
  services.eligibility = &client;
  services.terminal = &terminal;
  services.results = &results;
  services.journal = &journal;
  if (verifier) {
    services.face = &*verifier;
    services.camera = &camera;
    services.scanner = &scanner;
    services.card_face_anchors = &card_face_anchors;
  }
  ReceptionRunner runner(services, patients);
  std::jthread url_printer;
  if (web) {
    // The page is served once start() ran inside run(); print the URL from a short-lived thread.
    url_printer = std::jthread([&web] {
      for (int i = 0; i < 50 && web->port() == 0; ++i) std::this_thread::sleep_for(100ms);
      std::cout << "[kiosk] kiosk screen: " << web->url() << " (open it in Chromium: chromium --kiosk " << web->url()
                << ")\n" << std::flush;
    });
  }
  const auto started = clock.now();
  runner.run(static_cast<int>(cards.size()));

  int completed = 0;
  for (const auto& r : journal.since(started)) {
    if (r.event == "reception-completed") ++completed;
  }
  national.service->stop();
  std::cout << "[sim] " << cards.size() << " patient(s); journal: " << world.journal.string()
            << "; result files: " << world.outbox.string() << "\n";
  return completed >= static_cast<int>(cards.size()) ? 0 : 3;
}

}  // namespace kiosk::firmware
