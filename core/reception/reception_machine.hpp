// The reception as an explicit, device-free state machine.
//
// Events come in (the card was placed, the patient touched a button, the card answered, the
// service answered, time passed); commands go out (show this screen, read the card, verify this
// PIN, ask the service, write the result, journal this). A runner in the firmware executes the
// commands with real or simulated devices and feeds their outcomes back as events. Time enters
// only as Tick events, so tests and QA scenarios run on virtual time.
//
// Flow: Idle -> ReadingCard -> MethodChoice -> FaceCapture / PinEntry / VisualCheck ->
// Confirming -> [Registration -> Confirming] -> Consent -> Prescription -> Result -> RemoveCard
// -> Idle. Problems show a Notice with a numbered message, then RemoveCard. The card taken away
// at any step ends the session at once; nothing of it survives into the next one.
// The 資格確認書 path (no card): Idle -> NumberEntry -> Confirming -> Result (or a Notice) -> Idle
// (docs/reception-rules.md §12).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/card/jpki_application.hpp"
#include "core/card/reference_data.hpp"
#include "core/card/secret.hpp"
#include "core/crypto/validation.hpp"
#include "core/eligibility/attestation.hpp"
#include "core/eligibility/number_entry.hpp"
#include "core/eligibility/result.hpp"
#include "core/reception/messages.hpp"

