#include "firmware/kiosk/scenario_player.hpp"

#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "core/eligibility/client.hpp"
#include "core/eligibility/result_file.hpp"
#include "core/face/face_error.hpp"
#include "core/face/face_verifier.hpp"
#include "core/journal/journal.hpp"
#include "drivers/https/https_client_transport.hpp"
#include "drivers/https/terminal_key_signer.hpp"
#include "firmware/kiosk/patient_camera.hpp"
#include "firmware/kiosk/reception_runner.hpp"
#include "hal/mynumber_card.hpp"
#include "sim/camera/simulated_card_surface_scanner.hpp"
#include "sim/card/faulty_card.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/card/recording_card.hpp"
#include "sim/clock/virtual_clock.hpp"
#include "sim/eligibility/fixture.hpp"
#include "sim/eligibility/service.hpp"

namespace kiosk::firmware {

reception::Event staff_visual_check_mode_event(bool enabled, const std::string& staff_id) {
  return reception::StaffVisualCheckMode{enabled, staff_id};
}

namespace {

using namespace std::chrono_literals;
namespace rx = reception;
namespace sc = sim::scenario;
using Clock = std::chrono::steady_clock;

constexpr std::uint8_t kAuthPinReference = 0x80 | mynumber::jpki::kAuthPin;  // P2 of VERIFY of the auth PIN

std::string validity_name(eligibility::QualificationValidity v) {
  switch (v) {
    case eligibility::QualificationValidity::Valid: return "valid";
    case eligibility::QualificationValidity::Invalid: return "invalid";
    case eligibility::QualificationValidity::InvalidNewerQualification: return "invalid-newer-qualification";
    case eligibility::QualificationValidity::NoQualification: return "no-qualification";
    case eligibility::QualificationValidity::MultipleMatches: return "multiple-matches";
    case eligibility::QualificationValidity::ValidUnregistered: return "valid-unregistered";
  }
  return "unknown";
}

std::string seconds_text(std::chrono::microseconds t) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%8.3f s", static_cast<double>(t.count()) / 1e6);
  return buffer;
}

// The transcript, in virtual time; echoed live when asked.
class Transcript {
 public:
  Transcript(const sim::VirtualClock& clock, std::ostream* live) : clock_(clock), live_(live) {}
  void add(const std::string& who, const std::string& what) {
    const std::string line = "[" + seconds_text(clock_.elapsed()) + "] " + who + ": " + what;
    std::lock_guard lock(mutex_);
    lines_.push_back(line);
    if (live_ != nullptr) *live_ << line << "\n" << std::flush;
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  std::string tail(std::size_t n) const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (std::size_t i = lines_.size() > n ? lines_.size() - n : 0; i < lines_.size(); ++i) out += "\n    " + lines_[i];
    return out;
  }

