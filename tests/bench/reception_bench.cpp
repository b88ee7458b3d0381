// The machine time of a whole reception and the kiosk screen's response to a touch (issue 5).
//
//   reception_bench [--receptions N] [--touches N] [--world DIR]
//
// 1. PIN receptions on the simulator, in process: the firmware's ReceptionRunner with the
//    simulated reader and JPKI card (the demo card taro, PIN 1234) and the simulated eligibility
//    service over mutual TLS on loopback. The patient answers each screen the moment it appears
//    (no think time): method PIN, the PIN, consent, electronic prescription, OK, card taken away.
//    Per reception: card placed -> result screen, and card placed -> back to idle; the time in
//    card APDUs (of which the card's signature, COMPUTE DIGITAL SIGNATURE) and in the service
//    (HTTPS exchanges), measured by wrapping the reader service and the transport.
// 2. Screen response to a touch: WebFrontend on loopback fed into a ReceptionMachine (the
//    runner's wiring): an HTTP POST /input of a touch until the SSE event with the next screen
//    has arrived at the client.
// Prints median / p90 / max. A program that prints figures, not a timed test.
#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <httplib.h>

#include "core/reception/reception_machine.hpp"
#include "core/reception/reception_runner.hpp"
#include "firmware/screen/web_frontend.hpp"
#include "sim/board/simulated_board.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/world/demo_world.hpp"
#include "tests/unit/firmware/screen/web_test_support.hpp"

using namespace kiosk;
namespace rx = kiosk::core::reception;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr std::uint8_t kComputeDigitalSignature = 0x2A;

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Stats {
  double median = 0, p90 = 0, max = 0, mean = 0;
};
Stats stats(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.median = v[v.size() / 2];
  s.p90 = v[std::min(v.size() - 1, (v.size() * 9) / 10)];
  s.max = v.back();
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  return s;
}

void print(const char* what, const std::vector<double>& v) {
  const Stats s = stats(v);
  std::printf("  %-44s median %8.1f ms   p90 %8.1f ms   max %8.1f ms\n", what, s.median, s.p90, s.max);
}

// Time spent in the devices and the service (nanoseconds; any thread).
struct Spent {
  std::atomic<std::int64_t> apdu{0};
  std::atomic<std::int64_t> signature{0};
  std::atomic<std::int64_t> service{0};
  std::atomic<int> apdus{0};
  std::atomic<int> exchanges{0};
};

std::int64_t ns(Clock::duration d) { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }

class TimedChannel final : public hal::CardChannel {
 public:
  TimedChannel(std::unique_ptr<hal::CardChannel> inner, Spent& spent) : inner_(std::move(inner)), spent_(spent) {}
  Bytes transmit(ByteView command) override {
    const auto start = Clock::now();
    Bytes response = inner_->transmit(command);
    const auto took = ns(Clock::now() - start);
    spent_.apdu += took;
    ++spent_.apdus;
    if (command.size() > 1 && command[1] == kComputeDigitalSignature) spent_.signature += took;
    return response;
  }
  Bytes atr() const override { return inner_->atr(); }
  void reset() override { inner_->reset(); }
  const std::string& reader_name() const override { return inner_->reader_name(); }
  std::unique_ptr<hal::CardHold> hold() override { return inner_->hold(); }

 private:
  std::unique_ptr<hal::CardChannel> inner_;
  Spent& spent_;
};

class TimedReaders final : public hal::CardReaderService {
 public:
  TimedReaders(std::unique_ptr<hal::CardReaderService> inner, Spent& spent) : inner_(std::move(inner)), spent_(spent) {}
  std::vector<std::string> list_readers() override { return inner_->list_readers(); }
  std::vector<hal::ReaderStatus> status() override { return inner_->status(); }
  std::vector<hal::ReaderEvent> wait_for_events(std::chrono::milliseconds timeout) override {
    return inner_->wait_for_events(timeout);
  }
  std::unique_ptr<hal::CardChannel> connect(const std::string& reader) override {
    const auto start = Clock::now();
    auto channel = std::make_unique<TimedChannel>(inner_->connect(reader), spent_);
    spent_.apdu += ns(Clock::now() - start);
    return channel;
  }
  void cancel() override { inner_->cancel(); }

 private:
  std::unique_ptr<hal::CardReaderService> inner_;
  Spent& spent_;
};

class TimedTransport final : public hal::HttpsTransport {
 public:
  TimedTransport(std::unique_ptr<hal::HttpsTransport> inner, Spent& spent) : inner_(std::move(inner)), spent_(spent) {}
  hal::HttpResponse send(const hal::HttpRequest& request) override {
    const auto start = Clock::now();
    hal::HttpResponse response = inner_->send(request);
    spent_.service += ns(Clock::now() - start);
    ++spent_.exchanges;
    return response;
  }
  std::string endpoint() const override { return inner_->endpoint(); }

