#include "core/reception/reception_machine.hpp"

#include <algorithm>

namespace kiosk::core::reception {
namespace {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

bool contains(const std::vector<Method>& v, Method m) { return std::find(v.begin(), v.end(), m) != v.end(); }

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
  }
  return "?";
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
      "answered", "prescription-chosen", "acknowledged", "cancelled", "tick", "staff-visual-check-mode"};
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
  const std::string method = session_ && session_->method ? to_string(*session_->method) : "";
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

void ReceptionMachine::offer_methods(Message note, TimePoint now, std::vector<Command>& out) {
  const std::vector<Method> methods = available_methods();
  if (methods.empty()) {
    const bool locked = session_->card.pin.state == core::card::RetryStatus::State::Blocked || session_->pin_failed_or_locked;
    const Message m = locked ? Message::PinLocked : Message::NoAuthenticationLeft;
    finish_session("authentication-impossible", "no method left", m, out);
    notice(m, now, out);
    return;
  }
  Screen s;
  s.step = Step::MethodChoice;
  s.methods = methods;
  s.message = note;
  if (note == Message::None && session_->card.pin.state == core::card::RetryStatus::State::Blocked) s.message = Message::PinLocked;
  if (note == Message::None && session_->card.pin.state == core::card::RetryStatus::State::NotSet) s.message = Message::PinNotSet;
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
    result.validity = c.result->body.qualification_validity;
    result.service_message = c.result->body.processing_result_message;
    out.push_back(WriteResult{*c.result});
  }
  result.timeout = policy_.timeouts.result;
  finish_session("reception-completed",
                 c.result && c.result->body.qualification_validity
                     ? "qualification " + std::string(core::eligibility::label(*c.result->body.qualification_validity))
                     : "no result",
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
      finish_session("timed-out", std::string("no answer on ") + to_string(screen_.step), Message::TimedOut, out);
      notice(Message::TimedOut, now, out);
      return;
    case Step::Confirming:
      finish_session("service-timeout", "no answer from the service in time", Message::ServiceUnavailable, out);
      notice(Message::ServiceUnavailable, now, out);
      return;
    case Step::Result:
    case Step::Notice: {
      Screen s;
      s.step = card_present_ ? Step::RemoveCard : Step::Idle;
      show(std::move(s), now, out);
      if (!card_present_) {
        session_.reset();
        out.push_back(EndSession{});
      }
      return;
    }
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
  if (screen_.step == Step::MethodChoice && session_) offer_methods(screen_.message, now, out);
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
            if (step != Step::Idle) return ignored();
            session_.emplace();
            Screen s;
            s.step = Step::ReadingCard;
            show(std::move(s), now, out);
            out.push_back(ReadCard{});
          },
          [&](const CardRemoved&) {
            card_present_ = false;
            if (step == Step::Idle) return ignored();
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
            if (step != Step::ReadingCard) return ignored();
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
            if (step == Step::Idle || step == Step::Result || step == Step::Notice || step == Step::RemoveCard) {
              return ignored();
            }
            if (step == Step::FaceCapture) out.push_back(StopFaceCapture{});
            finish_session("card-refused", f.detail, f.reason, out);
            notice(f.reason, now, out);
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
              screen.message = c.tries_left == 1 ? Message::PinLastTry : Message::PinWrong;
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
            offer_methods(m, now, out);
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
            if (!consent_round) return after_confirmation(now, out);
            // The consent and prescription choice are recorded: the result is final.
            Screen result;
            result.step = Step::Result;
            if (s.confirmation->result) {
              const auto& body = s.confirmation->result->body;
              result.validity = body.qualification_validity;
              if (!body.results.empty()) {
                result.insurer_name = body.results.front().insurer_name;
                result.contribution_ratio = body.results.front().insured_partial_contribution_ratio;
              }
              out.push_back(WriteResult{*s.confirmation->result});
            }
            result.medical_information_viewing_suspended = s.confirmation->medical_information_viewing_suspended;
            result.timeout = policy_.timeouts.result;
            finish_session("reception-completed",
                           std::string("qualification valid; consent ") + (s.consent ? "given" : "not given"), Message::None,
                           out);
            show(std::move(result), now, out);
          },
          [&](const ServiceFailed& f) {
            if (step != Step::Confirming) return ignored();
            const Message m = f.counter_fallback ? Message::ServiceUnavailable : Message::ServiceRefused;
            if (session_ && session_->confirmation && session_->confirmation->result) {
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
            Screen s;
            s.step = card_present_ ? Step::RemoveCard : Step::Idle;
            show(std::move(s), now, out);
            if (!card_present_) {
              session_.reset();
              out.push_back(EndSession{});
            }
          },
          [&](const Cancelled&) {
            const bool cancellable = step == Step::MethodChoice || step == Step::PinEntry || step == Step::FaceCapture ||
                                     step == Step::VisualCheck || step == Step::Registration || step == Step::Consent ||
                                     step == Step::Prescription;
            if (!cancellable) return ignored();
            if (step == Step::FaceCapture) out.push_back(StopFaceCapture{});
            finish_session("cancelled", std::string("cancelled on ") + to_string(step), Message::None, out);
            Screen s;
            s.step = Step::RemoveCard;
            show(std::move(s), now, out);
          },
          [&](const StaffVisualCheckMode& m) { staff_mode(m, now, out); },
          [&](const auto&) { ignored(); },
      },
      event);
  return out;
}

}  // namespace kiosk::core::reception