namespace kiosk::core::reception {

using TimePoint = std::chrono::steady_clock::time_point;
using std::chrono::seconds;

enum class Method { Face, Pin, Visual };
const char* to_string(Method m);

enum class Step {
  Idle, ReadingCard, MethodChoice, FaceCapture, PinEntry, VisualCheck, Confirming, Registration, Consent,
  Prescription, Result, Notice, RemoveCard, NumberEntry,
};
const char* to_string(Step s);
// Whether the patient's own activity restarts this step's time-out (PatientActive): the steps that
// wait for the patient to answer or read (not the face capture, whose pipeline has its own
// budget, the staff check, or the steps that wait for a device or the service).
bool patient_paced(Step s);

// What the patient sees; everything a screen needs, nothing personal beyond the result summary.
struct Screen {
  Step step = Step::Idle;
  Message message = Message::None;  // a notice on this screen (or the reason of a Notice)
  std::vector<Method> methods;      // MethodChoice: the buttons offered
  int tries_left = -1;              // PinEntry
  std::string guidance;             // FaceCapture: "move-closer", "more-light", ... (resource keys)
  std::string service_message;      // the service's own text, shown as it is
  // Result
  std::optional<core::eligibility::QualificationValidity> validity;
  std::string insurer_name;
  // The patient's share as the OQS layout writes ratios ("030" = 3割), taken from the record that
  // holds it for the patient's age and insurance (core/eligibility/copayment.hpp); empty when the
  // result does not say it.
  std::string contribution_ratio;
  bool medical_information_viewing_suspended = false;
  // A result that is not valid: why, as the service's codes (the page says them in the patient's
  // language): the lost qualification's ReasonOfLoss ("01" death, "02" public assistance, "03"
  // other insurance, "99" other) and its first day without qualification (YYYY-MM-DD). Empty when
  // the result does not say it.
  std::string loss_reason;
  std::string lost_from;
  // A result of the 資格確認書 path: no card to take; the next step names the document instead.
  bool numbers_path = false;
  // The card certificate's notice, repeated on the result (K102 / K103 in `message`): the
  // expiry date (YYYY-MM-DD, Japan) and, within the grace period, the last day the card can be
  // used as a health insurance card. Empty without a notice.
  std::string certificate_expires;
  std::string certificate_usable_until;
  // NumberEntry with NumbersInvalid: which entry is wrong (core/eligibility/number_entry.hpp).
  std::string entry_problem;
  // NumberEntry after the document on the card tray was read (DocumentReadCheck): the form's
  // values as read, for the patient to check and correct before sending; and whether the reader
  // is reading it now.
  std::optional<core::eligibility::NumberEntry> form;
  bool reading_document = false;
  seconds timeout{0};               // 0: no time-out
};

// ---- events ----
struct CardPlaced {};
struct CardRemoved {};
struct CardRead {
  core::card::TokenKind token = core::card::TokenKind::MyNumberCard;
  core::crypto::ValidationStatus certificate = core::crypto::ValidationStatus::Valid;
  core::card::RetryStatus pin;
  bool has_card_photo = true;  // a card (not a smartphone) with a 券面事項確認AP
  // The kiosk's own reading of the certificate's dates (Japan dates; the service's notice, when
  // it sends one, is preferred): its expiry date, and the last day it may be used.
  std::optional<core::eligibility::Date> certificate_expires;
  std::optional<core::eligibility::Date> certificate_usable_until;
};
// The card could not be read, or stopped answering during the session.
struct CardReadFailed {
  Message reason = Message::Unreadable;  // Unreadable, NotMyNumberCard
  std::string detail;                    // for the journal
};
// The reader itself, or the card service (pcscd), failed: unplugged, stopped, gone. Not the
// card's fault: the patient goes to the counter with the card and 資格情報のお知らせ (K160).
struct ReaderFailed {
  std::string detail;  // for the journal
};
struct MethodChosen { Method method; };
struct PinTyped { core::card::Secret pin; };
struct PinChecked {
  core::card::VerifyOutcome outcome = core::card::VerifyOutcome::Wrong;
  int tries_left = -1;
};
struct FaceGuidance { std::string guidance; };
// CardPhotoUnavailable: the photo cannot be opened here (照合番号B not presented or wrong, a
// next-generation card, no scanner read); CardNotGenuine: the card-face record or the chip failed
// the genuine-card proof (docs/genuine-card.md). Both offer the PIN or the staff check, no more face.
enum class FaceOutcome { Matched, NotMatched, NoFaceInTime, CameraLost, LivenessFailed, CardPhotoUnavailable, CardNotGenuine };
const char* to_string(FaceOutcome o);
struct FaceFinished {
  FaceOutcome outcome = FaceOutcome::NotMatched;
  core::eligibility::FaceMatchEvidence evidence;  // for Matched
  std::string detail;  // why, for the journal ("issuer-untrusted", "next-generation-card"); no personal data
};
struct VisualChecked {
  bool confirmed = false;
  std::string staff_id;
};
struct Confirmed { core::eligibility::Confirmation confirmation; };
struct ServiceFailed {
  bool counter_fallback = true;  // system-side failure: the counter with 資格情報のお知らせ
  std::string display_message;   // the service's text for a refusal
  std::string code;              // for the journal
};
struct Answered { bool yes = false; };  // registration, consent
struct PrescriptionChosen { core::eligibility::PrescriptionIssue choice; };
struct Acknowledged {};  // "OK" on a result or notice
struct Cancelled {};     // the patient gave up
// The patient touched the screen (a PIN digit, the language, the text size, "continue" on the
// time-out warning, ...) without answering yet: on a screen that waits for the patient, its
// time-out starts again. Carries nothing of what was touched (a PIN digit stays in the page).
struct PatientActive {};
struct Tick { TimePoint now; };
// The 資格確認書 path: the patient (or staff) chose it on the idle screen, then sent the form.
struct NumberEntryRequested {};
struct NumbersEntered { core::eligibility::NumberEntry entry; };
// The 資格確認書 form's 「書類を読み取る」: the kiosk reads the document on the card tray; what it
// read fills the form (DocumentRead), never sent by itself (an OCR misread must not become
// somebody else's qualification); or the patient types the numbers (DocumentReadFailed, with the
// reader's error kind: hal::to_string(DocumentReadErrorKind)).
struct DocumentReadRequested {};
struct DocumentRead { core::eligibility::NumberEntry entry; };
struct DocumentReadFailed {
  std::string kind;    // "unreadable", "no-document", "unknown-layout", "device-gone", "timeout"
  std::string detail;  // for the journal (no value read)
};
// Staff switch visual check on (after authenticating; the frontend checks that) or off. On is
// time-limited: the mode ends by itself `duration` later (0: Policy::visual_check_mode), seen at
// the first Tick after it, journaled "visual-check-expired". An "on" without a staff id is ignored.
struct StaffVisualCheckMode {
  bool enabled = false;
  std::string staff_id;
  seconds duration{0};
};

using Event = std::variant<CardPlaced, CardRemoved, CardRead, CardReadFailed, MethodChosen, PinTyped, PinChecked,
                           FaceGuidance, FaceFinished, VisualChecked, Confirmed, ServiceFailed, Answered,
                           PrescriptionChosen, Acknowledged, Cancelled, Tick, StaffVisualCheckMode, ReaderFailed,
                           NumberEntryRequested, NumbersEntered, PatientActive, DocumentReadRequested, DocumentRead,
                           DocumentReadFailed>;
const char* event_name(const Event& e);

// ---- commands ----
struct Show { Screen screen; };
struct ReadCard {};
struct StartFaceCapture {};
struct StopFaceCapture {};
struct VerifyPin { core::card::Secret pin; };
struct ConfirmEligibility {
  Method method = Method::Pin;
  std::optional<core::eligibility::Evidence> evidence;  // face score or the staff member
};
struct RegisterForInsuranceUse { core::eligibility::RegistrationOffer offer; };
struct RecordConsent {
  std::string confirmation_id;
  core::eligibility::ConsentChoice choice;
};
struct WriteResult { core::eligibility::OqsResult result; };
// The number path's lookup (資格確認書 / 健康保険証 numbers), checked by the machine.
struct LookUpNumbers { core::eligibility::NumberLookup lookup; };
// Read the document on the card tray (the number path's 「書類を読み取る」).
struct ReadDocument { core::eligibility::PresentedDocument expected = core::eligibility::PresentedDocument::EligibilityCertificate; };
struct JournalEntry {
  std::string kind = "reception";  // "reception", "staff" (visual-check mode changes)
  std::string event;    // "reception-completed", "pin-wrong", "card-removed", ...
  std::string method;   // "pin", "face", "visual", ""
  std::string outcome;  // free text without personal data
  std::string message_code;
};
struct EndSession {};  // wipe the card session, face data, the result

using Command = std::variant<Show, ReadCard, StartFaceCapture, StopFaceCapture, VerifyPin, ConfirmEligibility,
                             RegisterForInsuranceUse, RecordConsent, WriteResult, JournalEntry, EndSession, LookUpNumbers,
                             ReadDocument>;

struct Timeouts {
  seconds method_choice{60};
  seconds pin_entry{60};
  // The face pipeline has its own budgets (the card surface read, up to 15 s for a face to show,
  // 6 s from it); this is the backstop.
  seconds face_capture{45};
  seconds visual_check{120};
  seconds confirming{30};
  seconds answer{60};        // registration, consent, prescription
  seconds result{20};
  seconds notice{20};
  seconds number_entry{180};  // five entries typed on a touch screen
};

struct Policy {
  int max_face_attempts = 2;  // then the PIN (or staff check) is offered
  Timeouts timeouts;
  seconds visual_check_mode{30 * 60};  // how long staff visual check stays on (default 30 min)
};

// What the machine knows of the patient in front of it, from the card (or the 資格確認書 form)
// to the end of the reception. At namespace scope: a nested class with default member
// initialisers is not default-constructible inside its enclosing class for clang (so
// std::optional<Session>::emplace() would not compile there).
struct ReceptionSession {
  bool numbers = false;  // the 資格確認書 path: no card
  core::eligibility::PresentedDocument document = core::eligibility::PresentedDocument::EligibilityCertificate;
  CardRead card;
  int face_attempts = 0;
  bool pin_failed_or_locked = false;
  std::optional<Method> method;
  std::optional<core::eligibility::FaceMatchEvidence> face_evidence;
  std::optional<core::eligibility::Confirmation> confirmation;
  bool consent = false;
};

class ReceptionMachine {
 public:
  explicit ReceptionMachine(Policy policy = {});

