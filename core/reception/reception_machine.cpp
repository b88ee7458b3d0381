#include "core/reception/reception_machine.hpp"

#include <algorithm>
#include <string_view>

#include "core/eligibility/copayment.hpp"
#include "core/eligibility/errors.hpp"
#include "hal/calendar.hpp"

namespace kiosk::core::reception {
namespace {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

bool contains(const std::vector<Method>& v, Method m) { return std::find(v.begin(), v.end(), m) != v.end(); }

std::string iso(const std::optional<core::eligibility::Date>& d) { return d ? hal::calendar::format_iso_date(*d) : ""; }

const char* document_name(core::eligibility::PresentedDocument d) {
  switch (d) {
    case core::eligibility::PresentedDocument::EligibilityCertificate: return "資格確認書";
    case core::eligibility::PresentedDocument::HealthInsuranceCard: return "健康保険証";
    case core::eligibility::PresentedDocument::QualificationNotice: return "資格情報のお知らせ";
  }
  return "?";
}

}  // namespace

const char* to_string(Method m) {
  switch (m) {
    case Method::Face: return "face";
    case Method::Pin: return "pin";
    case Method::Visual: return "visual";
  }
  return "?";
}

const char* to_string(Step s) {
  switch (s) {
    case Step::Idle: return "idle";
    case Step::ReadingCard: return "reading-card";
    case Step::MethodChoice: return "method-choice";
    case Step::FaceCapture: return "face-capture";
    case Step::PinEntry: return "pin-entry";
    case Step::VisualCheck: return "visual-check";
    case Step::Confirming: return "confirming";
    case Step::Registration: return "registration";
    case Step::Consent: return "consent";
    case Step::Prescription: return "prescription";
    case Step::Result: return "result";
    case Step::Notice: return "notice";
    case Step::RemoveCard: return "remove-card";
    case Step::NumberEntry: return "number-entry";
  }
  return "?";
}

bool patient_paced(Step s) {
  switch (s) {
    case Step::MethodChoice:
    case Step::PinEntry:
    case Step::Registration:
    case Step::Consent:
    case Step::Prescription:
    case Step::NumberEntry:
    case Step::Result:
    case Step::Notice:
      return true;
    default:
      return false;
  }
}

const char* to_string(FaceOutcome o) {
  switch (o) {
    case FaceOutcome::Matched: return "matched";
    case FaceOutcome::NotMatched: return "not-matched";
    case FaceOutcome::NoFaceInTime: return "no-face-in-time";
    case FaceOutcome::CameraLost: return "camera-lost";
    case FaceOutcome::LivenessFailed: return "liveness-failed";
    case FaceOutcome::CardPhotoUnavailable: return "card-photo-unavailable";
    case FaceOutcome::CardNotGenuine: return "card-not-genuine";
  }
  return "?";
}

const char* event_name(const Event& e) {
  static constexpr const char* names[] = {
      "card-placed", "card-removed", "card-read", "card-read-failed", "method-chosen", "pin-typed",
      "pin-checked", "face-guidance", "face-finished", "visual-checked", "confirmed", "service-failed",
      "answered", "prescription-chosen", "acknowledged", "cancelled", "tick", "staff-visual-check-mode",
      "reader-failed", "number-entry-requested", "numbers-entered", "patient-active", "document-read-requested",
      "document-read", "document-read-failed"};
  static_assert(std::size(names) == std::variant_size_v<Event>);
  return names[e.index()];
}

ReceptionMachine::ReceptionMachine(Policy policy) : policy_(policy) {}

void ReceptionMachine::show(Screen s, TimePoint now, std::vector<Command>& out) {
  deadline_.reset();
  if (s.timeout.count() > 0) deadline_ = now + s.timeout;
  screen_ = s;
  out.push_back(Show{std::move(s)});
}

void ReceptionMachine::notice(Message m, TimePoint now, std::vector<Command>& out, const std::string& service_message) {
  Screen s;
  s.step = Step::Notice;
  s.message = m;
  s.service_message = service_message;
  s.timeout = policy_.timeouts.notice;
  show(std::move(s), now, out);
}

void ReceptionMachine::finish_session(const std::string& event, const std::string& outcome, Message m,
                                      std::vector<Command>& out) {
  const std::string method = session_ && session_->numbers   ? "numbers"
                             : session_ && session_->method ? to_string(*session_->method)
                                                            : "";
  out.push_back(JournalEntry{"reception", event, method, outcome, info(m).code});
}

std::vector<Method> ReceptionMachine::available_methods() const {
  std::vector<Method> methods;
  const Session& s = *session_;
  if (s.card.has_card_photo && s.face_attempts < policy_.max_face_attempts) methods.push_back(Method::Face);
  const bool pin_usable = (s.card.pin.state == core::card::RetryStatus::State::Ready && s.card.pin.tries_left > 0) ||
                          s.card.pin.state == core::card::RetryStatus::State::Verified;
  if (pin_usable && !s.pin_failed_or_locked) methods.push_back(Method::Pin);
  if (visual_enabled_) methods.push_back(Method::Visual);
  return methods;
}

// When nothing is left, the notice says what just happened (a face failure keeps its code) and the
// one step that is left, the counter: never "use another method" (issue 17 item 6).
Message ReceptionMachine::none_left_message(Message note) const {
  const std::string_view code = info(note).code;
  if (code == "K120") return Message::FaceNotMatchedNoneLeft;
  if (code == "K121") return Message::FaceUnavailableNoneLeft;
  if (code == "K122") return Message::FaceNotPossibleNoneLeft;
  const bool locked = session_->card.pin.state == core::card::RetryStatus::State::Blocked || session_->pin_failed_or_locked;
  return locked ? Message::PinLockedNoneLeft : Message::NoAuthenticationLeft;
}

void ReceptionMachine::offer_methods(Message note, TimePoint now, std::vector<Command>& out) {
  const std::vector<Method> methods = available_methods();
  if (methods.empty()) {
    const Message m = none_left_message(note);
    finish_session("authentication-impossible", "no method left", m, out);
    notice(m, now, out);
    return;
  }
  Screen s;
  s.step = Step::MethodChoice;
  s.methods = methods;
  s.message = note;
  const auto pin_state = session_->card.pin.state;
  if (note == Message::None && pin_state == core::card::RetryStatus::State::Blocked) s.message = Message::PinLocked;
  if (note == Message::None && pin_state == core::card::RetryStatus::State::NotSet) {
    // "face or the staff check" only while the staff check is offered
    s.message = contains(methods, Method::Visual) ? Message::PinNotSet : Message::PinNotSetUseFace;
  }
  // A smartphone has no card photo: say why face recognition is not offered.
  const auto token = session_->card.token;
  if (s.message == Message::None && !contains(methods, Method::Face) &&
      (token == core::card::TokenKind::AndroidSmartphone || token == core::card::TokenKind::IPhone)) {
    s.message = Message::FaceNotPossibleSmartphone;
  }
  s.timeout = policy_.timeouts.method_choice;
  show(std::move(s), now, out);
}

void ReceptionMachine::begin(Method m, TimePoint now, std::vector<Command>& out) {
  Session& s = *session_;
  s.method = m;
  Screen screen;
  switch (m) {
    case Method::Face:
      ++s.face_attempts;
      screen.step = Step::FaceCapture;
      screen.timeout = policy_.timeouts.face_capture;
      show(std::move(screen), now, out);
      out.push_back(StartFaceCapture{});
      return;
    case Method::Pin:
      screen.step = Step::PinEntry;
      screen.tries_left = s.card.pin.tries_left;
      screen.message = s.card.pin.tries_left == 1 ? Message::PinLastTry : Message::None;
      screen.timeout = policy_.timeouts.pin_entry;
      show(std::move(screen), now, out);
      return;
    case Method::Visual:
      screen.step = Step::VisualCheck;
      screen.timeout = policy_.timeouts.visual_check;
      show(std::move(screen), now, out);
      return;
  }
}

void ReceptionMachine::after_confirmation(TimePoint now, std::vector<Command>& out) {
  Session& s = *session_;
  const core::eligibility::Confirmation& c = *s.confirmation;
  Screen screen;
  if (c.registration_offer) {
    screen.step = Step::Registration;
    screen.message = Message::RegistrationOffered;
    screen.service_message = c.registration_offer->message;
    screen.timeout = policy_.timeouts.answer;
    show(std::move(screen), now, out);
    return;
  }
  const bool valid = c.result && c.result->body.qualification_validity == core::eligibility::QualificationValidity::Valid;
  if (valid && !c.medical_information_viewing_suspended) {
    screen.step = Step::Consent;
    screen.timeout = policy_.timeouts.answer;
    show(std::move(screen), now, out);
    return;
  }
  if (valid) {  // viewing suspended (ひも付け under review): no consent to ask
    screen.step = Step::Prescription;
    screen.medical_information_viewing_suspended = true;
    screen.timeout = policy_.timeouts.answer;
    show(std::move(screen), now, out);
    return;
  }
  // Not valid, no qualification, several: the result goes to the reception; the patient sees it.
  Screen result;
  result.step = Step::Result;
  if (c.result) {
    result_screen(result, *c.result);
    out.push_back(WriteResult{*c.result});
  }
  certificate_notice(result);
  result.timeout = policy_.timeouts.result;
  finish_session("reception-completed",
                 (c.result && c.result->body.qualification_validity
                      ? "qualification " + std::string(core::eligibility::label(*c.result->body.qualification_validity))
                      : std::string("no result")) +
                     certificate_outcome(),
                 result.message, out);
  show(std::move(result), now, out);
}

// What the result screen shows of a result: the validity, the insurer, the patient's share (from
// the record that holds it: core/eligibility/copayment.hpp) and the service's message.
void ReceptionMachine::result_screen(Screen& screen, const core::eligibility::OqsResult& result) const {
  const auto& body = result.body;
  screen.validity = body.qualification_validity;
  screen.service_message = body.processing_result_message;
  if (body.results.empty()) return;
  const core::eligibility::Qualification& q = body.results.front();
  screen.insurer_name = q.insurer_name;
  if (body.qualification_validity != core::eligibility::QualificationValidity::Valid) {
    // Why it is not valid, as codes the page says in the patient's language (the service's own
    // message stays as it is, in Japanese, for the staff): the lost qualification's ReasonOfLoss
    // and the first day without it (無効 and 無効（新しい資格あり）: the lost one is listed).
    for (const core::eligibility::Qualification& r : body.results) {
      if (r.reason_of_loss.empty() && !r.disqualification_date) continue;
      screen.loss_reason = r.reason_of_loss;
      screen.lost_from = iso(r.disqualification_date);
      break;
    }
    return;
  }
  const auto today = result.header.qualification_confirmation_date;
  if (!today) return;
  if (const auto share = core::eligibility::patient_copayment(q, *today)) screen.contribution_ratio = share->ratio_code();
}

// The card certificate's notice (K102 expiring within 3 months, K103 expired and in the grace
// period) with its dates, from the service's judgement when it sent one, else the kiosk's own.
void ReceptionMachine::certificate_notice(Screen& screen) const {
  if (!session_ || session_->numbers) return;
  const Session& s = *session_;
  const auto* notice = s.confirmation && s.confirmation->card_certificate ? &*s.confirmation->card_certificate : nullptr;
  using State = core::eligibility::CardCertificateState;
  bool soon = s.card.certificate == core::crypto::ValidationStatus::ExpiringSoon;
  bool grace = s.card.certificate == core::crypto::ValidationStatus::ExpiredInGrace;
  std::string expires = iso(s.card.certificate_expires);
  std::string until = iso(s.card.certificate_usable_until);
  if (notice != nullptr) {
    soon = notice->state == State::ExpiringSoon;
    grace = notice->state == State::ExpiredInGrace;
    if (notice->not_after) expires = iso(notice->not_after);
    if (notice->usable_until) until = iso(notice->usable_until);
  }
  if (soon) {
    screen.message = Message::CertificateExpiringSoon;
    screen.certificate_expires = expires;
  } else if (grace) {
    screen.message = Message::CertificateInGrace;
    screen.certificate_expires = expires;
    screen.certificate_usable_until = until;
  }
}

// The same notice for the journal and the reception desk's list ("; card certificate ...").
std::string ReceptionMachine::certificate_outcome() const {
  Screen s;
  certificate_notice(s);
  if (s.message == Message::CertificateExpiringSoon) {
    return "; card certificate expires " + (s.certificate_expires.empty() ? std::string("within 3 months") : s.certificate_expires) +
           ": renew at the municipal office";
  }
  if (s.message == Message::CertificateInGrace) {
    return "; card certificate expired " + s.certificate_expires + ", usable as insurance card until " +
           (s.certificate_usable_until.empty() ? std::string("3 months after") : s.certificate_usable_until) +
           ": renew now";
  }
  return "";
}

// A qualification the service confirmed is written for the reception even when the patient does
// not finish (cancel, no answer, reader failure on the consent or prescription screen): the
// consent as the service last answered it (not given unless given before), no prescription choice.
void ReceptionMachine::write_known_result(std::vector<Command>& out) {
  if (!session_ || !session_->confirmation || !session_->confirmation->result) return;
  const Step step = screen_.step;
  if (step != Step::Consent && step != Step::Prescription && step != Step::Confirming) return;
  out.push_back(WriteResult{*session_->confirmation->result});
}

// K120 / K121 / K122 say what the patient can do next: the variant for the methods still offered.
Message ReceptionMachine::face_failure_message(Message base) const {
  const std::vector<Method> left = available_methods();
  const bool face = contains(left, Method::Face);
  const bool pin = contains(left, Method::Pin);
  const bool visual = contains(left, Method::Visual);
  switch (base) {
    case Message::FaceNotMatched:
      if (face && pin) return Message::FaceNotMatched;
      if (pin) return Message::FaceNotMatchedUsePin;
      if (face) return Message::FaceNotMatchedRetry;
      if (visual) return Message::FaceNotMatchedUseStaff;
      return base;
    case Message::FaceUnavailable:
      return !pin && visual ? Message::FaceUnavailableUseStaff : base;
    case Message::FaceNotPossible:
      return !pin && visual ? Message::FaceNotPossibleUseStaff : base;
    default:
      return base;
  }
}

// The reader or the card service failed (not the card): the session ends with K160, the patient
// goes to the counter with the card and 資格情報のお知らせ. A qualification already confirmed is
// written for the reception.
void ReceptionMachine::reader_failed(const ReaderFailed& f, TimePoint now, std::vector<Command>& out) {
  card_present_ = false;  // nothing can be reported about a card on a reader that is gone
  const Step step = screen_.step;
  if (!session_ || session_->numbers || step == Step::Idle || step == Step::Result || step == Step::Notice) return;
  if (step == Step::RemoveCard) return back_to_idle(now, out);
  if (step == Step::FaceCapture) out.push_back(StopFaceCapture{});
  write_known_result(out);
  finish_session("reader-failed", f.detail.empty() ? std::string("the reader failed on ") + to_string(step) : f.detail,
                 Message::ReaderFailed, out);
  notice(Message::ReaderFailed, now, out);
}

void ReceptionMachine::back_to_idle(TimePoint now, std::vector<Command>& out) {
  Screen s;
  s.step = card_present_ ? Step::RemoveCard : Step::Idle;
  show(std::move(s), now, out);
  if (!card_present_) {
    session_.reset();
    out.push_back(EndSession{});
  }
}

// The 資格確認書 form (again with what is wrong, after a bad entry).
void ReceptionMachine::start_numbers(TimePoint now, std::vector<Command>& out, Message note, std::string problem) {
  Screen s;
  s.step = Step::NumberEntry;
  s.message = note;
  s.entry_problem = std::move(problem);
  s.timeout = policy_.timeouts.number_entry;
  show(std::move(s), now, out);
}

// The answer of the number path: a result like the card path's (written for the reception), or a
// refusal (an old 健康保険証 after 2025-12-01: K171; a 資格確認書 the service refused: K172), which
// is written too: refusals are results the reception system reads (docs/eligibility-protocol.md §3).
void ReceptionMachine::after_lookup(TimePoint now, std::vector<Command>& out) {
  Session& s = *session_;
  const core::eligibility::Confirmation& c = *s.confirmation;
  const std::string document = document_name(s.document);
  if (!c.result) {
    finish_session("service-failed", "lookup answered without a result", Message::ServiceUnavailableNumbers, out);
    return notice(Message::ServiceUnavailableNumbers, now, out);
  }
  out.push_back(WriteResult{*c.result});
  const auto& body = c.result->body;
  if (body.processing_result_status == core::eligibility::ProcessingResultStatus::Error) {
    const Message m = s.document == core::eligibility::PresentedDocument::HealthInsuranceCard ? Message::OldHealthInsuranceCard
                                                                                             : Message::EligibilityCertificateRefused;
    finish_session("numbers-refused", document + " refused " + body.processing_result_code, m, out);
    return notice(m, now, out, body.processing_result_message);
  }
  Screen result;
  result.step = Step::Result;
  result_screen(result, *c.result);
  result.numbers_path = true;
  result.timeout = policy_.timeouts.result;
  finish_session("reception-completed",
                 "qualification " +
                     (body.qualification_validity ? std::string(core::eligibility::label(*body.qualification_validity))
                                                  : std::string("none")) +
                     " (" + document + ")",
                 Message::None, out);
  show(std::move(result), now, out);
}

void ReceptionMachine::timeout(TimePoint now, std::vector<Command>& out) {
  switch (screen_.step) {
    case Step::FaceCapture:
      out.push_back(StopFaceCapture{});
      [[fallthrough]];
    case Step::MethodChoice:
    case Step::PinEntry:
    case Step::VisualCheck:
    case Step::Registration:
    case Step::Consent:
    case Step::Prescription:
    case Step::NumberEntry:
      write_known_result(out);
      finish_session("timed-out",
                     std::string("no answer on ") + to_string(screen_.step) +
                         (session_ && session_->confirmation && session_->confirmation->result &&
                                  (screen_.step == Step::Consent || screen_.step == Step::Prescription)
                              ? "; result written, consent not given"
                              : ""),
                     Message::TimedOut, out);
      notice(Message::TimedOut, now, out);
      return;
    case Step::Confirming: {
      const Message m = session_ && session_->numbers ? Message::ServiceUnavailableNumbers : Message::ServiceUnavailable;
      write_known_result(out);  // the consent round timed out: the qualification is known
      finish_session("service-timeout", "no answer from the service in time", m, out);
      notice(m, now, out);
      return;
    }
    case Step::Result:
    case Step::Notice:
      back_to_idle(now, out);
      return;
    default:
      deadline_.reset();
      return;
  }
}

void ReceptionMachine::staff_mode(const StaffVisualCheckMode& m, TimePoint now, std::vector<Command>& out) {
  if (m.enabled && m.staff_id.empty()) return;  // visual check is always someone's responsibility
  if (!m.enabled && !visual_enabled_) return;   // already off: nothing to journal
  const bool was_enabled = visual_enabled_;
  visual_enabled_ = m.enabled;
  if (m.enabled) {
    const seconds duration = m.duration.count() > 0 ? m.duration : policy_.visual_check_mode;
    visual_until_ = now + duration;
    visual_staff_ = m.staff_id;
    out.push_back(JournalEntry{"staff", was_enabled ? "visual-check-extended" : "visual-check-on", "visual",
                               "staff " + m.staff_id + " for " + std::to_string(duration.count() / 60) + " min", ""});
  } else {
    out.push_back(JournalEntry{"staff", "visual-check-off", "visual",
                               "staff " + (m.staff_id.empty() ? visual_staff_ : m.staff_id), ""});
    visual_staff_.clear();
  }
  // Staff stand at the kiosk when they switch: the choice on show follows at once.
  // K113 names the staff check only while it is offered: chosen again for the new set of buttons.
  if (screen_.step == Step::MethodChoice && session_) {
    const Message note = screen_.message == Message::PinNotSet || screen_.message == Message::PinNotSetUseFace
                             ? Message::None
                             : screen_.message;
    offer_methods(note, now, out);
  }
}

std::vector<Command> ReceptionMachine::handle(Event event, TimePoint now) {
  std::vector<Command> out;
  const Step step = screen_.step;
  auto ignored = [] {};
  std::visit(
      Overload{
          [&](const Tick& t) {
            if (visual_enabled_ && t.now >= visual_until_) {
              // A patient who already sees the visual-check button, or is being checked, keeps
              // it for this session: the mode ends for the next card (no screen changes here).
              visual_enabled_ = false;
              out.push_back(JournalEntry{"staff", "visual-check-expired", "visual", "staff " + visual_staff_, ""});
              visual_staff_.clear();
            }
            if (deadline_ && t.now >= *deadline_) timeout(t.now, out);
          },
          [&](const CardPlaced&) {
            card_present_ = true;
            // A card placed on the 資格確認書 form: the patient has a card after all.
            if (step != Step::Idle && step != Step::NumberEntry) return ignored();
            session_.emplace();
            Screen s;
            s.step = Step::ReadingCard;
            show(std::move(s), now, out);
            out.push_back(ReadCard{});
          },
          [&](const CardRemoved&) {
            card_present_ = false;
            if (step == Step::Idle) return ignored();
            // A card lying on the reader during the 資格確認書 path is not part of it.
            if (session_ && session_->numbers && step != Step::RemoveCard) return ignored();
            if (step == Step::FaceCapture) out.push_back(StopFaceCapture{});
            if (step != Step::RemoveCard && step != Step::Result && step != Step::Notice) {
              finish_session("card-removed", std::string("card taken away on ") + to_string(step),
                             Message::CardRemovedEarly, out);
            }
            session_.reset();
            out.push_back(EndSession{});
            Screen s;
            show(std::move(s), now, out);
          },
          [&](const CardRead& r) {
            if (step != Step::ReadingCard || !session_) return ignored();
            session_->card = r;
            switch (r.certificate) {
              case core::crypto::ValidationStatus::Expired:
              case core::crypto::ValidationStatus::Revoked:
                finish_session("card-refused", std::string("certificate ") + std::string(core::crypto::to_string(r.certificate)),
                               Message::CertificateRejected, out);
                return notice(Message::CertificateRejected, now, out);
              case core::crypto::ValidationStatus::Untrusted:
              case core::crypto::ValidationStatus::NotYetValid:
                finish_session("card-refused", std::string("certificate ") + std::string(core::crypto::to_string(r.certificate)),
                               Message::CertificateUntrusted, out);
                return notice(Message::CertificateUntrusted, now, out);
              case core::crypto::ValidationStatus::ExpiringSoon:
                return offer_methods(Message::CertificateExpiringSoon, now, out);
              case core::crypto::ValidationStatus::ExpiredInGrace:
                return offer_methods(Message::CertificateInGrace, now, out);
              case core::crypto::ValidationStatus::Valid:
                return offer_methods(Message::None, now, out);
            }
          },
          [&](const CardReadFailed& f) {  // while reading, or a card that stops answering later
            if (step == Step::Idle || step == Step::Result || step == Step::Notice || step == Step::RemoveCard ||
                !session_ || session_->numbers) {
              return ignored();
            }
            if (step == Step::FaceCapture) out.push_back(StopFaceCapture{});
            write_known_result(out);
            finish_session("card-refused", f.detail, f.reason, out);
            notice(f.reason, now, out);
          },
          [&](const ReaderFailed& f) { reader_failed(f, now, out); },
          [&](const NumberEntryRequested&) {
            if (step != Step::Idle) return ignored();
            session_.emplace();
            session_->numbers = true;
            start_numbers(now, out);
          },
          [&](const NumbersEntered& e) {
            if (step != Step::NumberEntry || !session_ || !session_->numbers) return ignored();
            auto checked = core::eligibility::check_number_entry(e.entry);
            if (const auto* problem = std::get_if<core::eligibility::EntryProblem>(&checked)) {
              out.push_back(JournalEntry{"reception", "numbers-invalid", "numbers", problem->entry + ": " + problem->detail,
                                         info(Message::NumbersInvalid).code});
              return start_numbers(now, out, Message::NumbersInvalid, problem->entry);
            }
            session_->document = e.entry.document;
            Screen s;
            s.step = Step::Confirming;
            s.timeout = policy_.timeouts.confirming;
            show(std::move(s), now, out);
            out.push_back(LookUpNumbers{std::get<core::eligibility::NumberLookup>(std::move(checked))});
          },
          [&](const DocumentReadRequested&) {
            if (step != Step::NumberEntry || !session_ || !session_->numbers || screen_.reading_document) return ignored();
            Screen s = screen_;
            s.reading_document = true;
            s.message = Message::None;
            s.entry_problem.clear();
            show(std::move(s), now, out);
            out.push_back(ReadDocument{session_->document});
          },
          [&](DocumentRead& r) {
            if (step != Step::NumberEntry || !session_ || !session_->numbers || !screen_.reading_document) return ignored();
            out.push_back(JournalEntry{"reception", "document-read", "numbers",
                                       std::string("read as ") + document_name(r.entry.document) + "; the patient checks it",
                                       info(Message::DocumentReadCheck).code});
            Screen s;
            s.step = Step::NumberEntry;
            s.message = Message::DocumentReadCheck;
            s.form = std::move(r.entry);
            s.timeout = policy_.timeouts.number_entry;
            show(std::move(s), now, out);
          },
          [&](const DocumentReadFailed& f) {
            if (step != Step::NumberEntry || !session_ || !session_->numbers || !screen_.reading_document) return ignored();
            out.push_back(JournalEntry{"reception", "document-unreadable", "numbers", f.kind + ": " + f.detail,
                                       info(Message::DocumentUnreadable).code});
            start_numbers(now, out, Message::DocumentUnreadable);
          },
          [&](const MethodChosen& m) {
            if (step != Step::MethodChoice || !contains(screen_.methods, m.method)) return ignored();
            begin(m.method, now, out);
          },
          [&](PinTyped& p) {
            if (step != Step::PinEntry || p.pin.size() != 4 || !p.pin.all_digits()) return ignored();
            Screen s;
            s.step = Step::Confirming;
            s.timeout = policy_.timeouts.confirming;
            show(std::move(s), now, out);
            out.push_back(VerifyPin{std::move(p.pin)});
          },
          [&](const PinChecked& c) {
            if (step != Step::Confirming || !session_ || session_->method != Method::Pin || session_->confirmation) {
              return ignored();
            }
            Session& s = *session_;
            if (c.outcome == core::card::VerifyOutcome::Verified) {
              out.push_back(ConfirmEligibility{Method::Pin, std::nullopt});
              return;
            }
            if (c.outcome == core::card::VerifyOutcome::Wrong && c.tries_left > 0) {
              s.card.pin.tries_left = c.tries_left;
              out.push_back(JournalEntry{"reception", "pin-wrong", "pin", std::to_string(c.tries_left) + " tries left",
                                         info(Message::PinWrong).code});
              Screen screen;
              screen.step = Step::PinEntry;
              screen.tries_left = c.tries_left;
              screen.message = c.tries_left == 1 ? Message::PinWrongLastTry : Message::PinWrong;
              screen.timeout = policy_.timeouts.pin_entry;
              return show(std::move(screen), now, out);
            }
            s.card.pin = {core::card::RetryStatus::State::Blocked, 0};
            s.pin_failed_or_locked = true;
            out.push_back(JournalEntry{"reception", "pin-locked", "pin", "the card locked its PIN", info(Message::PinLocked).code});
            offer_methods(Message::PinLocked, now, out);
          },
          [&](const FaceGuidance& g) {
            if (step != Step::FaceCapture) return ignored();
            screen_.guidance = g.guidance;
            out.push_back(Show{screen_});
          },
          [&](const FaceFinished& f) {
            if (step != Step::FaceCapture) return ignored();
            Session& s = *session_;
            if (f.outcome == FaceOutcome::Matched) {
              s.face_evidence = f.evidence;
              Screen screen;
              screen.step = Step::Confirming;
              screen.timeout = policy_.timeouts.confirming;
              show(std::move(screen), now, out);
              out.push_back(ConfirmEligibility{Method::Face, core::eligibility::Evidence{f.evidence}});
              return;
            }
            Message m = Message::FaceNotMatched;
            if (f.outcome == FaceOutcome::CameraLost) {
              m = Message::FaceUnavailable;
              s.face_attempts = policy_.max_face_attempts;
            } else if (f.outcome == FaceOutcome::CardPhotoUnavailable || f.outcome == FaceOutcome::CardNotGenuine) {
              m = Message::FaceNotPossible;
              s.face_attempts = policy_.max_face_attempts;
            }
            const std::string outcome = f.detail.empty() ? std::string(to_string(f.outcome))
                                                         : std::string(to_string(f.outcome)) + ": " + f.detail;
            out.push_back(JournalEntry{"reception", "face-failed", "face", outcome, info(m).code});
            offer_methods(face_failure_message(m), now, out);
          },
          [&](const VisualChecked& v) {
            if (step != Step::VisualCheck) return ignored();
            if (!v.confirmed) {
              finish_session("visual-check-declined", "staff " + v.staff_id, Message::VisualCheckDeclined, out);
              return notice(Message::VisualCheckDeclined, now, out);
            }
            Screen screen;
            screen.step = Step::Confirming;
            screen.timeout = policy_.timeouts.confirming;
            show(std::move(screen), now, out);
            out.push_back(ConfirmEligibility{
                Method::Visual, core::eligibility::Evidence{core::eligibility::VisualCheckEvidence{v.staff_id, "staff visual check"}}});
          },
          [&](Confirmed& c) {
            if (step != Step::Confirming || !session_) return ignored();
            Session& s = *session_;
            const bool consent_round = s.confirmation && !s.confirmation->registration_offer;
            s.confirmation = std::move(c.confirmation);
            if (s.numbers) return after_lookup(now, out);
            if (!consent_round) return after_confirmation(now, out);
            // The consent and prescription choice are recorded: the result is final.
            Screen result;
            result.step = Step::Result;
            if (s.confirmation->result) {
              result_screen(result, *s.confirmation->result);
              out.push_back(WriteResult{*s.confirmation->result});
            }
            certificate_notice(result);
            result.medical_information_viewing_suspended = s.confirmation->medical_information_viewing_suspended;
            result.timeout = policy_.timeouts.result;
            finish_session("reception-completed",
                           std::string("qualification valid; consent ") + (s.consent ? "given" : "not given") +
                               certificate_outcome(),
                           result.message, out);
            show(std::move(result), now, out);
          },
          [&](const ServiceFailed& f) {
            if (step != Step::Confirming || !session_) return ignored();
            namespace codes = core::eligibility::codes;
            Message m = f.counter_fallback ? Message::ServiceUnavailable : Message::ServiceRefused;
            if (session_->numbers && f.counter_fallback) m = Message::ServiceUnavailableNumbers;
            // A refusal on the 資格確認書 path: K172 (the document at the counter), not K141's My Number card.
            if (session_->numbers && !f.counter_fallback) m = Message::EligibilityCertificateRefused;
            // The service's verdict on the card certificate is the rule (docs/reception-rules.md §4).
            if (f.code == codes::kCardCertificateExpired || f.code == codes::kCardCertificateRevoked) {
              m = Message::CertificateRejected;
            } else if (f.code == codes::kCardCertificateUntrusted || f.code == codes::kCardCertificateNotYetValid) {
              m = Message::CertificateUntrusted;
            }
            if (session_->confirmation && session_->confirmation->result && !session_->numbers) {
              out.push_back(WriteResult{*session_->confirmation->result});  // eligibility is known; consent is not
            }
            finish_session("service-failed", f.code, m, out);
            notice(m, now, out, f.counter_fallback ? std::string() : f.display_message);
          },
          [&](const Answered& a) {
            if (step == Step::Registration) {
              if (!a.yes) {
                finish_session("registration-declined", "", Message::RegistrationDeclined, out);
                return notice(Message::RegistrationDeclined, now, out);
              }
              const core::eligibility::RegistrationOffer offer = *session_->confirmation->registration_offer;
              session_->confirmation.reset();  // the confirmation after registration replaces it
              Screen s;
              s.step = Step::Confirming;
              s.timeout = policy_.timeouts.confirming;
              show(std::move(s), now, out);
              out.push_back(RegisterForInsuranceUse{offer});
              return;
            }
            if (step == Step::Consent) {
              session_->consent = a.yes;
              Screen s;
              s.step = Step::Prescription;
              s.timeout = policy_.timeouts.answer;
              return show(std::move(s), now, out);
            }
          },
          [&](const PrescriptionChosen& p) {
            if (step != Step::Prescription) return ignored();
            Screen s;
            s.step = Step::Confirming;
            s.timeout = policy_.timeouts.confirming;
            show(std::move(s), now, out);
            out.push_back(RecordConsent{session_->confirmation->confirmation_id,
                                        core::eligibility::ConsentChoice{session_->consent, p.choice}});
          },
          [&](const Acknowledged&) {
            if (step != Step::Result && step != Step::Notice) return ignored();
            back_to_idle(now, out);
          },
          [&](const Cancelled&) {
            const bool cancellable = step == Step::MethodChoice || step == Step::PinEntry || step == Step::FaceCapture ||
                                     step == Step::VisualCheck || step == Step::Registration || step == Step::Consent ||
                                     step == Step::Prescription || step == Step::NumberEntry;
            if (!cancellable) return ignored();
            if (step == Step::FaceCapture) out.push_back(StopFaceCapture{});
            // The qualification is confirmed: the reception gets it, with the consent not given.
            const bool known = (step == Step::Consent || step == Step::Prescription) && session_ && session_->confirmation &&
                               session_->confirmation->result;
            write_known_result(out);
            // The 資格確認書 path has no card to take: its own next step (the document at the counter).
            const Message m = session_ && session_->numbers ? Message::CheckInCancelledNumbers : Message::CheckInCancelled;
            finish_session("cancelled",
                           std::string("cancelled on ") + to_string(step) +
                               (known ? "; qualification valid, result written, consent not given" : ""),
                           m, out);
            // Not the "take your card" screen of a finished check-in: a notice that it is not
            // finished and where to go (then, as after every notice, the card is taken).
            notice(m, now, out);
          },
          [&](const PatientActive&) {
            // The time-out of the screen on show starts again; nothing changes on screen (the
            // page keeps what the patient typed), so no Show.
            if (!patient_paced(step) || !deadline_ || screen_.timeout.count() <= 0) return ignored();
            deadline_ = now + screen_.timeout;
          },
          [&](const StaffVisualCheckMode& m) { staff_mode(m, now, out); },
          [&](const auto&) { ignored(); },
      },
      event);
  return out;
}

}  // namespace kiosk::core::reception
