// The scenario player's wiring: a simulated board on virtual time for each scenario, its cards
// (the emulator behind a fault injector and a recorder that charges the timing model), the
// reception runner, settling after each step, and what is observed for the expectations.
#include "sim/scenario/scenario_player.hpp"

#include <cstdio>
#include <iostream>

#include <pugixml.hpp>

#include "core/eligibility/copayment.hpp"
#include "core/face/face_error.hpp"
#include "hal/mynumber_card.hpp"
#include "sim/scenario/player.hpp"

namespace kiosk::sim::scenario {

namespace {

using namespace std::chrono_literals;
namespace rx = core::reception;

constexpr std::uint8_t kAuthPinReference = 0x80 | hal::mynumber::jpki::kAuthPin;  // P2 of VERIFY of the auth PIN
// Transcript lines a step-by-step session keeps (for the failure messages' tail).
constexpr std::size_t kSessionHistoryLines = 200;

}  // namespace

void Player::make_cards() {
  const Timing timing = scenario_.timing;
  for (const auto& [name, spec] : scenario_.cards) {
    PlayedCard c;
    c.name = name;
    std::shared_ptr<sim::card::VirtualCard> base;
    if (spec.foreign) {
      base = std::make_shared<sim::card::ForeignCard>();
    } else {
      const auto it = world_.named.find(spec.world_card);
      if (it == world_.named.end()) throw ScenarioError("cards." + name + ": the world has no card '" + spec.world_card + "'");
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

sim::board::SimulatedBoard Player::make_board(const Scenario& s, const PlayerOptions& o) {
  sim::board::SimulatedBoardOptions b;
  b.faces_dir = o.faces_dir;
  b.face = s.face;
  b.virtual_time = true;  // time moves only when the scenario says so
  b.timing.service_latency = s.timing.service_latency;
  b.timing.camera_fps = s.timing.camera_fps;
  b.timing.camera_exposure = s.timing.camera_exposure;
  b.work_dir = o.work_dir;
  // Each scenario starts from the fixture; nothing shared between runs.
  b.fresh_service_database =
      o.service_database_on_disk && !o.work_dir.empty() ? (o.work_dir / "eligibility.sqlite3").string() : ":memory:";
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
  runner_options.surface_prescan = 0ms;  // each step's tray decides what the scanner reads
  if (sim_.camera != nullptr) frontend_.seen_by(*sim_.camera);
  runner_ = std::make_unique<core::reception::ReceptionRunner>(sim_.board, frontend_, rx::Policy{}, runner_options);
}

bool Player::settle() {
  const auto limit = Clock::now() + options_.settle_limit;
  int stable = 0;
  std::uint64_t last = 0;
  while (Clock::now() < limit) {
    // Every reader event the readers handed out has reached the reception (the card watcher may
    // be descheduled between taking an event and posting it, on a loaded machine).
    const auto delivered = sim_.field->events_delivered();
    const bool handed_on = !delivered || *delivered == runner_->reader_events_taken();
    if (!sim_.field->events_pending() && handed_on && runner_->settled()) {
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
  int n = forgotten_verifies_;
  for (const auto& a : all_apdus()) {
    if (sim::card::is_verify_with_data(a) && a.command[3] == kAuthPinReference) ++n;
  }
  return n;
}

Observed Player::observe() {
  Observed o;
  const rx::Screen s = frontend_.current();
  o.screen = rx::to_string(s.step);
  o.message = rx::info(s.message).code;
  o.message_key = rx::info(s.message).key;
  for (auto m : s.methods) o.methods.push_back(rx::to_string(m));
  o.tries_left = s.tries_left;
  if (s.validity) o.validity = validity_name(*s.validity);
  o.service_message = s.service_message;
  for (const auto& [name, c] : cards_) {
    if (c.emulator) o.card_tries_left[name] = c.emulator->profile().auth.pin.tries_left;
  }
  if (const auto share = core::eligibility::copayment_label(s.contribution_ratio)) o.copayment = *share;
  o.certificate_expires_shown = !s.certificate_expires.empty();
  o.certificate_usable_until_shown = !s.certificate_usable_until.empty();
  o.entry_problem = s.entry_problem;
  o.loss_reason = s.loss_reason;
  if (s.form) {
    o.form = {{"document", s.form->document == core::eligibility::PresentedDocument::HealthInsuranceCard ? "health-insurance-card"
                                                                                                      : "eligibility-certificate"},
              {"insurer_number", s.form->insurer_number}, {"symbol", s.form->symbol}, {"number", s.form->number},
              {"branch", s.form->branch}, {"birthdate", s.form->birthdate}};
  }
  for (const auto& r : sim_.board.journal->since({})) {
    if (r.kind == "reception" || r.kind == "staff") o.journal.push_back(r.event);
    if (r.kind == "reception") {
      o.last_journal_event = r.event;
      o.last_journal_code = r.message_code;
      o.last_journal_outcome = r.outcome;
    }
  }
  std::error_code ec;
  std::filesystem::path newest;
  std::filesystem::file_time_type newest_time{};
  for (const auto& e : std::filesystem::directory_iterator(options_.work_dir / "outbox", ec)) {
    if (e.path().extension() != ".xml") continue;
    ++o.result_files;
    const auto t = e.last_write_time(ec);
    if (newest.empty() || t > newest_time || (t == newest_time && e.path() > newest)) {
      newest = e.path();
      newest_time = t;
    }
  }
  if (!newest.empty()) {
    pugi::xml_document doc;
    if (doc.load_file(newest.c_str())) {
      struct Collect : pugi::xml_tree_walker {
        std::map<std::string, std::string>* out;
        bool for_each(pugi::xml_node& node) override {
          if (node.type() == pugi::node_element && node.first_child().type() == pugi::node_pcdata) {
            out->emplace(node.name(), node.child_value());
          }
          return true;
        }
      } collect;
      collect.out = &o.result_file;
      doc.traverse(collect);
    }
  }
  o.verify_count = auth_pin_verifies();
  o.screens_since_last_expect = frontend_.take_seen();
  return o;
}

void Player::forget_history(std::size_t keep_lines) {
  for (auto& [name, c] : cards_) {
    for (const auto& a : c.recorded->take_trace()) {
      if (sim::card::selects(a, hal::mynumber::kTextAid)) {
        fail("APDU trace: the kiosk selected the 券面事項入力補助AP (the My Number's application): " + to_hex(a.command));
      }
      if (sim::card::is_verify_with_data(a) && a.command[3] == kAuthPinReference) ++forgotten_verifies_;
    }
  }
  transcript_.keep_last(keep_lines);
  frontend_.forget_history(keep_lines);
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
      const auto* f = std::get_if<Fault>(&entry.step);
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

std::vector<std::string> Player::run(const StepEntry& entry) {
  const std::size_t before = result_.failures.size();
  const std::size_t index = steps_run_++;
  if (hung_) return {"the firmware is hung; no more steps"};
  if (entry.needs_face && !face_) return {};
  try {
    run_step(index, entry);
  } catch (const std::exception& e) {
    fail("step " + std::to_string(index + 1) + " (" + describe(entry.step) + "): " + e.what());
  }
  if (!settle()) {
    hung_ = true;
    fail("step " + std::to_string(index + 1) + " (" + describe(entry.step) + "): the firmware did not settle within " +
         std::to_string(options_.settle_limit.count() / 1000) + " s of wall time (hung?)" + transcript_.tail(8));
  }
  {
    std::lock_guard lock(crash_mutex_);
    if (!crashed_.empty()) fail("the reception runner stopped with an exception: " + crashed_);
  }
  return {result_.failures.begin() + static_cast<std::ptrdiff_t>(before), result_.failures.end()};
}

ScenarioResult Player::finish() {
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

ScenarioResult Player::play() {
  if (!start()) return result_;
  for (const auto& entry : scenario_.steps) {
    if (hung_ || !result_.failures.empty()) break;
    run(entry);
  }
  return finish();
}

ScenarioResult play_scenario(const Scenario& scenario, const PlayerOptions& options) {
  if (options.world == nullptr) throw std::invalid_argument("play_scenario: no world");
  if (scenario.cards.empty()) throw ScenarioError(scenario.file.filename().string() + ": no cards");
  Player player(scenario, options);
  return player.play();
}

ScenarioSession::ScenarioSession(const Scenario& scenario, const PlayerOptions& options)
    : scenario_(scenario), options_(options) {
  if (options_.world == nullptr) throw std::invalid_argument("ScenarioSession: no world");
  options_.service_database_on_disk = true;  // what the service records stays out of memory
  player_ = std::make_unique<Player>(scenario_, options_);
  if (!player_->start()) throw ScenarioError(player_->result().skip_reason);
}

ScenarioSession::~ScenarioSession() {
  if (player_) player_->finish();
}

std::vector<std::string> ScenarioSession::run(const StepEntry& step) {
  std::lock_guard lock(mutex_);
  const std::size_t mark = player_->transcript_size();
  const auto failures = player_->run(step);
  std::vector<std::string> out = player_->transcript_since(mark);
  for (const auto& f : failures) out.push_back("FAILED " + f);
  // The console runs for months if left alone: keep what the next steps need, not the history.
  player_->forget_history(kSessionHistoryLines);
  return out;
}

std::string ScenarioSession::screen() const {
  std::lock_guard lock(mutex_);
  return describe(player_->screen(), options_.texts);
}

}  // namespace kiosk::sim::scenario
