#include "core/reception/reception_runner.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <iostream>
#include <optional>

#include "core/card/card_error.hpp"
#include "core/card/card_face_application.hpp"
#include "core/crypto/digest.hpp"
#include "core/crypto/errors.hpp"
#include "core/eligibility/errors.hpp"
#include "core/face/face_error.hpp"
#include "core/face/live_preview.hpp"
#include "core/genuine_card/card_face_check.hpp"
#include "core/verification/pin_authentication.hpp"

namespace kiosk::core::reception {

using namespace std::chrono_literals;
namespace rx = core::reception;

// The card of the current session, shared with the workers that use it. Card access is
// serialised by `mutex`; destruction closes the channel.
struct ReceptionRunner::CardContext {
  std::mutex mutex;
  std::unique_ptr<hal::CardChannel> channel;
  std::unique_ptr<core::card::CardSession> session;
  std::unique_ptr<core::card::JpkiApplication> jpki;
  Bytes certificate_der;
  std::unique_ptr<core::face::FaceSession> face;  // made on the first face attempt; wiped with the context
  std::optional<core::card::CodeBGuard> code_b;   // one per card: a wrong 照合番号B is never presented again
  std::unique_ptr<core::genuine_card::CardFaceEvidence> card_face;  // proven before the camera

  // 照合番号B read from the printed face ahead of a face attempt (RunnerOptions::surface_prescan).
  struct Prescan {
    std::mutex mutex;
    std::condition_variable finished;
    bool running = false;
    std::optional<core::card::Secret> digits;  // a certain read, taken by the first face attempt
  } prescan;
  std::atomic<bool> ended{false};  // the session is over (the card left or the reception ended)

  ~CardContext() {
    face.reset();
    core::card::secure_wipe(certificate_der.data(), certificate_der.size());
  }
};

namespace {

rx::FaceOutcome to_reception(core::face::FaceOutcome o) {
  switch (o) {
    case core::face::FaceOutcome::Matched: return rx::FaceOutcome::Matched;
    case core::face::FaceOutcome::NotMatched: return rx::FaceOutcome::NotMatched;
    case core::face::FaceOutcome::LivenessFailed: return rx::FaceOutcome::LivenessFailed;
    case core::face::FaceOutcome::CameraLost: return rx::FaceOutcome::CameraLost;
    case core::face::FaceOutcome::NoFace:
    case core::face::FaceOutcome::PoorQuality:
    case core::face::FaceOutcome::Cancelled: return rx::FaceOutcome::NoFaceInTime;
  }
  return rx::FaceOutcome::NotMatched;
}

// The reader or the card service failed, not the card (docs/reception-rules.md §9: K160).
bool reader_failure(const hal::CardError& e) {
  return e.kind() == hal::CardErrorKind::NoService || e.kind() == hal::CardErrorKind::NoReader ||
         e.kind() == hal::CardErrorKind::ReaderGone;
}

rx::Event card_failure(const std::exception& e) {
  if (const auto* c = dynamic_cast<const hal::CardError*>(&e); c != nullptr && reader_failure(*c)) {
    return rx::ReaderFailed{std::string(hal::to_string(c->kind())) + ": " + c->what()};
  }
  if (const auto* p = dynamic_cast<const core::card::CardProtocolError*>(&e)) {
    if (p->failure() == core::card::CardFailure::NotMyNumberCard) return rx::CardReadFailed{rx::Message::NotMyNumberCard, p->what()};
  }
  return rx::CardReadFailed{rx::Message::Unreadable, e.what()};
}

// The card left the reader: the watcher reports it (CardRemoved), nothing to post here.
bool card_left(const std::exception& e) {
  const auto* c = dynamic_cast<const hal::CardError*>(&e);
  return c != nullptr && c->kind() == hal::CardErrorKind::CardRemoved;
}

}  // namespace

ReceptionRunner::ReceptionRunner(board::Board& board, Frontend& frontend, Policy policy, RunnerOptions options)
    : board_(board), frontend_(frontend), machine_(policy), options_(options) {
  if (board_.eligibility && board_.clock) eligibility_.emplace(*board_.eligibility, *board_.clock);
}

ReceptionRunner::~ReceptionRunner() {
  stop();
  if (face_stop_) face_stop_->request_stop();
  workers_.clear();  // jthreads join
}

void ReceptionRunner::post(core::reception::Event event) { post_for(0, std::move(event)); }

void ReceptionRunner::post_for(std::uint64_t session, core::reception::Event event) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({session, std::move(event)});
  }
  wake_.notify_one();
}

void ReceptionRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

core::reception::Step ReceptionRunner::step() const {
  std::lock_guard lock(mutex_);
  return step_;
}

bool ReceptionRunner::settled() const {
  std::lock_guard lock(mutex_);
  return queue_.empty() && !handling_ && busy_workers_.load() == 0;
}

std::uint64_t ReceptionRunner::activity() const {
  std::lock_guard lock(mutex_);
  return activity_;
}

std::chrono::system_clock::time_point ReceptionRunner::wall_now() const { return board_.clock->now(); }

void ReceptionRunner::watch_cards(std::stop_token stop) {
  hal::CardReaderService& readers = *board_.readers;
  const hal::ReaderPolicy accepted = board_.reader_policy();
  auto mine = [&](const std::string& reader) { return accepted.accepts(reader); };
  bool first = true;
  bool failing = false;  // the card service is failing: reported once, until it answers again
  while (!stop.stop_requested()) {
    try {
      if (first) {  // a card already on the reader when the kiosk starts
        first = false;
        for (const auto& s : readers.status()) {
          if (s.card_present && mine(s.name)) {
            post(rx::CardPlaced{});
            break;
          }
        }
      }
      const auto events = readers.wait_for_events(300ms);
      failing = false;
      // A reader unplugged with a patient's card on it is not a card taken away: both come
      // together (card removed, reader detached), and the patient gets K160, not a silent idle.
      const bool detached = std::any_of(events.begin(), events.end(), [&](const hal::ReaderEvent& e) {
        return mine(e.reader) && e.kind == hal::ReaderEventKind::ReaderDetached;
      });
      for (const auto& e : events) {
        if (!mine(e.reader)) continue;
        if (e.kind == hal::ReaderEventKind::CardInserted) post(rx::CardPlaced{});
        if (e.kind == hal::ReaderEventKind::CardRemoved && !detached) post(rx::CardRemoved{});
        if (e.kind == hal::ReaderEventKind::ReaderDetached) post(rx::ReaderFailed{"the reader " + e.reader + " was unplugged"});
      }
      reader_events_taken_ += events.size();
    } catch (const hal::CardError& e) {
      std::cerr << "[kiosk] card reader: " << e.what() << " (" << e.advice() << ")\n";
      if (!failing && reader_failure(e)) post(rx::ReaderFailed{std::string(hal::to_string(e.kind())) + ": " + e.what()});
      failing = true;
      std::this_thread::sleep_for(500ms);
    }
  }
}

template <typename Work>
void ReceptionRunner::in_background(Work work) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  busy_workers_.fetch_add(1);
  workers_.push_back(std::jthread([this, work = std::move(work), done]() mutable {
    work();
    {
      std::lock_guard lock(mutex_);
      ++activity_;
    }
    done->store(true);
    busy_workers_.fetch_sub(1);
  }));
  worker_done_.push_back(done);
}