 private:
  const sim::VirtualClock& clock_;
  std::ostream* live_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

std::string describe(const rx::Screen& s, const nlohmann::json& texts) {
  std::string out = rx::to_string(s.step);
  const auto info = rx::info(s.message);
  if (info.code[0] != '\0') {
    out += std::string("  【") + info.code + "】 " + info.key;
    const auto text = texts.is_object() ? texts.find(info.key) : texts.end();
    if (text != texts.end() && text->is_string()) out += " \"" + text->get<std::string>() + "\"";
  }
  if (!s.methods.empty()) {
    out += "  methods:";
    for (auto m : s.methods) out += std::string(" ") + rx::to_string(m);
  }
  if (s.tries_left >= 0) out += "  tries left: " + std::to_string(s.tries_left);
  if (!s.guidance.empty()) out += "  guidance: " + s.guidance;
  if (s.validity) {
    out += "  result: " + validity_name(*s.validity);
    if (!s.insurer_name.empty()) out += ", " + s.insurer_name;
    if (!s.contribution_ratio.empty()) out += ", ratio " + s.contribution_ratio;
  }
  if (!s.service_message.empty()) out += "  service: " + s.service_message;
  return out;
}

// The kiosk screen as the scenario sees it: every screen is recorded; the patient's input
// goes to the runner through the sink it was given.
class ScenarioFrontend final : public Frontend {
 public:
  ScenarioFrontend(Transcript& transcript, const sim::VirtualClock& clock, const nlohmann::json& texts)
      : transcript_(transcript), clock_(clock), texts_(texts) {}
  void start(EventSink sink) override {
    std::lock_guard lock(mutex_);
    sink_ = std::move(sink);
  }
  void stop() override {}
  void show(const rx::Screen& s) override {
    transcript_.add("screen ", describe(s, texts_));
    std::lock_guard lock(mutex_);
    current_ = s;
    seen_.push_back(rx::to_string(s.step));
    if (reception_start_ && (s.step == rx::Step::Result || s.step == rx::Step::Notice)) {
      receptions_.push_back(static_cast<double>((clock_.elapsed() - *reception_start_).count()) / 1e6);
      reception_start_.reset();
    }
  }
  void input(rx::Event e) {
    EventSink sink;
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
  rx::Screen current() const {
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

 private:
  Transcript& transcript_;
  const sim::VirtualClock& clock_;
  const nlohmann::json& texts_;
  mutable std::mutex mutex_;
  EventSink sink_;
  rx::Screen current_;
  std::vector<std::string> seen_;
  std::optional<std::chrono::microseconds> reception_start_;
  std::vector<double> receptions_;
};

// The line to the eligibility service: real mutual TLS to the simulated service, plus the
// timing model (virtual latency per exchange) and the line faults (down, slow, a server with a
// certificate of another CA).
class ScenarioTransport final : public hal::HttpsTransport {
 public:
  ScenarioTransport(drivers::HttpsTransportConfig good, drivers::HttpsTransportConfig wrong, sim::VirtualClock& clock,
                    std::chrono::milliseconds latency)
      : good_(std::move(good)), wrong_(std::move(wrong)), clock_(clock), latency_(latency) {}

  hal::HttpResponse send(const hal::HttpRequest& request) override {
    const auto latency = latency_ + extra_.load();
    if (down_.load()) {
      clock_.advance(latency_);
      throw hal::TransportError(hal::TransportErrorKind::ConnectionRefused, "simulated: the eligibility service is down");
    }
    if (latency >= request.timeout) {
      clock_.advance(request.timeout);
      throw hal::TransportError(hal::TransportErrorKind::Timeout,
                                "simulated: no answer within " + std::to_string(request.timeout.count()) + " ms");
    }
    clock_.advance(latency);
    return wrong_certificate_.load() ? wrong_.send(request) : good_.send(request);
  }
  std::string endpoint() const override { return good_.endpoint(); }

  std::atomic<bool> down_{false};
  std::atomic<bool> wrong_certificate_{false};
  std::atomic<std::chrono::milliseconds> extra_{0ms};

 private:
  drivers::HttpsClientTransport good_;
  drivers::HttpsClientTransport wrong_;
  sim::VirtualClock& clock_;
  std::chrono::milliseconds latency_;
};

struct PlayedCard {
  std::string name;
  sim::CardProfile profile;
  std::shared_ptr<sim::JpkiCard> emulator;  // null for a foreign card
  std::shared_ptr<sim::FaultyCard> faulty;
  std::shared_ptr<sim::RecordingCard> recorded;
  std::optional<std::filesystem::path> live_face;
};

}  // namespace

class Player {
 public:
  Player(const sc::Scenario& s, const PlayerOptions& o)
      : scenario_(s), options_(o), world_(*o.world), clock_(std::chrono::system_clock::now()),
        transcript_(clock_, o.live), frontend_(transcript_, clock_, o.texts) {}

  sc::ScenarioResult play();

  // Step by step (the console): start() sets the world up and starts the reception (false when
  // the scenario cannot run here: result().skip_reason says why); run() plays one step and
  // returns the failures it caused; finish() stops and reports.
  bool start();
  std::vector<std::string> run(const sc::StepEntry& entry);
  sc::ScenarioResult finish();
  rx::Screen screen() const { return frontend_.current(); }
  const sc::ScenarioResult& result() const { return result_; }
  std::size_t transcript_size() const { return transcript_.lines().size(); }
  std::vector<std::string> transcript_since(std::size_t n) const {
    auto lines = transcript_.lines();
    return {lines.begin() + static_cast<std::ptrdiff_t>(std::min(n, lines.size())), lines.end()};
  }

