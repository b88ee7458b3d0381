#include "sim/scenario/scenario_player.hpp"

#include <atomic>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "core/face/face_error.hpp"
#include "core/reception/reception_runner.hpp"
#include "hal/mynumber_card.hpp"
#include "sim/board/simulated_board.hpp"
#include "sim/card/faulty_card.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/card/recording_card.hpp"
#include "sim/clock/virtual_clock.hpp"

namespace kiosk::sim::scenario {

core::reception::Event staff_visual_check_mode_event(bool enabled, const std::string& staff_id) {
  return core::reception::StaffVisualCheckMode{enabled, staff_id};
}

namespace {

using namespace std::chrono_literals;
namespace rx = core::reception;
namespace sc = sim::scenario;
using Clock = std::chrono::steady_clock;

constexpr std::uint8_t kAuthPinReference = 0x80 | hal::mynumber::jpki::kAuthPin;  // P2 of VERIFY of the auth PIN

std::string validity_name(core::eligibility::QualificationValidity v) {
  switch (v) {
    case core::eligibility::QualificationValidity::Valid: return "valid";
    case core::eligibility::QualificationValidity::Invalid: return "invalid";
    case core::eligibility::QualificationValidity::InvalidNewerQualification: return "invalid-newer-qualification";
    case core::eligibility::QualificationValidity::NoQualification: return "no-qualification";
    case core::eligibility::QualificationValidity::MultipleMatches: return "multiple-matches";
    case core::eligibility::QualificationValidity::ValidUnregistered: return "valid-unregistered";
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
  Transcript(const sim::clock::VirtualClock& clock, std::ostream* live) : clock_(clock), live_(live) {}
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
  const sim::clock::VirtualClock& clock_;
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
class ScenarioFrontend final : public core::reception::Frontend {
 public:
  ScenarioFrontend(Transcript& transcript, const sim::clock::VirtualClock& clock, const nlohmann::json& texts)
      : transcript_(transcript), clock_(clock), texts_(texts) {}
  void start(core::reception::EventSink sink) override {
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
  const sim::clock::VirtualClock& clock_;
  const nlohmann::json& texts_;
  mutable std::mutex mutex_;
  core::reception::EventSink sink_;
  rx::Screen current_;
  std::vector<std::string> seen_;
  std::optional<std::chrono::microseconds> reception_start_;
  std::vector<double> receptions_;
};

struct PlayedCard {
  std::string name;
  sim::card::CardProfile profile;
  std::shared_ptr<sim::card::JpkiCard> emulator;  // null for a foreign card
  std::shared_ptr<sim::card::FaultyCard> faulty;
  std::shared_ptr<sim::card::RecordingCard> recorded;
  std::optional<std::filesystem::path> live_face;
};

}  // namespace

class Player {
 public:
  Player(const sc::Scenario& s, const PlayerOptions& o)
      : scenario_(s), options_(o), world_(*o.world), sim_(make_board(s, o)), clock_(*sim_.virtual_clock),
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
  static sim::board::SimulatedBoard make_board(const sc::Scenario& s, const PlayerOptions& o);
  void setup();
  void make_cards();
  void run_step(std::size_t index, const sc::StepEntry& entry);
  void apply(const sc::Fault& f);
  sc::Observed observe();
  bool settle();
  void wait_for_card_event(std::uint64_t activity_before);
  void fail(const std::string& what) { result_.failures.push_back(what); }
  void check_trace();
  std::vector<sim::card::TracedApdu> all_apdus() const;
  int auth_pin_verifies() const;

  const sc::Scenario& scenario_;
  const PlayerOptions& options_;
  const sim::world::DemoWorld& world_;
  // The simulated kiosk: its board and the world's controls. Outlives the runner.
  sim::board::SimulatedBoard sim_;
  sim::clock::VirtualClock& clock_;
  Transcript transcript_;
  ScenarioFrontend frontend_;
  sc::ScenarioResult result_;

  bool face_ = false;  // the scenario has face steps and the face models are here
  std::map<std::string, PlayedCard> cards_;
  std::string on_reader_;
  bool explicit_face_ = false;
  std::atomic<bool> pulled_{false};  // a card was pulled out mid-command (set on the card's thread)
  int pins_typed_ = 0;
  std::unique_ptr<core::reception::ReceptionRunner> runner_;
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
    std::shared_ptr<sim::card::VirtualCard> base;
    if (spec.foreign) {
      base = std::make_shared<sim::card::ForeignCard>();
    } else {
      const auto it = world_.named.find(spec.world_card);
      if (it == world_.named.end()) throw sc::ScenarioError("cards." + name + ": the world has no card '" + spec.world_card + "'");
      c.profile = sim::card::CardProfile::load(it->second.file);
      if (spec.tries_left) c.profile.auth.pin.tries_left = *spec.tries_left;
      c.live_face = it->second.live_face;
      c.emulator = std::make_shared<sim::card::JpkiCard>(c.profile);
      base = c.emulator;
    }
    c.faulty = std::make_shared<sim::card::FaultyCard>(base);
    if (spec.atr) c.faulty->set_atr(from_hex(*spec.atr));
    // Transmission time: the contactless bit rate and a turnaround per APDU; the RSA signature.
    c.recorded = std::make_shared<sim::card::RecordingCard>(c.faulty, [this, timing](ByteView command, ByteView response) {
      const double bits = static_cast<double>(command.size() + response.size()) * 8.0;
      auto cost = std::chrono::microseconds(static_cast<long long>(bits / timing.bit_rate_kbps * 1000.0)) +
                  std::chrono::duration_cast<std::chrono::microseconds>(timing.apdu_latency);
      if (command.size() > 1 && command[1] == 0x2A) cost += timing.rsa_signing;  // PERFORM SECURITY OPERATION
      clock_.advance(cost);
    });
    cards_.emplace(name, std::move(c));
  }
}

sim::board::SimulatedBoard Player::make_board(const sc::Scenario& s, const PlayerOptions& o) {
  sim::board::SimulatedBoardOptions b;
  b.faces_dir = o.faces_dir;
  b.face = s.face;
  b.virtual_time = true;  // time moves only when the scenario says so
  b.timing.service_latency = s.timing.service_latency;
  b.timing.camera_fps = s.timing.camera_fps;
  b.timing.camera_exposure = s.timing.camera_exposure;
  b.work_dir = o.work_dir;
  b.fresh_service_database = true;  // each scenario starts from the fixture; nothing shared between runs
  b.service_log = true;
  b.terminal_id = "SIM-KIOSK-QA";
  b.pcsc = o.pcsc;
  b.seed = s.seed;
  return sim::board::simulated_board(*o.world, {}, b);
}

void Player::setup() {
  make_cards();
  if (scenario_.face && !sim_.board.face) {
    std::string why = "the face models did not load";
    const std::string prefix = "face authentication is off: ";
    for (const auto& n : sim_.board.notes) {
      if (n.rfind(prefix, 0) == 0) why = n.substr(prefix.size());
    }
    throw core::face::FaceError(core::face::FaceErrorKind::ModelMissing, why);
  }
  face_ = scenario_.face;
  core::reception::RunnerOptions runner_options;
  runner_options.tick_interval = 0ms;  // time moves only when the scenario says so
  runner_ = std::make_unique<core::reception::ReceptionRunner>(sim_.board, frontend_, rx::Policy{}, runner_options);
}

bool Player::settle() {
  const auto limit = Clock::now() + options_.settle_limit;
  int stable = 0;
  std::uint64_t last = 0;
  while (Clock::now() < limit) {
    if (!sim_.field->events_pending() && runner_->settled()) {
      const std::uint64_t a = runner_->activity();
      stable = (stable > 0 && a == last) ? stable + 1 : 1;
      last = a;
      if (stable >= 3) {
        if (!(options_.pcsc && pulled_.exchange(false))) return true;
        // A card pulled out in the middle of a command ends the session once the card service
        // reports it. Through pcscd that takes a poll cycle of vpcd's slot (~400 ms, longer on a
        // loaded machine): the step is not over before the session is.
        while (Clock::now() < limit && runner_->step() != rx::Step::Idle) std::this_thread::sleep_for(1ms);
        stable = 0;
      }
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

std::vector<sim::card::TracedApdu> Player::all_apdus() const {
  std::vector<sim::card::TracedApdu> out;
  for (const auto& [name, c] : cards_) {
    auto t = c.recorded->trace();
    out.insert(out.end(), t.begin(), t.end());
  }
  return out;
}

int Player::auth_pin_verifies() const {
  int n = 0;
  for (const auto& a : all_apdus()) {
    if (sim::card::is_verify_with_data(a) && a.command[3] == kAuthPinReference) ++n;
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
  for (const auto& r : sim_.board.journal->since({})) {
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

static sim::camera::Presentation presentation(const std::string& name) {
  if (name == "printed-photo") return sim::camera::Presentation::PrintedPhoto;
  if (name == "life-size-photo") return sim::camera::Presentation::LifeSizePhoto;
  if (name == "screen-replay") return sim::camera::Presentation::ScreenReplay;
  return sim::camera::Presentation::Live;
}

void Player::apply(const sc::Fault& f) {
  if (f.target == "card") {
    std::string name = !f.card.empty() ? f.card : on_reader_;
    if (name.empty() && cards_.size() == 1) name = cards_.begin()->first;
    const auto found = cards_.find(name);
    if (found == cards_.end()) throw sc::ScenarioError("a card fault needs a card: name it with \"card\"");
    PlayedCard& card = found->second;
    sim::card::ResponseFault fault;
    fault.command_prefix = from_hex(f.command);
    fault.times = f.times;
    if (f.kind == "pull-on") {
      fault.before = [this] {
        sim_.field->pull_mid_command();
        pulled_ = true;
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
      sim_.field->set_reader_attached(false);
      on_reader_.clear();
    } else {
      sim_.field->set_reader_attached(true);
    }
  } else if (f.target == "pcscd") {
    sim_.field->set_service_running(f.kind == "start");
  } else if (f.target == "camera") {
    if (face_) sim_.camera->lose();
  } else {
    using Reply = sim::eligibility::Faults::Reply;
    sim::board::WorldFaults faults;
    faults.service_down = f.kind == "down";
    faults.service_wrong_certificate = f.kind == "wrong-certificate";
    faults.service_extra_latency = f.kind == "slow" ? f.delay : 0ms;
    if (f.kind == "500") faults.service_replies.reply = Reply::InternalError;
    if (f.kind == "503") faults.service_replies.reply = Reply::Unavailable;
    if (f.kind == "malformed") faults.service_replies.reply = Reply::MalformedJson;
    if (f.kind == "wrong-content-type") faults.service_replies.reply = Reply::WrongContentType;
    if (f.kind == "wrong-version") faults.service_replies.reply = Reply::WrongVersion;
    sim_.set_service_faults(faults);
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
          if (card.emulator) sim_.scanner->place(card.profile);
          if (face_ && !explicit_face_) sim_.camera->show(card.live_face);
          frontend_.reception_starts();
          const std::uint64_t before = runner_->activity();
          sim_.field->place(card.recorded);
          on_reader_ = s.card;
          wait_for_card_event(before);
        } else if constexpr (std::is_same_v<T, sc::RemoveCard>) {
          const bool present = sim_.field->card_present();
          const std::uint64_t before = runner_->activity();
          sim_.field->remove();
          on_reader_.clear();
          if (present) wait_for_card_event(before);
        } else if constexpr (std::is_same_v<T, sc::ShowFace>) {
          explicit_face_ = true;
          if (!face_) return;
          if (s.person.empty()) {
            sim_.camera->show(std::nullopt);
            return;
          }
          const auto it = world_.named.find(s.person);
          if (it == world_.named.end() || !it->second.live_face) {
            throw sc::ScenarioError("show_face: no face image of '" + s.person + "' in the world");
          }
          sim_.camera->show(it->second.live_face, presentation(s.presentation));
        } else if constexpr (std::is_same_v<T, sc::Choose>) {
          frontend_.input(rx::MethodChosen{s.method == "face" ? rx::Method::Face
                                           : s.method == "pin" ? rx::Method::Pin
                                                               : rx::Method::Visual});
        } else if constexpr (std::is_same_v<T, sc::TypePin>) {
          ++pins_typed_;
          frontend_.input(rx::PinTyped{core::card::Secret(s.pin)});
        } else if constexpr (std::is_same_v<T, sc::Answer>) {
          frontend_.input(rx::Answered{s.yes});
        } else if constexpr (std::is_same_v<T, sc::Prescription>) {
          frontend_.input(rx::PrescriptionChosen{s.choice == "electronic" ? core::eligibility::PrescriptionIssue::Electronic
                                                                           : core::eligibility::PrescriptionIssue::Paper});
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
    if (sim::card::selects(a, hal::mynumber::kTextAid)) {
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
  } catch (const core::face::FaceError& e) {
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
  if (entry.needs_face && !face_) return {};
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
  sim_.board.eligibility.reset();  // closes the keep-alive connection, so the service stops at once
  sim_.service->stop();
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

}  // namespace kiosk::sim::scenario