 private:
  std::unique_ptr<hal::HttpsTransport> inner_;
  Spent& spent_;
};

// The patient with no think time: answers every screen at once, takes the card when asked and
// places it again for the next reception. Times each reception.
class InstantPatient final : public core::reception::Frontend {
 public:
  InstantPatient(sim::world::CardField& field, std::filesystem::path card, Spent& spent, int receptions)
      : field_(field), card_(std::move(card)), spent_(spent), left_(receptions) {}

  void start(core::reception::EventSink sink) override {
    sink_ = std::move(sink);
    place();
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
        to_result_.push_back(ms(Clock::now() - placed_));
        apdu_.push_back(static_cast<double>(spent_.apdu - at_start_.apdu) / 1e6);
        signature_.push_back(static_cast<double>(spent_.signature - at_start_.signature) / 1e6);
        service_.push_back(static_cast<double>(spent_.service - at_start_.service) / 1e6);
        if (!s.validity || *s.validity != core::eligibility::QualificationValidity::Valid) ++failed_;
        return sink_(rx::Acknowledged{});
      case Step::Notice:
        ++failed_;
        return sink_(rx::Acknowledged{});
      case Step::RemoveCard:
        // From the runner's thread: the reader event comes back through the card watcher.
        return field_.remove();
      case Step::Idle:
        if (in_session_) {  // not the idle screen the kiosk starts with
          to_idle_.push_back(ms(Clock::now() - placed_));
          in_session_ = false;
          if (--left_ > 0) place();
        }
        return;
      default:
        in_session_ = true;
        return;
    }
  }

  std::vector<double> to_result_, to_idle_, apdu_, signature_, service_;
  int failed_ = 0;

 private:
  struct Snapshot {
    std::int64_t apdu = 0, signature = 0, service = 0;
  };
  void place() {
    auto card = sim::card::JpkiCard::load(card_);
    at_start_ = {spent_.apdu.load(), spent_.signature.load(), spent_.service.load()};
    placed_ = Clock::now();
    field_.place(std::move(card));
  }

  sim::world::CardField& field_;
  std::filesystem::path card_;
  Spent& spent_;
  int left_;
  core::reception::EventSink sink_;
  Clock::time_point placed_{};
  bool in_session_ = false;
  Snapshot at_start_;
};

int reception_figures(const std::filesystem::path& world_dir, int receptions) {
  std::ostringstream log;
  const sim::world::DemoWorld world = sim::world::ensure_demo_world(world_dir, world_dir / "no-faces", log);
  const auto taro = std::find_if(world.cards.begin(), world.cards.end(),
                                 [](const sim::world::DemoCard& c) { return c.file.filename().string().find("taro") != std::string::npos; });
  if (taro == world.cards.end()) {
    std::cerr << "reception_bench: the demo world has no card of taro\n";
    return 1;
  }
  sim::board::SimulatedBoardOptions options;
  options.face = false;
  options.work_dir = world_dir / "bench";
  options.terminal_id = "BENCH-KIOSK";
  sim::board::SimulatedBoard kiosk = sim::board::simulated_board(world, {}, options);
  // The time spent in the card and in the service: the board's reader and line, wrapped.
  Spent spent;
  kiosk.board.readers = std::make_unique<TimedReaders>(std::move(kiosk.board.readers), spent);
  kiosk.board.eligibility = std::make_unique<TimedTransport>(std::move(kiosk.board.eligibility), spent);
  InstantPatient patient(*kiosk.field, taro->file, spent, receptions);
  core::reception::ReceptionRunner runner(kiosk.board, patient);
  const auto started = Clock::now();
  runner.run(receptions);
  const double wall = ms(Clock::now() - started);

  const Stats result = stats(patient.to_result_);
  const double apdu = stats(patient.apdu_).mean, signature = stats(patient.signature_).mean,
               service_ms = stats(patient.service_).mean;
  std::printf("PIN reception on the simulator, machine time (no think time), %zu receptions, %d not valid/failed, %.1f s in all:\n",
              patient.to_result_.size(), patient.failed_, wall / 1000);
  print("card placed -> result screen", patient.to_result_);
  print("card placed -> idle again (card taken away)", patient.to_idle_);
  print("  of which card APDUs (incl. signature)", patient.apdu_);
  print("  of which the card's signature", patient.signature_);
  print("  of which the eligibility service (HTTPS)", patient.service_);
  std::printf("  share of the mean time to the result (%.1f ms): card APDUs %.0f %% (signature %.0f %%), service %.0f %%, "
              "the rest %.0f %% (reader event, certificate checks, machine, result file, journal)\n",
              result.mean, 100 * apdu / result.mean, 100 * signature / result.mean, 100 * service_ms / result.mean,
              100 * (result.mean - apdu - service_ms) / result.mean);
  const double done = static_cast<double>(std::max<std::size_t>(1, patient.to_result_.size()));
  std::printf("  per reception: %.0f APDUs, %.0f HTTPS exchanges\n", spent.apdus / done, spent.exchanges / done);
  return patient.failed_ == 0 && static_cast<int>(patient.to_result_.size()) == receptions ? 0 : 1;
}