  // Handles one event at `now` (steady time) and returns the commands to carry out, in order.
  std::vector<Command> handle(Event event, TimePoint now);

  Step step() const noexcept { return screen_.step; }
  const Screen& screen() const noexcept { return screen_; }
  bool visual_check_enabled() const noexcept { return visual_enabled_; }
  // When the visual-check mode ends by itself (nullopt while off).
  std::optional<TimePoint> visual_check_until() const noexcept {
    return visual_enabled_ ? std::optional<TimePoint>(visual_until_) : std::nullopt;
  }

 private:
  using Session = ReceptionSession;

  void show(Screen s, TimePoint now, std::vector<Command>& out);
  void notice(Message m, TimePoint now, std::vector<Command>& out, const std::string& service_message = {});
  void offer_methods(Message note, TimePoint now, std::vector<Command>& out);
  Message none_left_message(Message note) const;
  std::vector<Method> available_methods() const;
  void begin(Method m, TimePoint now, std::vector<Command>& out);
  void after_confirmation(TimePoint now, std::vector<Command>& out);
  void after_lookup(TimePoint now, std::vector<Command>& out);
  void result_screen(Screen& screen, const core::eligibility::OqsResult& result) const;
  void certificate_notice(Screen& screen) const;
  std::string certificate_outcome() const;
  Message face_failure_message(Message base) const;
  void write_known_result(std::vector<Command>& out);
  void reader_failed(const ReaderFailed& f, TimePoint now, std::vector<Command>& out);
  void start_numbers(TimePoint now, std::vector<Command>& out, Message note = Message::None, std::string problem = {});
  void back_to_idle(TimePoint now, std::vector<Command>& out);
  void finish_session(const std::string& event, const std::string& outcome, Message m, std::vector<Command>& out);
  void timeout(TimePoint now, std::vector<Command>& out);
  void staff_mode(const StaffVisualCheckMode& m, TimePoint now, std::vector<Command>& out);

  Policy policy_;
  Screen screen_;
  std::optional<TimePoint> deadline_;
  std::optional<Session> session_;
  bool visual_enabled_ = false;
  TimePoint visual_until_{};
  std::string visual_staff_;
  bool card_present_ = false;
};

}  // namespace kiosk::core::reception