void ReceptionRunner::reap_workers() {
  for (std::size_t i = 0; i < workers_.size();) {
    if (worker_done_[i]->load()) {
      workers_.erase(workers_.begin() + static_cast<std::ptrdiff_t>(i));  // joins a finished thread
      worker_done_.erase(worker_done_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
}

void ReceptionRunner::read_card() {
  auto ctx = std::make_shared<CardContext>();
  try {
    std::string reader = board_.reader;
    if (reader.empty()) {  // the first reader of an accepted model
      const hal::ReaderPolicy accepted = board_.reader_policy();
      for (const auto& name : board_.readers->list_readers()) {
        if (accepted.accepts(name)) {
          reader = name;
          break;
        }
      }
      if (reader.empty()) throw hal::CardError(hal::CardErrorKind::NoReader, "no reader of " + accepted.describe());
    }
    ctx->channel = board_.readers->connect(reader);
    ctx->session = std::make_unique<core::card::CardSession>(*ctx->channel);
    ctx->jpki = std::make_unique<core::card::JpkiApplication>(*ctx->session);
    const core::verification::CardCheck check =
        core::verification::check_card(*ctx->jpki, *board_.trust, wall_now(), board_.certificate_policy);
    ctx->certificate_der = check.certificate_der;
    card_ = ctx;
    const bool face_ready = board_.face_ready();
    const bool face_offered = face_ready && check.token.kind == core::card::TokenKind::MyNumberCard;
    post_for(session_, rx::CardRead{check.token.kind, check.certificate.status, check.pin, face_offered,
                                    check.certificate.expiry_date, check.certificate.usable_until});
    if (face_offered) prescan_surface(ctx);
  } catch (const std::exception& e) {
    if (!card_left(e)) post_for(session_, card_failure(e));
  }
}

void ReceptionRunner::verify_pin(core::card::Secret pin) {
  const auto ctx = card_;
  if (!ctx) return;
  try {
    std::lock_guard lock(ctx->mutex);
    if (ctx->session->current_application() != core::card::Application::Jpki) ctx->jpki->select();  // after a face attempt
    const core::card::VerifyResult r = ctx->jpki->verify_auth_pin(pin);
    post_for(session_, rx::PinChecked{r.outcome, r.tries_left});
  } catch (const std::exception& e) {
    if (!card_left(e)) post_for(session_, card_failure(e));
  }
}

void ReceptionRunner::confirm(const rx::ConfirmEligibility& c) {
  const auto ctx = card_;
  const std::uint64_t session = session_;
  if (!eligibility_ || !ctx) {
    post_for(session, rx::ServiceFailed{true, "", "service-not-configured"});
    return;
  }
  in_background([this, ctx, session, c] {
    try {
      std::lock_guard service(service_mutex_);
      core::eligibility::Confirmation result;
      switch (c.method) {
        case rx::Method::Pin:
          result = eligibility_->confirm_by_pin(ctx->certificate_der, [&ctx](ByteView nonce) {
            std::lock_guard lock(ctx->mutex);
            return ctx->jpki->sign_with_auth_key(core::crypto::sha256_digest_info(core::crypto::sha256(nonce)));
          });
          break;
        case rx::Method::Face:
        case rx::Method::Visual:
          if (board_.terminal == nullptr || !c.evidence) {
            post_for(session, rx::ServiceFailed{true, "", "terminal-key-not-configured"});
            return;
          }
          if (const auto* face = std::get_if<core::eligibility::FaceMatchEvidence>(&*c.evidence)) {
            // The card proves itself genuine over the service's nonce (docs/genuine-card.md).
            result = eligibility_->confirm_by_face(ctx->certificate_der, *face, *board_.terminal, [&ctx](ByteView nonce) {
              std::lock_guard lock(ctx->mutex);
              if (!ctx->card_face) {
                throw core::card::CardProtocolError(core::card::CardFailure::NotSupported, "no card-face proof in this session");
              }
              return core::genuine_card::prove_card_face(*ctx->session, *ctx->card_face, nonce, ctx->certificate_der);
            });
          } else {
            result = eligibility_->confirm_by_visual_check(
                ctx->certificate_der, std::get<core::eligibility::VisualCheckEvidence>(*c.evidence), *board_.terminal);
          }
          break;
      }
      post_for(session, rx::Confirmed{std::move(result)});
    } catch (const core::eligibility::EligibilityError& e) {
      post_for(session, rx::ServiceFailed{e.counter_fallback(), e.display_message(), e.code()});
    } catch (const std::exception& e) {
      if (card_left(e)) return;
      if (dynamic_cast<const core::card::CardProtocolError*>(&e) != nullptr || dynamic_cast<const hal::CardError*>(&e) != nullptr) {
        post_for(session, card_failure(e));
      } else {
        post_for(session, rx::ServiceFailed{true, "", std::string("internal: ") + e.what()});
      }
    }
  });
}

void ReceptionRunner::register_card(const core::eligibility::RegistrationOffer& offer) {
  const std::uint64_t session = session_;
  in_background([this, session, offer] {
    try {
      std::lock_guard service(service_mutex_);
      post_for(session, rx::Confirmed{eligibility_->register_for_insurance_use(offer)});
    } catch (const core::eligibility::EligibilityError& e) {
      post_for(session, rx::ServiceFailed{e.counter_fallback(), e.display_message(), e.code()});
    } catch (const std::exception& e) {
      post_for(session, rx::ServiceFailed{true, "", std::string("internal: ") + e.what()});
    }
  });
}

void ReceptionRunner::record_consent(const rx::RecordConsent& c) {
  const std::uint64_t session = session_;
  in_background([this, session, c] {
    try {
      std::lock_guard service(service_mutex_);
      post_for(session, rx::Confirmed{eligibility_->record_consent(c.confirmation_id, c.choice)});
    } catch (const core::eligibility::EligibilityError& e) {
      post_for(session, rx::ServiceFailed{e.counter_fallback(), e.display_message(), e.code()});
    } catch (const std::exception& e) {
      post_for(session, rx::ServiceFailed{true, "", std::string("internal: ") + e.what()});
    }
  });
}

void ReceptionRunner::look_up(const core::eligibility::NumberLookup& lookup) {
  const std::uint64_t session = session_;
  if (!eligibility_) {
    post_for(session, rx::ServiceFailed{true, "", "service-not-configured"});
    return;
  }
  in_background([this, session, lookup] {
    try {
      std::lock_guard service(service_mutex_);
      post_for(session, rx::Confirmed{eligibility_->lookup(lookup)});
    } catch (const core::eligibility::EligibilityError& e) {
      post_for(session, rx::ServiceFailed{e.counter_fallback(), e.display_message(), e.code()});
    } catch (const std::exception& e) {
      post_for(session, rx::ServiceFailed{true, "", std::string("internal: ") + e.what()});
    }
  });
}

// The document on the card tray, read for the 資格確認書 form (it only fills the form).
void ReceptionRunner::read_document(core::eligibility::PresentedDocument expected) {
  const std::uint64_t session = session_;
  if (!board_.documents) {
    post_for(session, rx::DocumentReadFailed{"device-gone", "no document reader on this kiosk"});
    return;
  }
  in_background([this, session, expected] {
    try {
      const hal::DocumentKind kind = expected == core::eligibility::PresentedDocument::HealthInsuranceCard
                                         ? hal::DocumentKind::HealthInsuranceCard
                                         : hal::DocumentKind::EligibilityCertificate;
      board_.documents->read_document(kind, 10s, [&](const hal::DocumentFields& fields) {
        post_for(session, rx::DocumentRead{core::eligibility::entry_from_document(fields)});
      });
    } catch (const hal::DocumentReadError& e) {
      std::cerr << "[kiosk] document reader: " << e.what() << " (" << e.advice() << ")\n";
      post_for(session, rx::DocumentReadFailed{hal::to_string(e.kind()), e.what()});
    } catch (const std::exception& e) {
      post_for(session, rx::DocumentReadFailed{"unreadable", std::string("internal: ") + e.what()});
    }
  });
}

void ReceptionRunner::prescan_surface(const std::shared_ptr<CardContext>& ctx) {
  if (options_.surface_prescan <= 0ms || !board_.scanner) return;
  {
    std::lock_guard lock(ctx->prescan.mutex);
    ctx->prescan.running = true;
  }
  in_background([this, ctx] {
    std::optional<core::card::Secret> digits;
    try {
      std::lock_guard scanning(scanner_mutex_);
      if (!ctx->ended) {  // a scan of a card already gone would only hold the scanner
        core::card::Secret read;
        board_.scanner->scan_code_b(options_.surface_prescan, [&](std::string_view d) {
          for (char ch : d) read.push_back(ch);
        });
        digits = std::move(read);
      }
    } catch (const std::exception&) {
      // Not read now (no card on the tray yet, glare...): the face attempt scans again, with
      // the patient's guidance.
    }
    std::lock_guard lock(ctx->prescan.mutex);
    ctx->prescan.digits = std::move(digits);
    ctx->prescan.running = false;
    ctx->prescan.finished.notify_all();
  });
}

void ReceptionRunner::start_face() {
  const auto ctx = card_;
  const std::uint64_t session = session_;
  if (!ctx || !board_.face_ready()) {
    post_for(session, rx::FaceFinished{rx::FaceOutcome::CameraLost, {}, {}});
    return;
  }
  face_stop_ = std::make_unique<std::stop_source>();
  const std::stop_token stop = face_stop_->get_token();
  in_background([this, ctx, session, stop] {
    try {
      if (!ctx->face) {
        // The card proves its card-face record genuine; 照合番号B from the card surface opens the
        // photo, presented only once the kiosk may (core/genuine_card/card_face_check.hpp); the
        // digits were usually read while the patient chose (prescan_surface).
        std::lock_guard lock(ctx->mutex);
        if (!ctx->code_b) ctx->code_b.emplace(board_.code_b_policy);
        const core::genuine_card::OpenedCardFace opened = core::genuine_card::open_genuine_card_face(
            *ctx->session, *ctx->code_b,
            [this, &ctx] {
              {  // read while the patient chose: waited for, used once
                std::unique_lock prescanned(ctx->prescan.mutex);
                ctx->prescan.finished.wait(prescanned, [&] { return !ctx->prescan.running; });
                if (ctx->prescan.digits) {
                  core::card::Secret code_b = std::move(*ctx->prescan.digits);
                  ctx->prescan.digits.reset();
                  return code_b;
                }
              }
              std::lock_guard scanning(scanner_mutex_);
              core::card::Secret code_b;
              board_.scanner->scan_code_b(10s, [&](std::string_view digits) {
                for (char ch : digits) code_b.push_back(ch);
              });
              return code_b;
            },
            *board_.card_face_anchors);
        ctx->face = std::make_unique<core::face::FaceSession>(*board_.face, opened.photo_jp2);
        ctx->card_face = std::make_unique<core::genuine_card::CardFaceEvidence>(opened.evidence);
      } else {
        ctx->face->retry();
      }
      std::string last_guidance;
      core::face::CameraLoopOptions options;
      options.stop = stop;
      options.on_progress = [&](const core::face::Progress& p) {
        const std::string g = core::face::to_string(p.guidance);
        if (g == last_guidance) return;
        last_guidance = g;
        post_for(session, rx::FaceGuidance{g});
      };
      // The patient sees themself in the oval while the attempt runs (a few small JPEGs a
      // second, in memory only); the view ends with the attempt.
      core::face::LivePreview preview;
      options.on_frame = [&](const cv::Mat& frame) {
        if (auto jpeg = preview.offer(frame, std::chrono::steady_clock::now()); !jpeg.empty()) {
          frontend_.show_preview(std::move(jpeg));
        }
      };
      struct PreviewEnd {
        Frontend& frontend;
        ~PreviewEnd() { frontend.show_preview({}); }
      } preview_end{frontend_};
      // The face camera is open for this attempt only.
      const std::unique_ptr<hal::Camera> camera = board_.cameras->open(board_.face_camera, board_.face_camera_mode);
      const core::face::Decision d = core::face::run_attempt(*ctx->face, *camera, options);
      if (d.outcome == core::face::FaceOutcome::Cancelled) return;
      core::eligibility::FaceMatchEvidence evidence;
      evidence.score = d.score;
      evidence.threshold = d.threshold;
      evidence.liveness = d.liveness_passed ? core::eligibility::Liveness::Passed : core::eligibility::Liveness::Failed;
      evidence.model = board_.face->config().recognizer.model.filename().string();
      if (ctx->card_face) evidence.card_photo_sha256 = ctx->card_face->photo_sha256_hex();
      post_for(session, rx::FaceFinished{to_reception(d.outcome), evidence, {}});
    } catch (const core::genuine_card::CardFaceRefused& e) {
      std::cerr << "[kiosk] face path: " << e.what() << "\n";
      post_for(session, rx::FaceFinished{e.suspicious() ? rx::FaceOutcome::CardNotGenuine : rx::FaceOutcome::CardPhotoUnavailable,
                                         {}, core::genuine_card::to_string(e.reason())});
    } catch (const core::face::FaceError& e) {
      post_for(session, rx::FaceFinished{rx::FaceOutcome::CardPhotoUnavailable, {}, "card-photo-undecodable"});
    } catch (const hal::SurfaceScanError& e) {
      post_for(session, rx::FaceFinished{rx::FaceOutcome::CardPhotoUnavailable, {}, std::string("scanner-") + hal::to_string(e.kind())});
    } catch (const hal::CameraError& e) {  // the face camera could not be opened
      std::cerr << "[kiosk] face camera: " << e.what() << " (" << e.advice() << ")\n";
      post_for(session, rx::FaceFinished{rx::FaceOutcome::CameraLost, {}, {}});
    } catch (const std::exception& e) {
      if (!card_left(e)) post_for(session, card_failure(e));
    }
  });
}

void ReceptionRunner::end_session() {
  if (face_stop_) face_stop_->request_stop();
  if (card_) card_->ended = true;
  card_.reset();  // workers that still run keep their own reference until they finish
  ++session_;     // whatever they post now is dropped
}

void ReceptionRunner::execute(core::reception::Command& command) {
  std::visit(
      [&](auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, rx::Show>) {
          frontend_.show(c.screen);
        } else if constexpr (std::is_same_v<T, rx::ReadCard>) {
          read_card();
        } else if constexpr (std::is_same_v<T, rx::StartFaceCapture>) {
          start_face();
        } else if constexpr (std::is_same_v<T, rx::StopFaceCapture>) {
          if (face_stop_) face_stop_->request_stop();
        } else if constexpr (std::is_same_v<T, rx::VerifyPin>) {
          verify_pin(std::move(c.pin));
        } else if constexpr (std::is_same_v<T, rx::ConfirmEligibility>) {
          confirm(c);
        } else if constexpr (std::is_same_v<T, rx::RegisterForInsuranceUse>) {
          register_card(c.offer);
        } else if constexpr (std::is_same_v<T, rx::RecordConsent>) {
          record_consent(c);
        } else if constexpr (std::is_same_v<T, rx::LookUpNumbers>) {
          look_up(c.lookup);
        } else if constexpr (std::is_same_v<T, rx::ReadDocument>) {
          read_document(c.expected);
        } else if constexpr (std::is_same_v<T, rx::WriteResult>) {
          if (!board_.results) return;
          try {
            const auto file = board_.results->write(c.result);
            std::cerr << "[kiosk] result file " << file.filename().string() << "\n";
          } catch (const std::exception& e) {
            std::cerr << "[kiosk] the result file could not be written: " << e.what() << "\n";
            if (board_.journal) {
              board_.journal->append({"system", "result-file-failed", "", e.what(), ""}, wall_now());
            }
          }
        } else if constexpr (std::is_same_v<T, rx::JournalEntry>) {
          if (!board_.journal) return;
          try {
            board_.journal->append({c.kind, c.event, c.method, c.outcome, c.message_code}, wall_now());
          } catch (const std::exception& e) {
            std::cerr << "[kiosk] journal entry not written: " << e.what() << "\n";
          }
        } else if constexpr (std::is_same_v<T, rx::EndSession>) {
          end_session();
        }
      },
      command);
}

void ReceptionRunner::run(int patients) {
  card_watcher_ = std::jthread([this](std::stop_token stop) { watch_cards(stop); });
  frontend_.start([this](rx::Event e) { post(std::move(e)); });
  frontend_.show(machine_.screen());
  // The reader service and the screen are up: the service manager may count the kiosk started.
  hal::ServiceManager* manager = board_.service_manager.get();
  if (manager != nullptr) {
    manager->ready();
    manager->status(rx::to_string(machine_.step()));
  }
  int served = 0;
  for (;;) {
    Queued next{0, rx::Tick{}};
    {
      std::unique_lock lock(mutex_);
      const auto ready = [&] { return stopping_ || !queue_.empty(); };
      if (options_.tick_interval.count() > 0) {
        wake_.wait_for(lock, options_.tick_interval, ready);
      } else {
        wake_.wait(lock, ready);
      }
      if (stopping_) break;
      if (manager != nullptr) manager->watchdog();  // the loop turns: the kiosk is not hung
      if (!queue_.empty()) {
        next = std::move(queue_.front());
        queue_.pop_front();
      }
      handling_ = true;
    }
    if (next.session != 0 && next.session != session_) {  // from a session that ended
      std::lock_guard lock(mutex_);
      handling_ = false;
      ++activity_;
      continue;
    }
    const auto now = board_.clock->monotonic();
    if (auto* tick = std::get_if<rx::Tick>(&next.event)) tick->now = now;
    const rx::Step before = machine_.step();
    auto commands = machine_.handle(std::move(next.event), now);
    for (auto& c : commands) execute(c);
    const rx::Step after = machine_.step();
    if (manager != nullptr && after != before) manager->status(rx::to_string(after));  // never personal data
    reap_workers();
    {
      std::lock_guard lock(mutex_);
      step_ = after;
      handling_ = false;
      ++activity_;
    }
    if (before != rx::Step::Idle && after == rx::Step::Idle && patients > 0 && ++served >= patients) break;
  }
  card_watcher_.request_stop();
  board_.readers->cancel();
  card_watcher_ = {};
  if (face_stop_) face_stop_->request_stop();
  frontend_.stop();
  if (manager != nullptr) manager->stopping();
}

}  // namespace kiosk::core::reception