// A patient who takes `think` to choose face on the method screen, then answers at once. Times
// the face path as the patient meets it: face chosen -> the screen after the face attempt
// (consent when matched), which includes reading 照合番号B from the card's printed face when it
// was not read while the patient chose.
class FacePatient final : public core::reception::Frontend {
 public:
  FacePatient(sim::board::SimulatedBoard& kiosk, std::filesystem::path card, std::chrono::milliseconds think, int receptions)
      : kiosk_(kiosk), card_(std::move(card)), think_(think), left_(receptions) {}
  ~FacePatient() override {
    if (chooser_.joinable()) chooser_.join();
  }

  void start(core::reception::EventSink sink) override {
    sink_ = std::move(sink);
    kiosk_.place_card(card_);
  }
  void stop() override {}
  void show(const rx::Screen& s) override {
    using rx::Step;
    if (awaiting_decision_ && s.step != Step::FaceCapture && s.step != Step::MethodChoice) {
      // Matched: the kiosk goes on to confirm with the service; anything else is not a match.
      awaiting_decision_ = false;
      to_decision_.push_back(ms(Clock::now() - chosen_));
      if (s.step != Step::Confirming && s.step != Step::Consent) ++not_matched_;
    }
    if (s.step == Step::FaceCapture) kiosk_.camera->read_guidance(s.guidance);  // turns the head when asked
    switch (s.step) {
      case Step::MethodChoice:
        if (chooser_.joinable()) chooser_.join();
        chooser_ = std::thread([this] {
          std::this_thread::sleep_for(think_);
          chosen_ = Clock::now();
          awaiting_decision_ = true;
          sink_(rx::MethodChosen{rx::Method::Face});
        });
        return;
      case Step::PinEntry: return sink_(rx::PinTyped{core::card::Secret("1234")});
      case Step::Consent: return sink_(rx::Answered{true});
      case Step::Prescription: return sink_(rx::PrescriptionChosen{core::eligibility::PrescriptionIssue::Electronic});
      case Step::Result:
      case Step::Notice: return sink_(rx::Acknowledged{});
      case Step::RemoveCard: return kiosk_.field->remove();
      case Step::Idle:
        if (in_session_) {
          in_session_ = false;
          if (--left_ > 0) kiosk_.place_card(card_);
        }
        return;
      default:
        in_session_ = true;
        return;
    }
  }

  std::vector<double> to_decision_;
  int not_matched_ = 0;

 private:
  sim::board::SimulatedBoard& kiosk_;
  std::filesystem::path card_;
  std::chrono::milliseconds think_;
  int left_;
  core::reception::EventSink sink_;
  std::thread chooser_;
  std::atomic<bool> awaiting_decision_{false};
  Clock::time_point chosen_{};
  bool in_session_ = false;
};

int face_figures(const std::filesystem::path& world_dir, const std::filesystem::path& faces, int receptions,
                 std::chrono::milliseconds think) {
  if (!std::filesystem::is_directory(faces / "models")) {
    std::printf("Face reception: skipped (%s has no models)\n", faces.c_str());
    return 0;
  }
  std::ostringstream log;
  const sim::world::DemoWorld world = sim::world::ensure_demo_world(world_dir / "faces", faces, log);
  const auto holder = std::find_if(world.cards.begin(), world.cards.end(),
                                   [](const sim::world::DemoCard& c) { return c.live_face.has_value(); });
  if (holder == world.cards.end()) {
    std::cerr << "reception_bench: the demo world has no card holder with a face\n";
    return 1;
  }
  std::printf("Face reception on the simulator (the holder before the camera, %lld ms to choose face), %d receptions each:\n",
              static_cast<long long>(think.count()), receptions);
  int status = 0;
  for (const auto prescan : {4000ms, 0ms}) {
    sim::board::SimulatedBoardOptions options;
    options.faces_dir = faces;
    options.work_dir = world_dir / "bench-face";
    options.terminal_id = "BENCH-KIOSK";
    std::filesystem::remove_all(options.work_dir);
    sim::board::SimulatedBoard kiosk = sim::board::simulated_board(world, {}, options);
    kiosk.camera->show(*holder->live_face);
    FacePatient patient(kiosk, holder->file, think, receptions);
    core::reception::RunnerOptions runner_options;
    runner_options.surface_prescan = prescan;
    core::reception::ReceptionRunner runner(kiosk.board, patient, core::reception::Policy{}, runner_options);
    runner.run(receptions);
    print(prescan > 0ms ? "face chosen -> decision, 照合番号B read while choosing"
                        : "face chosen -> decision, 照合番号B read after the choice",
          patient.to_decision_);
    if (patient.not_matched_ > 0) {
      std::printf("    %d of %zu attempts did not match\n", patient.not_matched_, patient.to_decision_.size());
      status = 1;
    }
  }
  return status;
}