 private:
  void setup();
  void make_cards();
  void run_step(std::size_t index, const sc::StepEntry& entry);
  void apply(const sc::Fault& f);
  sc::Observed observe();
  bool settle();
  void wait_for_card_event(std::uint64_t activity_before);
  void fail(const std::string& what) { result_.failures.push_back(what); }
  void check_trace();
  std::vector<sim::TracedApdu> all_apdus() const;
  int auth_pin_verifies() const;

  const sc::Scenario& scenario_;
  const PlayerOptions& options_;
  const DemoWorld& world_;
  sim::VirtualClock clock_;
  Transcript transcript_;
  ScenarioFrontend frontend_;
  sc::ScenarioResult result_;

  crypto::TrustStore trust_;
  std::optional<core::genuine_card::CardFaceTrustAnchors> card_face_anchors_;
  std::optional<sim::eligibility::SimulatedEligibilityService> service_;
  sim::eligibility::Faults service_faults_;
  std::optional<ScenarioTransport> transport_;
  std::optional<eligibility::EligibilityClient> client_;
  std::optional<drivers::TerminalKeySigner> terminal_;
  std::optional<eligibility::ResultFileWriter> results_;
  std::optional<journal::Journal> journal_;
  std::optional<face::FaceVerifier> verifier_;
  std::optional<PatientCamera> camera_;
  std::optional<sim::SimulatedCardSurfaceScanner> scanner_;
  std::unique_ptr<CardField> field_;  // outlives the runner, which watches it
  std::map<std::string, PlayedCard> cards_;
  std::string on_reader_;
  bool explicit_face_ = false;
  int pins_typed_ = 0;
  std::unique_ptr<ReceptionRunner> runner_;
  std::thread reception_;
  std::mutex crash_mutex_;
  std::string crashed_;
  bool hung_ = false;
  std::size_t steps_run_ = 0;
  Clock::time_point wall_start_;
};

void Player::make_cards() {
  const sc::Timing timing = scenario_.timing;
  for (const auto& [name, spec] : scenario_.cards) {
    PlayedCard c;
    c.name = name;
    std::shared_ptr<sim::VirtualCard> base;
    if (spec.foreign) {
      base = std::make_shared<sim::ForeignCard>();
    } else {
      const auto it = world_.named.find(spec.world_card);
      if (it == world_.named.end()) throw sc::ScenarioError("cards." + name + ": the world has no card '" + spec.world_card + "'");
      c.profile = sim::CardProfile::load(it->second.file);
      if (spec.tries_left) c.profile.auth.pin.tries_left = *spec.tries_left;
      c.live_face = it->second.live_face;
      c.emulator = std::make_shared<sim::JpkiCard>(c.profile);
      base = c.emulator;
    }
    c.faulty = std::make_shared<sim::FaultyCard>(base);
    if (spec.atr) c.faulty->set_atr(from_hex(*spec.atr));
    // Transmission time: the contactless bit rate and a turnaround per APDU; the RSA signature.
    c.recorded = std::make_shared<sim::RecordingCard>(c.faulty, [this, timing](ByteView command, ByteView response) {
      const double bits = static_cast<double>(command.size() + response.size()) * 8.0;
      auto cost = std::chrono::microseconds(static_cast<long long>(bits / timing.bit_rate_kbps * 1000.0)) +
                  std::chrono::duration_cast<std::chrono::microseconds>(timing.apdu_latency);
      if (command.size() > 1 && command[1] == 0x2A) cost += timing.rsa_signing;  // PERFORM SECURITY OPERATION
      clock_.advance(cost);
    });
    cards_.emplace(name, std::move(c));
  }
}

void Player::setup() {
  make_cards();
  if (options_.pcsc) {
    field_ = std::make_unique<PcscCardField>(*options_.pcsc);
  } else {
    field_ = std::make_unique<InProcessCardField>();
  }
  trust_.add_directory(world_.ca_dir);
  card_face_anchors_.emplace(
      core::genuine_card::CardFaceTrustAnchors::load(world_.ca_dir / core::genuine_card::CardFaceTrustAnchors::kFileName));
  const auto fixture = sim::eligibility::Fixture::load(world_.fixture);
  auto service_options = sim::eligibility::options_for_directory(world_.service_dir, fixture);
  service_options.database = ":memory:";  // each scenario starts from the fixture; nothing shared between runs
  service_options.log = [](const std::string& line) { std::cerr << "[service] " << line << "\n"; };
  service_.emplace(std::move(service_options), fixture);
  service_->start();
  drivers::HttpsTransportConfig good;
  good.port = service_->port();
  good.ca_certificate = world_.service_dir / "service-ca.pem";
  good.client_certificate = world_.service_dir / "terminal.pem";
  good.client_key = world_.service_dir / "terminal.key";
  drivers::HttpsTransportConfig wrong = good;
  wrong.ca_certificate = world_.other_service_dir / "service-ca.pem";
  transport_.emplace(good, wrong, clock_, scenario_.timing.service_latency);
  client_.emplace(*transport_, clock_);
  terminal_.emplace(drivers::TerminalKeySigner::from_pem_file(good.client_key));
  std::filesystem::create_directories(options_.work_dir / "outbox");
  results_.emplace(options_.work_dir / "outbox");
  journal_.emplace(journal::Journal::open(options_.work_dir / "journal.sqlite", "SIM-KIOSK-QA"));

  ReceptionServices services;
  services.readers = &field_->readers();
  services.reader = field_->reader();
  services.clock = &clock_;
  services.trust = &trust_;
  services.eligibility = &*client_;
  services.terminal = &*terminal_;
  services.results = &*results_;
  services.journal = &*journal_;
  if (scenario_.face) {
    face::FaceConfig config;
    config.model_dir = options_.faces_dir;
    verifier_.emplace(config);  // FaceError when the models are missing: the scenario is skipped
    const sc::Timing timing = scenario_.timing;
    bool first = true;
    camera_.emplace(sim::Pacing::Simulated, [this, timing, first]() mutable {
      if (first) clock_.advance(timing.camera_exposure);
      first = false;
      clock_.advance(std::chrono::microseconds(static_cast<long long>(1e6 / timing.camera_fps)));
    }, scenario_.seed);
    scanner_.emplace(cards_.begin()->second.profile);
    services.face = &*verifier_;
    services.camera = &*camera_;
    services.scanner = &*scanner_;
    services.card_face_anchors = &*card_face_anchors_;
  }
  RunnerOptions runner_options;
  runner_options.tick_interval = 0ms;  // time moves only when the scenario says so
  runner_ = std::make_unique<ReceptionRunner>(services, frontend_, rx::Policy{}, runner_options);
}

bool Player::settle() {
  const auto limit = Clock::now() + options_.settle_limit;
  int stable = 0;
  std::uint64_t last = 0;
  while (Clock::now() < limit) {
    if (!field_->events_pending() && runner_->settled()) {
      const std::uint64_t a = runner_->activity();
      stable = (stable > 0 && a == last) ? stable + 1 : 1;
      last = a;
      if (stable >= 3) return true;
    } else {
      stable = 0;
    }
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

// The card watcher hands a reader event to the runner on its own thread: until the runner has
// handled it, the step is not over (settle() alone could run ahead of a descheduled watcher).
void Player::wait_for_card_event(std::uint64_t activity_before) {
  const auto limit = Clock::now() + 2s;
  while (runner_->activity() == activity_before && Clock::now() < limit) std::this_thread::sleep_for(200us);
}

std::vector<sim::TracedApdu> Player::all_apdus() const {
  std::vector<sim::TracedApdu> out;
  for (const auto& [name, c] : cards_) {
    auto t = c.recorded->trace();
    out.insert(out.end(), t.begin(), t.end());
  }
  return out;
}

int Player::auth_pin_verifies() const {
  int n = 0;
  for (const auto& a : all_apdus()) {
    if (sim::is_verify_with_data(a) && a.command[3] == kAuthPinReference) ++n;
  }
  return n;
}

sc::Observed Player::observe() {
  sc::Observed o;
  const rx::Screen s = frontend_.current();
  o.screen = rx::to_string(s.step);
  o.message = rx::info(s.message).code;
  for (auto m : s.methods) o.methods.push_back(rx::to_string(m));
  o.tries_left = s.tries_left;
  if (s.validity) o.validity = validity_name(*s.validity);
  o.service_message = s.service_message;
  for (const auto& [name, c] : cards_) {
    if (c.emulator) o.card_tries_left[name] = c.emulator->profile().auth.pin.tries_left;
  }
  for (const auto& r : journal_->since({})) {
    if (r.kind == "reception" || r.kind == "staff") o.journal.push_back(r.event);
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(options_.work_dir / "outbox", ec)) {
    if (e.path().extension() == ".xml") ++o.result_files;
  }
  o.verify_count = auth_pin_verifies();
  o.screens_since_last_expect = frontend_.take_seen();
  return o;
}

// Who does a step, for the transcript.
static const char* actor(const sc::Step& step) {
  if (std::holds_alternative<sc::Fault>(step)) return "fault  ";
  if (std::holds_alternative<sc::Wait>(step)) return "time   ";
  if (std::holds_alternative<sc::StaffVisualCheck>(step) || std::holds_alternative<sc::StaffVisualCheckMode>(step)) {
    return "staff  ";
  }
  return "patient";
}

static sim::Presentation presentation(const std::string& name) {
  if (name == "printed-photo") return sim::Presentation::PrintedPhoto;
  if (name == "life-size-photo") return sim::Presentation::LifeSizePhoto;
  if (name == "screen-replay") return sim::Presentation::ScreenReplay;
  return sim::Presentation::Live;
}

void Player::apply(const sc::Fault& f) {
  if (f.target == "card") {
    std::string name = !f.card.empty() ? f.card : on_reader_;
    if (name.empty() && cards_.size() == 1) name = cards_.begin()->first;
    const auto found = cards_.find(name);
    if (found == cards_.end()) throw sc::ScenarioError("a card fault needs a card: name it with \"card\"");
    PlayedCard& card = found->second;
    sim::ResponseFault fault;
    fault.command_prefix = from_hex(f.command);
    fault.times = f.times;
    if (f.kind == "pull-on") {
      fault.before = [this] {
        field_->pull_mid_command();
        transcript_.add("patient", "pulls the card out in the middle of a command");
      };
    } else if (f.kind == "truncate") {
      fault.keep = f.keep;
    } else if (f.kind == "garbage") {
      fault.replace = from_hex(f.replace);
    } else {  // mute: no answer at all
      fault.replace = Bytes{};
    }
    card.faulty->add_fault(std::move(fault));
  } else if (f.target == "reader") {
    if (f.kind == "unplug") {
      field_->set_reader_attached(false);
      on_reader_.clear();
    } else {
      field_->set_reader_attached(true);
    }
  } else if (f.target == "pcscd") {
    field_->set_service_running(f.kind == "start");
  } else if (f.target == "camera") {
    if (camera_) camera_->lose();
  } else {
    using Reply = sim::eligibility::Faults::Reply;
    transport_->down_ = f.kind == "down";
    transport_->wrong_certificate_ = f.kind == "wrong-certificate";
    transport_->extra_ = f.kind == "slow" ? f.delay : 0ms;
    sim::eligibility::Faults faults;
    if (f.kind == "500") faults.reply = Reply::InternalError;
    if (f.kind == "503") faults.reply = Reply::Unavailable;
    if (f.kind == "malformed") faults.reply = Reply::MalformedJson;
    if (f.kind == "wrong-content-type") faults.reply = Reply::WrongContentType;
    if (f.kind == "wrong-version") faults.reply = Reply::WrongVersion;
    service_->set_faults(faults);
  }
}

void Player::run_step(std::size_t index, const sc::StepEntry& entry) {
  const std::string label = "step " + std::to_string(index + 1) + " (" + sc::describe(entry.step) + ")";
  if (!entry.note.empty()) transcript_.add("-------", entry.note);
  if (!std::holds_alternative<sc::Expect>(entry.step)) transcript_.add(actor(entry.step), sc::describe(entry.step));
  std::visit(
      [&](const auto& s) {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, sc::PlaceCard>) {
          PlayedCard& card = cards_.at(s.card);
          if (scanner_ && card.emulator) scanner_->place(card.profile);
          if (camera_ && !explicit_face_) camera_->show(card.live_face);
          frontend_.reception_starts();
          const std::uint64_t before = runner_->activity();
          field_->place(card.recorded);
          on_reader_ = s.card;
          wait_for_card_event(before);
        } else if constexpr (std::is_same_v<T, sc::RemoveCard>) {
          const bool present = field_->card_present();
          const std::uint64_t before = runner_->activity();
          field_->remove();
          on_reader_.clear();
          if (present) wait_for_card_event(before);
        } else if constexpr (std::is_same_v<T, sc::ShowFace>) {
          explicit_face_ = true;
          if (!camera_) return;
          if (s.person.empty()) {
            camera_->show(std::nullopt);
            return;
          }
          const auto it = world_.named.find(s.person);
          if (it == world_.named.end() || !it->second.live_face) {
            throw sc::ScenarioError("show_face: no face image of '" + s.person + "' in the world");
          }
          camera_->show(it->second.live_face, presentation(s.presentation));
        } else if constexpr (std::is_same_v<T, sc::Choose>) {
          frontend_.input(rx::MethodChosen{s.method == "face" ? rx::Method::Face
                                           : s.method == "pin" ? rx::Method::Pin
                                                               : rx::Method::Visual});
        } else if constexpr (std::is_same_v<T, sc::TypePin>) {
          ++pins_typed_;
          frontend_.input(rx::PinTyped{card::Secret(s.pin)});
        } else if constexpr (std::is_same_v<T, sc::Answer>) {
          frontend_.input(rx::Answered{s.yes});
        } else if constexpr (std::is_same_v<T, sc::Prescription>) {
          frontend_.input(rx::PrescriptionChosen{s.choice == "electronic" ? eligibility::PrescriptionIssue::Electronic
                                                                           : eligibility::PrescriptionIssue::Paper});
        } else if constexpr (std::is_same_v<T, sc::Acknowledge>) {
          frontend_.input(rx::Acknowledged{});
        } else if constexpr (std::is_same_v<T, sc::Cancel>) {
          frontend_.input(rx::Cancelled{});
        } else if constexpr (std::is_same_v<T, sc::StaffVisualCheckMode>) {
          frontend_.input(staff_visual_check_mode_event(s.enabled, s.staff_id));
        } else if constexpr (std::is_same_v<T, sc::StaffVisualCheck>) {
          frontend_.input(rx::VisualChecked{s.confirmed, s.staff_id});
        } else if constexpr (std::is_same_v<T, sc::Wait>) {
          // Time passes in steps of at most a second; the machine sees each as a Tick.
          auto left = std::chrono::duration_cast<std::chrono::microseconds>(s.duration);
          while (left.count() > 0) {
            const auto step = std::min<std::chrono::microseconds>(left, 1s);
            clock_.advance(step);
            left -= step;
            runner_->post(rx::Tick{});
            if (!settle()) return;
          }
        } else if constexpr (std::is_same_v<T, sc::Fault>) {
          apply(s);
        } else if constexpr (std::is_same_v<T, sc::Expect>) {
          const auto diff = sc::compare(s, observe());
          if (!diff.empty()) {
            std::string text = label + ": expectation not met";
            if (!entry.note.empty()) text += " (" + entry.note + ")";
            for (const auto& d : diff) text += "\n  " + d;
            text += "\n  last lines of the transcript:" + transcript_.tail(8);
            fail(text);
          }
        }
      },
      entry.step);
}

void Player::check_trace() {
  const auto apdus = all_apdus();
  for (const auto& a : apdus) {
    if (sim::selects(a, mynumber::kTextAid)) {
      fail("APDU trace: the kiosk selected the 券面事項入力補助AP (the My Number's application): " + to_hex(a.command));
    }
  }
  const int verifies = auth_pin_verifies();
  if (verifies > pins_typed_) {
    fail("APDU trace: " + std::to_string(verifies) + " VERIFY of the PIN sent, but the patient typed only " +
         std::to_string(pins_typed_) + " PIN(s)");
  }
}

bool Player::start() {
  wall_start_ = Clock::now();
  result_.name = scenario_.name;
  result_.file = scenario_.file.filename().string();
  if (options_.pcsc) {
    for (const auto& entry : scenario_.steps) {
      const auto* f = std::get_if<sc::Fault>(&entry.step);
      if (f != nullptr && (f->target == "reader" || f->target == "pcscd")) {
        result_.skipped = true;
        result_.skip_reason = "a " + f->target + " fault (" + f->kind +
                              ") needs the in-process readers; run it without --pcsc";
        return false;
      }
    }
  }
  try {
    setup();
  } catch (const face::FaceError& e) {
    result_.skipped = true;
    result_.skip_reason = std::string("face authentication is not available here: ") + e.what();
    return false;
  }
  reception_ = std::thread([this] {
    try {
      runner_->run(0);
    } catch (const std::exception& e) {
      std::lock_guard lock(crash_mutex_);
      crashed_ = e.what();
    }
  });
  hung_ = !settle();
  if (hung_) fail("the firmware did not settle after it started (hung?)");
  return true;
}

std::vector<std::string> Player::run(const sc::StepEntry& entry) {
  const std::size_t before = result_.failures.size();
  const std::size_t index = steps_run_++;
  if (hung_) return {"the firmware is hung; no more steps"};
  if (entry.needs_face && !camera_) return {};
  try {
    run_step(index, entry);
  } catch (const std::exception& e) {
    fail("step " + std::to_string(index + 1) + " (" + sc::describe(entry.step) + "): " + e.what());
  }
  if (!settle()) {
    hung_ = true;
    fail("step " + std::to_string(index + 1) + " (" + sc::describe(entry.step) + "): the firmware did not settle within " +
         std::to_string(options_.settle_limit.count() / 1000) + " s of wall time (hung?)" + transcript_.tail(8));
  }
  {
    std::lock_guard lock(crash_mutex_);
    if (!crashed_.empty()) fail("the reception runner stopped with an exception: " + crashed_);
  }
  return {result_.failures.begin() + static_cast<std::ptrdiff_t>(before), result_.failures.end()};
}

sc::ScenarioResult Player::finish() {
  check_trace();
  runner_->stop();
  if (reception_.joinable()) reception_.join();
  runner_.reset();
  client_.reset();
  transport_.reset();  // closes the keep-alive connection, so the service stops at once
  service_->stop();
  result_.passed = result_.failures.empty();
  result_.transcript = transcript_.lines();
  result_.reception_seconds = frontend_.receptions();
  result_.virtual_seconds = static_cast<double>(clock_.elapsed().count()) / 1e6;
  result_.wall_seconds = std::chrono::duration<double>(Clock::now() - wall_start_).count();
  return result_;
}

sc::ScenarioResult Player::play() {
  if (!start()) return result_;
  for (const auto& entry : scenario_.steps) {
    if (hung_ || !result_.failures.empty()) break;
    run(entry);
  }
  return finish();
}

sim::scenario::ScenarioResult play_scenario(const sim::scenario::Scenario& scenario, const PlayerOptions& options) {
  if (options.world == nullptr) throw std::invalid_argument("play_scenario: no world");
  if (scenario.cards.empty()) throw sc::ScenarioError(scenario.file.filename().string() + ": no cards");
  Player player(scenario, options);
  return player.play();
}

ScenarioSession::ScenarioSession(const sim::scenario::Scenario& scenario, const PlayerOptions& options)
    : scenario_(scenario), options_(options) {
  if (options_.world == nullptr) throw std::invalid_argument("ScenarioSession: no world");
  player_ = std::make_unique<Player>(scenario_, options_);
  if (!player_->start()) throw sc::ScenarioError(player_->result().skip_reason);
}

ScenarioSession::~ScenarioSession() {
  if (player_) player_->finish();
}

std::vector<std::string> ScenarioSession::run(const sim::scenario::StepEntry& step) {
  std::lock_guard lock(mutex_);
  const std::size_t mark = player_->transcript_size();
  const auto failures = player_->run(step);
  std::vector<std::string> out = player_->transcript_since(mark);
  for (const auto& f : failures) out.push_back("FAILED " + f);
  return out;
}

std::string ScenarioSession::screen() const {
  std::lock_guard lock(mutex_);
  return describe(player_->screen(), options_.texts);
}

}  // namespace kiosk::firmware