// The machine behind the kiosk screen, wired as the runner wires it (Show -> frontend).
class ScreenMachine {
 public:
  explicit ScreenMachine(firmware::screen::WebFrontend& frontend) : frontend_(frontend) {}
  void feed(rx::Event e) {
    const std::lock_guard lock(mutex_);
    for (auto& c : machine_.handle(std::move(e), Clock::now())) {
      if (const auto* show = std::get_if<rx::Show>(&c)) frontend_.show(show->screen);
    }
  }

 private:
  std::mutex mutex_;
  rx::ReceptionMachine machine_;
  firmware::screen::WebFrontend& frontend_;
};

int touch_figures(int touches) {
  firmware::screen::WebFrontendConfig config;
  firmware::screen::WebFrontend frontend(config);
  ScreenMachine machine(frontend);
  frontend.start([&](rx::Event e) { machine.feed(std::move(e)); });
  test::SseClient events(frontend.port());
  if (!events.next_of("idle")) {
    std::cerr << "reception_bench: no screen from the kiosk screen's event stream\n";
    return 1;
  }
  httplib::Client http("127.0.0.1", frontend.port());
  http.set_keep_alive(true);
  http.set_tcp_nodelay(true);  // as browsers do: the body is not held back for the headers' ACK
  std::vector<double> method, cancel;
  rx::CardRead card;
  card.pin = {core::card::RetryStatus::State::Ready, 3};
  auto touch = [&](const std::string& body, const std::string& next, std::vector<double>& out) {
    const auto start = Clock::now();
    const auto r = http.Post("/input", body, "application/json");
    if (!r || r->status != 200) return false;
    if (!events.next_of(next)) return false;
    out.push_back(ms(Clock::now() - start));
    return true;
  };
  for (int i = 0; i < touches / 2; ++i) {
    machine.feed(rx::CardPlaced{});
    machine.feed(rx::CardRead{card});
    if (!events.next_of("method-choice")) return 1;
    if (!touch(R"({"type":"method","value":"pin"})", "pin-entry", method)) return 1;
    if (!touch(R"({"type":"cancel"})", "notice", cancel)) return 1;  // K153: not finished, the counter
    machine.feed(rx::CardRemoved{});
    if (!events.next_of("idle")) return 1;
  }
  std::vector<double> all = method;
  all.insert(all.end(), cancel.begin(), cancel.end());
  std::printf("Kiosk screen, touch -> next screen (HTTP POST /input until the SSE event with the new screen), %zu touches:\n",
              all.size());
  print("all touches", all);
  print("method choice -> PIN entry", method);
  print("cancel -> not finished (K153)", cancel);
  events.close();
  frontend.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"reception_bench: machine time of a PIN reception on the simulator, and screen response to a touch"};
  int receptions = 30;
  int touches = 200;
  int face_receptions = 6;
  int think_ms = 1500;
  std::string world = (std::filesystem::temp_directory_path() / "kiosk-reception-bench").string();
  const char* faces_env = std::getenv("KIOSK_FACES_DIR");
  std::string faces = faces_env != nullptr ? faces_env : (std::filesystem::path(KIOSK_SOURCE_DIR) / ".." / "shared" / "faces").string();
  app.add_option("--receptions", receptions, "PIN receptions to time")->capture_default_str()->check(CLI::Range(1, 10000));
  app.add_option("--touches", touches, "Touches to time on the kiosk screen")->capture_default_str()->check(CLI::Range(2, 100000));
  app.add_option("--world", world, "Directory of the simulated world (made on first use)")->capture_default_str();
  app.add_option("--face-receptions", face_receptions, "Face receptions to time, with and without the surface pre-scan (0: none)")
      ->capture_default_str()->check(CLI::Range(0, 1000));
  app.add_option("--think", think_ms, "Milliseconds the patient takes to choose face")->capture_default_str()->check(CLI::Range(0, 60000));
  app.add_option("--faces", faces, "Face set (models) for the face receptions ($KIOSK_FACES_DIR)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    const int a = reception_figures(world, receptions);
    const int b = touch_figures(touches);
    const int c = face_receptions > 0 ? face_figures(world, faces, face_receptions, std::chrono::milliseconds(think_ms)) : 0;
    return a != 0 ? a : b != 0 ? b : c;
  } catch (const std::exception& e) {
    std::cerr << "reception_bench: " << e.what() << "\n";
    return 1;
  }
}
