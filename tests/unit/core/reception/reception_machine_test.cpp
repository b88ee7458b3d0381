// The reception state machine: every transition and time-out, on virtual time.
#include <catch2/catch.hpp>

#include "core/reception/reception_machine.hpp"
#include "hal/calendar.hpp"

using namespace kiosk;
using namespace kiosk::core::reception;
using namespace std::chrono_literals;

namespace {

struct Drive {
  ReceptionMachine machine;
  TimePoint now{};
  std::vector<Command> last;

  explicit Drive(Policy p = {}) : machine(p) {}

  std::vector<Command>& send(Event e) {
    last = machine.handle(std::move(e), now);
    return last;
  }
  std::vector<Command>& wait(std::chrono::seconds s) {
    now += s;
    return send(Tick{now});
  }
  template <typename T>
  const T* find() const {
    for (const auto& c : last) {
      if (const T* t = std::get_if<T>(&c)) return t;
    }
    return nullptr;
  }
  template <typename T>
  bool has() const { return find<T>() != nullptr; }
  Step step() const { return machine.step(); }
  const Screen& screen() const { return machine.screen(); }
  std::string journal_event() const {
    const auto* j = find<JournalEntry>();
    return j ? j->event : "";
  }
};

CardRead good_card(int tries = 3) {
  CardRead r;
  r.pin = {core::card::RetryStatus::State::Ready, tries};
  return r;
}

core::eligibility::Date day(const char* iso) { return *hal::calendar::parse_iso_date(iso); }

// A result of the service on 2026-12-06 for a 46-year-old in 協会けんぽ.
core::eligibility::Confirmation confirmation(core::eligibility::QualificationValidity v, std::string id = "C-1") {
  core::eligibility::Confirmation c;
  c.confirmation_id = std::move(id);
  core::eligibility::OqsResult r;
  r.header.qualification_confirmation_date = day("2026-12-06");
  r.body.qualification_validity = v;
  core::eligibility::Qualification q;
  q.insurer_name = "テスト健康保険組合";
  q.insurer_number = "01130012";
  q.birthdate = day("1980-02-17");
  q.insured_partial_contribution_ratio = "010";  // the 後期高齢者 field: never read for this patient
  r.body.results.push_back(q);
  c.result = r;
  return c;
}

const JournalEntry* journal_of(const std::vector<Command>& commands, const std::string& event) {
  for (const auto& c : commands) {
    if (const auto* j = std::get_if<JournalEntry>(&c); j != nullptr && j->event == event) return j;
  }
  return nullptr;
}

void to_method_choice(Drive& d, CardRead r = good_card()) {
  d.send(CardPlaced{});
  REQUIRE(d.step() == Step::ReadingCard);
  REQUIRE(d.has<ReadCard>());
  d.send(r);
  REQUIRE(d.step() == Step::MethodChoice);
}

// PIN verified, the service asked.
void to_confirmation(Drive& d, CardRead r = good_card()) {
  to_method_choice(d, r);
  d.send(MethodChosen{Method::Pin});
  d.send(PinTyped{core::card::Secret("1234")});
  d.send(PinChecked{core::card::VerifyOutcome::Verified, -1});
  REQUIRE(d.has<ConfirmEligibility>());
}

}  // namespace

TEST_CASE("PIN reception from card to result, consent and prescription choice") {
  Drive d;
  to_method_choice(d);
  CHECK(d.screen().methods == std::vector<Method>{Method::Face, Method::Pin});
  CHECK(d.screen().timeout == 60s);

  d.send(MethodChosen{Method::Pin});
  CHECK(d.step() == Step::PinEntry);
  CHECK(d.screen().tries_left == 3);
  CHECK(d.screen().message == Message::None);

  d.send(PinTyped{core::card::Secret("1234")});
  CHECK(d.step() == Step::Confirming);
  const auto* verify = d.find<VerifyPin>();
  REQUIRE(verify);
  CHECK(to_hex(verify->pin.bytes()) == "31 32 33 34");

  d.send(PinChecked{core::card::VerifyOutcome::Verified, -1});
  REQUIRE(d.find<ConfirmEligibility>());
  CHECK(d.find<ConfirmEligibility>()->method == Method::Pin);

  d.send(Confirmed{confirmation(core::eligibility::QualificationValidity::Valid)});
  CHECK(d.step() == Step::Consent);
  d.send(Answered{true});
  CHECK(d.step() == Step::Prescription);
  d.send(PrescriptionChosen{core::eligibility::PrescriptionIssue::Electronic});
  const auto* consent = d.find<RecordConsent>();
  REQUIRE(consent);
  CHECK(consent->confirmation_id == "C-1");
  CHECK(consent->choice.medical_information);
  CHECK(consent->choice.prescription == core::eligibility::PrescriptionIssue::Electronic);

  d.send(Confirmed{confirmation(core::eligibility::QualificationValidity::Valid)});
  CHECK(d.step() == Step::Result);
  CHECK(d.has<WriteResult>());
  CHECK(d.journal_event() == "reception-completed");
  CHECK(d.find<JournalEntry>()->method == "pin");
  CHECK(d.screen().insurer_name == "テスト健康保険組合");
  CHECK(d.screen().contribution_ratio == "030");

  d.send(Acknowledged{});
  CHECK(d.step() == Step::RemoveCard);
  d.send(CardRemoved{});
  CHECK(d.step() == Step::Idle);
  CHECK(d.has<EndSession>());
}

TEST_CASE("wrong PINs: tries shown, warning before the last try, lock sends to the municipal office") {
  Drive d;
  to_method_choice(d, good_card(2));
  d.send(MethodChosen{Method::Pin});
  CHECK(d.screen().tries_left == 2);
  d.send(PinTyped{core::card::Secret("0000")});
  d.send(PinChecked{core::card::VerifyOutcome::Wrong, 1});
  CHECK(d.step() == Step::PinEntry);
  CHECK(d.screen().tries_left == 1);
  // The PIN just typed was wrong, and the next wrong one locks: both said (K111).
  CHECK(d.screen().message == Message::PinWrongLastTry);
  CHECK(std::string(info(Message::PinWrongLastTry).code) == "K111");
  CHECK(d.journal_event() == "pin-wrong");
  d.send(PinTyped{core::card::Secret("9999")});
  d.send(PinChecked{core::card::VerifyOutcome::Blocked, 0});
  // Face is still possible: offered, with the lock notice.
  CHECK(d.step() == Step::MethodChoice);
  CHECK(d.screen().methods == std::vector<Method>{Method::Face});
  CHECK(d.screen().message == Message::PinLocked);
  CHECK(std::string(info(Message::PinLocked).code) == "K112");
}

TEST_CASE("a locked card without a card photo ends at the lock notice") {
  Drive d;
  CardRead r = good_card();
  r.has_card_photo = false;  // a smartphone
  r.token = core::card::TokenKind::AndroidSmartphone;
  r.pin = {core::card::RetryStatus::State::Blocked, 0};
  d.send(CardPlaced{});
  d.send(r);
  CHECK(d.step() == Step::Notice);
  // K112, but the counter: no "use another method" when none is left (issue 17 item 6).
  CHECK(d.screen().message == Message::PinLockedNoneLeft);
  CHECK(std::string(info(Message::PinLockedNoneLeft).code) == "K112");
  CHECK(d.journal_event() == "authentication-impossible");
}

TEST_CASE("PINs that are not 4 digits never leave the PIN pad") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Pin});
  CHECK(d.send(PinTyped{core::card::Secret("123")}).empty());
  CHECK(d.send(PinTyped{core::card::Secret("12a4")}).empty());
  CHECK(d.step() == Step::PinEntry);
}

TEST_CASE("face: a mismatch offers the PIN, after the attempts only the PIN is left") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Face});
  CHECK(d.step() == Step::FaceCapture);
  CHECK(d.has<StartFaceCapture>());
  d.send(FaceGuidance{"move-closer"});
  CHECK(d.screen().guidance == "move-closer");
  d.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  CHECK(d.step() == Step::MethodChoice);
  CHECK(d.screen().message == Message::FaceNotMatched);
  CHECK(d.screen().methods == std::vector<Method>{Method::Face, Method::Pin});
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::LivenessFailed, {}, {}});
  CHECK(d.screen().methods == std::vector<Method>{Method::Pin});
  CHECK_FALSE(d.send(MethodChosen{Method::Face}).size());  // not offered any more
}

TEST_CASE("face: a match confirms eligibility with the evidence, camera lost offers the PIN") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Face});
  core::eligibility::FaceMatchEvidence evidence{0.61, 0.335, core::eligibility::Liveness::Passed, "mobilefacenet", {}};
  d.send(FaceFinished{FaceOutcome::Matched, evidence, {}});
  const auto* confirm = d.find<ConfirmEligibility>();
  REQUIRE(confirm);
  CHECK(confirm->method == Method::Face);
  REQUIRE(confirm->evidence);
  CHECK(std::get<core::eligibility::FaceMatchEvidence>(*confirm->evidence).score == Approx(0.61));

  Drive lost;
  to_method_choice(lost);
  lost.send(MethodChosen{Method::Face});
  lost.send(FaceFinished{FaceOutcome::CameraLost, {}, {}});
  CHECK(lost.screen().message == Message::FaceUnavailable);
  CHECK(lost.screen().methods == std::vector<Method>{Method::Pin});
}

TEST_CASE("face: a card that is not genuine, or whose photo cannot be opened, leaves the PIN, journaled with why") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::CardNotGenuine, {}, "issuer-untrusted"});
  CHECK(d.step() == Step::MethodChoice);
  CHECK(d.screen().message == Message::FaceNotPossible);
  CHECK(d.screen().methods == std::vector<Method>{Method::Pin});
  const auto* j = d.find<JournalEntry>();
  REQUIRE(j);
  CHECK(j->event == "face-failed");
  CHECK(j->outcome == "card-not-genuine: issuer-untrusted");
  CHECK(j->message_code == "K122");

  Drive next;
  to_method_choice(next);
  next.send(MethodChosen{Method::Face});
  next.send(FaceFinished{FaceOutcome::CardPhotoUnavailable, {}, "next-generation-card"});
  CHECK(next.screen().methods == std::vector<Method>{Method::Pin});
  CHECK(next.find<JournalEntry>()->outcome == "card-photo-unavailable: next-generation-card");
}

TEST_CASE("a PIN-less face-only card: face only, staff visual check when switched on") {
  Drive d;
  CardRead r;
  r.pin = {core::card::RetryStatus::State::NotSet, 0};
  to_method_choice(d, r);
  CHECK(d.screen().methods == std::vector<Method>{Method::Face});
  // K113 without "or the staff check" while the staff check is off.
  CHECK(d.screen().message == Message::PinNotSetUseFace);
  CHECK(std::string(info(Message::PinNotSetUseFace).code) == "K113");
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  CHECK(d.step() == Step::Notice);
  // The face failure is said, and that nothing is left: the counter (issue 17 item 6).
  CHECK(d.screen().message == Message::FaceNotMatchedNoneLeft);
  CHECK(std::string(info(Message::FaceNotMatchedNoneLeft).code) == "K120");

  Drive v;
  to_method_choice(v, r);
  v.send(StaffVisualCheckMode{true, "staff-07"});
  CHECK(v.journal_event() == "visual-check-on");
  CHECK(v.screen().methods == std::vector<Method>{Method::Face, Method::Visual});
  CHECK(v.screen().message == Message::PinNotSet);  // face or the staff check: both offered now
  v.send(MethodChosen{Method::Visual});
  CHECK(v.step() == Step::VisualCheck);
  v.send(VisualChecked{true, "staff-07"});
  const auto* confirm = v.find<ConfirmEligibility>();
  REQUIRE(confirm);
  CHECK(std::get<core::eligibility::VisualCheckEvidence>(*confirm->evidence).staff_id == "staff-07");
}

TEST_CASE("certificates: expired or revoked 【006】, untrusted K101, expiring soon is a notice") {
  for (auto status : {core::crypto::ValidationStatus::Expired, core::crypto::ValidationStatus::Revoked}) {
    Drive d;
    CardRead r = good_card();
    r.certificate = status;
    d.send(CardPlaced{});
    d.send(r);
    CHECK(d.step() == Step::Notice);
    CHECK(std::string(info(d.screen().message).code) == "006");
    CHECK(d.journal_event() == "card-refused");
  }
  Drive u;
  CardRead r = good_card();
  r.certificate = core::crypto::ValidationStatus::Untrusted;
  u.send(CardPlaced{});
  u.send(r);
  CHECK(u.screen().message == Message::CertificateUntrusted);

  Drive soon;
  r.certificate = core::crypto::ValidationStatus::ExpiringSoon;
  to_method_choice(soon, r);
  CHECK(soon.screen().message == Message::CertificateExpiringSoon);
  Drive grace;
  r.certificate = core::crypto::ValidationStatus::ExpiredInGrace;
  to_method_choice(grace, r);
  CHECK(grace.screen().message == Message::CertificateInGrace);
}

TEST_CASE("a card that is not a My Number card: 【002】, then remove the card") {
  Drive d;
  d.send(CardPlaced{});
  d.send(CardReadFailed{Message::NotMyNumberCard, "6A 82"});
  CHECK(d.step() == Step::Notice);
  CHECK(std::string(info(d.screen().message).code) == "002");
  d.send(Acknowledged{});
  CHECK(d.step() == Step::RemoveCard);
}

TEST_CASE("not registered for insurance use: registration offered, yes registers, no sends to the counter") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Pin});
  d.send(PinTyped{core::card::Secret("1234")});
  d.send(PinChecked{core::card::VerifyOutcome::Verified, -1});
  core::eligibility::Confirmation offer;
  offer.registration_offer = core::eligibility::RegistrationOffer{"T-9", {}, "保険証利用登録をしますか"};
  d.send(Confirmed{offer});
  CHECK(d.step() == Step::Registration);
  CHECK(d.screen().service_message == "保険証利用登録をしますか");
  d.send(Answered{true});
  REQUIRE(d.find<RegisterForInsuranceUse>());
  CHECK(d.find<RegisterForInsuranceUse>()->offer.ticket == "T-9");
  d.send(Confirmed{confirmation(core::eligibility::QualificationValidity::Valid)});
  CHECK(d.step() == Step::Consent);

  Drive no;
  to_method_choice(no);
  no.send(MethodChosen{Method::Pin});
  no.send(PinTyped{core::card::Secret("1234")});
  no.send(PinChecked{core::card::VerifyOutcome::Verified, -1});
  no.send(Confirmed{offer});
  no.send(Answered{false});
  CHECK(no.screen().message == Message::RegistrationDeclined);
}

TEST_CASE("an invalid qualification goes straight to the result, written for the reception") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Pin});
  d.send(PinTyped{core::card::Secret("1234")});
  d.send(PinChecked{core::card::VerifyOutcome::Verified, -1});
  d.send(Confirmed{confirmation(core::eligibility::QualificationValidity::Invalid)});
  CHECK(d.step() == Step::Result);
  CHECK(d.has<WriteResult>());
  CHECK(d.screen().validity == core::eligibility::QualificationValidity::Invalid);
  CHECK_FALSE(d.screen().numbers_path);  // a card path: "take your card"
}

TEST_CASE("an invalid result carries why as codes the page says in the patient's language: ReasonOfLoss and the loss date") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Pin});
  d.send(PinTyped{core::card::Secret("1234")});
  d.send(PinChecked{core::card::VerifyOutcome::Verified, -1});
  auto c = confirmation(core::eligibility::QualificationValidity::InvalidNewerQualification);
  c.result->body.processing_result_message = "資格が喪失しています";  // the service's Japanese text, kept for the staff
  core::eligibility::Qualification lost = c.result->body.results.front();
  lost.reason_of_loss = "03";
  lost.disqualification_date = day("2026-04-01");
  c.result->body.results.push_back(lost);  // the newer one first, the lost one after it
  d.send(Confirmed{c});
  CHECK(d.step() == Step::Result);
  CHECK(d.screen().loss_reason == "03");
  CHECK(d.screen().lost_from == "2026-04-01");
  CHECK(d.screen().service_message == "資格が喪失しています");

  Drive valid;
  to_method_choice(valid);
  valid.send(MethodChosen{Method::Pin});
  valid.send(PinTyped{core::card::Secret("1234")});
  valid.send(PinChecked{core::card::VerifyOutcome::Verified, -1});
  valid.send(Confirmed{confirmation(core::eligibility::QualificationValidity::Valid)});
  CHECK(valid.screen().loss_reason.empty());
}

TEST_CASE("service down: the counter with 資格情報のお知らせ (K140), a refusal shows the service's text") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Pin});
  d.send(PinTyped{core::card::Secret("1234")});
  d.send(PinChecked{core::card::VerifyOutcome::Verified, -1});
  d.send(ServiceFailed{true, "", "client.network"});
  CHECK(d.screen().message == Message::ServiceUnavailable);
  CHECK(std::string(info(Message::ServiceUnavailable).code) == "K140");
  CHECK(d.journal_event() == "service-failed");

  Drive r;
  to_method_choice(r);
  r.send(MethodChosen{Method::Pin});
  r.send(PinTyped{core::card::Secret("1234")});
  r.send(PinChecked{core::card::VerifyOutcome::Verified, -1});
  r.send(ServiceFailed{false, "この証明書は失効しています", "E-REVOKED"});
  CHECK(r.screen().message == Message::ServiceRefused);
  CHECK(r.screen().service_message == "この証明書は失効しています");
}

TEST_CASE("every waiting screen times out, notices lead to 'remove your card'") {
  Drive d;
  to_method_choice(d);
  CHECK(d.wait(59s).empty());
  d.wait(1s);
  CHECK(d.step() == Step::Notice);
  CHECK(d.screen().message == Message::TimedOut);
  CHECK(d.journal_event() == "timed-out");
  d.wait(20s);
  CHECK(d.step() == Step::RemoveCard);
  CHECK(d.wait(3600s).empty());  // waiting for the card to be taken has no time-out

  Drive p;
  to_method_choice(p);
  p.send(MethodChosen{Method::Pin});
  p.wait(60s);
  CHECK(p.screen().message == Message::TimedOut);

  Drive f;
  to_method_choice(f);
  f.send(MethodChosen{Method::Face});
  // The face capture's backstop (45 s: the card surface, up to 15 s for a face, 6 s from it).
  const auto face_backstop = Policy{}.timeouts.face_capture;
  CHECK(face_backstop == 45s);
  f.wait(face_backstop - 1s);
  CHECK(f.step() == Step::FaceCapture);
  f.wait(1s);
  CHECK(f.has<StopFaceCapture>());
  CHECK(f.screen().message == Message::TimedOut);

  Drive s;
  to_method_choice(s);
  s.send(MethodChosen{Method::Pin});
  s.send(PinTyped{core::card::Secret("1234")});
  s.wait(30s);  // no answer from the card or the service
  CHECK(s.screen().message == Message::ServiceUnavailable);
}

TEST_CASE("the card taken away at any step ends the session, the next card starts clean") {
  Drive d;
  to_method_choice(d, good_card(1));
  d.send(MethodChosen{Method::Pin});
  d.send(CardRemoved{});
  CHECK(d.step() == Step::Idle);
  CHECK(d.has<EndSession>());
  CHECK(d.journal_event() == "card-removed");
  CHECK(d.find<JournalEntry>()->message_code == "K151");

  to_method_choice(d, good_card(3));  // another patient
  d.send(MethodChosen{Method::Pin});
  CHECK(d.screen().tries_left == 3);
  CHECK(d.screen().message == Message::None);

  Drive f;
  to_method_choice(f);
  f.send(MethodChosen{Method::Face});
  f.send(CardRemoved{});
  CHECK(f.has<StopFaceCapture>());
  CHECK(f.step() == Step::Idle);
}

TEST_CASE("a card that stops answering mid-session: 【001】") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Pin});
  d.send(PinTyped{core::card::Secret("1234")});
  d.send(CardReadFailed{Message::Unreadable, "truncated answer to VERIFY"});
  CHECK(d.step() == Step::Notice);
  CHECK(std::string(info(d.screen().message).code) == "001");
  CHECK(d.journal_event() == "card-refused");
}

TEST_CASE("events that do not belong to the step are ignored") {
  Drive d;
  CHECK(d.send(PinChecked{core::card::VerifyOutcome::Verified, -1}).empty());
  CHECK(d.send(Confirmed{confirmation(core::eligibility::QualificationValidity::Valid)}).empty());
  CHECK(d.send(MethodChosen{Method::Pin}).empty());
  to_method_choice(d);
  CHECK(d.send(CardPlaced{}).empty());  // a second card while one is being read
  CHECK(d.send(Answered{true}).empty());
  CHECK(d.step() == Step::MethodChoice);
}

TEST_CASE("the patient can cancel: a notice says the check-in is not finished (K153), then 'remove your card'") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Pin});
  d.send(Cancelled{});
  CHECK(d.step() == Step::Notice);
  CHECK(d.screen().message == Message::CheckInCancelled);
  CHECK(std::string(info(Message::CheckInCancelled).code) == "K153");
  CHECK(d.journal_event() == "cancelled");
  CHECK(d.find<JournalEntry>()->message_code == "K153");
  CHECK(d.find<JournalEntry>()->outcome == "cancelled on pin-entry");
  CHECK_FALSE(d.has<EndSession>());
  d.send(Acknowledged{});
  CHECK(d.step() == Step::RemoveCard);
  d.send(CardRemoved{});
  CHECK(d.step() == Step::Idle);

  // The notice times out like any other, to 'remove your card'.
  Drive w;
  to_method_choice(w);
  w.send(Cancelled{});
  REQUIRE(w.screen().message == Message::CheckInCancelled);
  w.wait(20s);
  CHECK(w.step() == Step::RemoveCard);
}

TEST_CASE("patient activity restarts the time-out of a screen that waits for the patient, nowhere else") {
  Policy p;
  p.timeouts.pin_entry = 10s;
  Drive d(p);
  to_method_choice(d);
  d.send(MethodChosen{Method::Pin});
  REQUIRE(d.step() == Step::PinEntry);
  // A digit every 4 s for 40 s: the 10 s time-out never runs out.
  for (int i = 0; i < 10; ++i) {
    d.wait(4s);
    REQUIRE(d.step() == Step::PinEntry);
    CHECK(d.send(PatientActive{}).empty());  // nothing changes on screen: the typed digits stay
  }
  d.wait(9s);
  CHECK(d.step() == Step::PinEntry);
  d.wait(1s);  // 10 s after the last touch
  CHECK(d.step() == Step::Notice);
  CHECK(d.screen().message == Message::TimedOut);
  // The notice is paced by the patient too; activity there keeps it up.
  d.wait(15s);
  d.send(PatientActive{});
  d.wait(15s);
  CHECK(d.step() == Step::Notice);
  d.wait(5s);
  CHECK(d.step() != Step::Notice);

  // Not while waiting for the service (or a device, or staff).
  Drive c(p);
  to_confirmation(c);
  REQUIRE(c.step() == Step::Confirming);
  c.wait(20s);
  c.send(PatientActive{});
  c.wait(10s);
  CHECK(c.step() == Step::Notice);
  CHECK(c.screen().message == Message::ServiceUnavailable);

  CHECK(patient_paced(Step::PinEntry));
  CHECK(patient_paced(Step::Consent));
  CHECK(patient_paced(Step::NumberEntry));
  CHECK_FALSE(patient_paced(Step::Idle));
  CHECK_FALSE(patient_paced(Step::FaceCapture));
  CHECK_FALSE(patient_paced(Step::VisualCheck));
  CHECK_FALSE(patient_paced(Step::Confirming));
  CHECK(std::string(event_name(PatientActive{})) == "patient-active");

  // Idle: nothing to restart, nothing happens.
  Drive idle;
  CHECK(idle.send(PatientActive{}).empty());
  CHECK(idle.step() == Step::Idle);
}

TEST_CASE("staff visual-check mode: on for a limited time, journaled with the staff id, off by staff") {
  Policy p;
  p.visual_check_mode = 30min;
  Drive d(p);
  d.send(StaffVisualCheckMode{true, ""});
  CHECK_FALSE(d.machine.visual_check_enabled());  // nobody's responsibility: refused
  CHECK(d.last.empty());

  d.send(StaffVisualCheckMode{true, "staff-07"});
  CHECK(d.machine.visual_check_enabled());
  REQUIRE(d.machine.visual_check_until());
  CHECK(*d.machine.visual_check_until() == d.now + 30min);
  const auto* on = d.find<JournalEntry>();
  REQUIRE(on);
  CHECK(on->kind == "staff");
  CHECK(on->event == "visual-check-on");
  CHECK(on->outcome.find("staff-07") != std::string::npos);

  d.send(StaffVisualCheckMode{true, "staff-08", 10min});  // switched on again: a new expiry
  CHECK(d.journal_event() == "visual-check-extended");
  CHECK(*d.machine.visual_check_until() == d.now + 10min);

  d.send(StaffVisualCheckMode{false, "staff-09"});
  CHECK_FALSE(d.machine.visual_check_enabled());
  CHECK(d.journal_event() == "visual-check-off");
  CHECK(d.find<JournalEntry>()->outcome == "staff staff-09");
  d.send(StaffVisualCheckMode{false, "staff-09"});  // already off: nothing to journal
  CHECK(d.last.empty());
}

TEST_CASE("staff visual-check mode expires at the first tick after its time, journaled once") {
  Policy p;
  p.visual_check_mode = 30min;
  Drive d(p);
  d.send(StaffVisualCheckMode{true, "staff-07"});
  d.wait(29min);
  CHECK(d.machine.visual_check_enabled());
  CHECK_FALSE(d.has<JournalEntry>());
  d.wait(1min);
  CHECK_FALSE(d.machine.visual_check_enabled());
  CHECK_FALSE(d.machine.visual_check_until());
  const auto* expired = d.find<JournalEntry>();
  REQUIRE(expired);
  CHECK(expired->kind == "staff");
  CHECK(expired->event == "visual-check-expired");
  CHECK(expired->outcome == "staff staff-07");
  d.wait(1min);
  CHECK_FALSE(d.has<JournalEntry>());

  // The next card is not offered visual check any more.
  to_method_choice(d, good_card());
  CHECK(d.screen().methods == std::vector<Method>{Method::Face, Method::Pin});
}

TEST_CASE("visual-check mode expiring mid-session: the patient's screen and running check are left alone") {
  Policy p;
  p.visual_check_mode = 1min;
  p.timeouts.visual_check = 120s;
  p.timeouts.method_choice = 120s;
  Drive d(p);
  d.send(StaffVisualCheckMode{true, "staff-07"});
  to_method_choice(d, good_card());
  CHECK(d.screen().methods == std::vector<Method>{Method::Face, Method::Pin, Method::Visual});
  d.wait(30s);
  d.send(MethodChosen{Method::Visual});
  REQUIRE(d.step() == Step::VisualCheck);
  d.wait(40s);  // the mode ends while staff are checking
  CHECK(d.journal_event() == "visual-check-expired");
  CHECK(d.step() == Step::VisualCheck);
  CHECK_FALSE(d.has<Show>());
  d.send(VisualChecked{true, "staff-07"});
  CHECK(d.step() == Step::Confirming);
  CHECK(d.has<ConfirmEligibility>());

  // Expiry while the choice is on show: the buttons stay as they are for this patient.
  Drive c(p);
  c.send(StaffVisualCheckMode{true, "staff-07"});
  to_method_choice(c, good_card());
  c.wait(1min);
  CHECK(c.journal_event() == "visual-check-expired");
  CHECK_FALSE(c.has<Show>());
  CHECK(c.screen().methods == std::vector<Method>{Method::Face, Method::Pin, Method::Visual});

  // Staff switching it off while the choice is on show: the button goes at once.
  Drive o(p);
  o.send(StaffVisualCheckMode{true, "staff-07"});
  to_method_choice(o, good_card());
  o.send(StaffVisualCheckMode{false, "staff-07"});
  CHECK(o.screen().methods == std::vector<Method>{Method::Face, Method::Pin});
}

TEST_CASE("K111: entering the PIN screen with one try left warns without saying a PIN was wrong") {
  Drive d;
  to_method_choice(d, good_card(1));
  d.send(MethodChosen{Method::Pin});
  CHECK(d.screen().message == Message::PinLastTry);
  CHECK(std::string(info(Message::PinLastTry).key) == "pin.last_try");
  CHECK(std::string(info(Message::PinWrongLastTry).key) == "pin.wrong_last_try");
}

TEST_CASE("K120 says what is left: the face again and the PIN, only the PIN, the face again, the staff check") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  CHECK(d.screen().message == Message::FaceNotMatched);  // face again or PIN
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  // After the last face attempt K120 no longer says "try the face again".
  CHECK(d.screen().methods == std::vector<Method>{Method::Pin});
  CHECK(d.screen().message == Message::FaceNotMatchedUsePin);
  CHECK(std::string(info(d.screen().message).code) == "K120");
  CHECK(d.find<JournalEntry>()->message_code == "K120");

  // A PIN-less card never hears "use the PIN".
  CardRead pinless;
  pinless.pin = {core::card::RetryStatus::State::NotSet, 0};
  Drive p;
  to_method_choice(p, pinless);
  p.send(StaffVisualCheckMode{true, "staff-07"});
  p.send(MethodChosen{Method::Face});
  p.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  CHECK(p.screen().methods == std::vector<Method>{Method::Face, Method::Visual});
  CHECK(p.screen().message == Message::FaceNotMatchedRetry);
  p.send(MethodChosen{Method::Face});
  p.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  CHECK(p.screen().methods == std::vector<Method>{Method::Visual});
  CHECK(p.screen().message == Message::FaceNotMatchedUseStaff);

  // Camera lost, or no usable card photo, on a PIN-less card: the staff check.
  Drive c;
  to_method_choice(c, pinless);
  c.send(StaffVisualCheckMode{true, "staff-07"});
  c.send(MethodChosen{Method::Face});
  c.send(FaceFinished{FaceOutcome::CameraLost, {}, {}});
  CHECK(c.screen().message == Message::FaceUnavailableUseStaff);
  CHECK(std::string(info(c.screen().message).code) == "K121");
  Drive n;
  to_method_choice(n, pinless);
  n.send(StaffVisualCheckMode{true, "staff-07"});
  n.send(MethodChosen{Method::Face});
  n.send(FaceFinished{FaceOutcome::CardPhotoUnavailable, {}, {}});
  CHECK(n.screen().message == Message::FaceNotPossibleUseStaff);
  CHECK(std::string(info(n.screen().message).code) == "K122");
}

TEST_CASE("the reader or the card service failing mid-session: K160 with the counter, never a silent idle") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Pin});
  d.send(ReaderFailed{"reader-gone: unplugged"});
  CHECK(d.step() == Step::Notice);
  CHECK(d.screen().message == Message::ReaderFailed);
  CHECK(std::string(info(Message::ReaderFailed).code) == "K160");
  CHECK(d.journal_event() == "reader-failed");
  CHECK(d.find<JournalEntry>()->message_code == "K160");
  CHECK(d.send(ReaderFailed{"again"}).empty());  // reported once
  d.wait(20s);
  CHECK(d.step() == Step::Idle);  // the reader is gone: nobody can take a card from it
  CHECK(d.has<EndSession>());

  Drive idle;
  CHECK(idle.send(ReaderFailed{"pcscd stopped"}).empty());
  CHECK(idle.step() == Step::Idle);

  // On the consent screen the qualification is known: written for the reception.
  Drive consent;
  to_confirmation(consent);
  consent.send(Confirmed{confirmation(core::eligibility::QualificationValidity::Valid)});
  REQUIRE(consent.step() == Step::Consent);
  consent.send(ReaderFailed{"no-service: pcscd stopped"});
  CHECK(consent.has<WriteResult>());
  CHECK(consent.screen().message == Message::ReaderFailed);

  Drive face;
  to_method_choice(face);
  face.send(MethodChosen{Method::Face});
  face.send(ReaderFailed{"reader-gone"});
  CHECK(face.has<StopFaceCapture>());
  CHECK(face.step() == Step::Notice);
}

TEST_CASE("the service's verdict on the card certificate is 【006】 or K101, not a generic refusal") {
  Drive d;
  to_confirmation(d);
  d.send(ServiceFailed{false, "【006:利用者証明用電子証明書の失効・有効期限切れ】", "CARD_CERTIFICATE_EXPIRED"});
  CHECK(d.screen().message == Message::CertificateRejected);
  CHECK(d.screen().service_message == "【006:利用者証明用電子証明書の失効・有効期限切れ】");
  Drive u;
  to_confirmation(u);
  u.send(ServiceFailed{false, "証明書を確認できません", "CARD_CERTIFICATE_UNTRUSTED"});
  CHECK(u.screen().message == Message::CertificateUntrusted);
}

TEST_CASE("cancel or no answer on the consent screen writes the confirmed result, consent not given") {
  Drive d;
  to_confirmation(d);
  d.send(Confirmed{confirmation(core::eligibility::QualificationValidity::Valid)});
  REQUIRE(d.step() == Step::Consent);
  d.send(Cancelled{});
  const auto* written = d.find<WriteResult>();
  REQUIRE(written);
  CHECK(written->result.body.results.at(0).pharmacists.flag == core::eligibility::ConsentFlag::NotGiven);
  CHECK_FALSE(written->result.body.prescription_issue_select);
  CHECK(d.journal_event() == "cancelled");
  CHECK_THAT(d.find<JournalEntry>()->outcome, Catch::Contains("consent not given"));
  CHECK(d.find<JournalEntry>()->message_code == "K153");
  CHECK(d.step() == Step::Notice);
  CHECK(d.screen().message == Message::CheckInCancelled);
  d.send(Acknowledged{});
  CHECK(d.step() == Step::RemoveCard);

  Drive p;
  to_confirmation(p);
  p.send(Confirmed{confirmation(core::eligibility::QualificationValidity::Valid)});
  p.send(Answered{true});
  REQUIRE(p.step() == Step::Prescription);
  p.send(Cancelled{});
  CHECK(p.has<WriteResult>());

  Drive t;
  to_confirmation(t);
  t.send(Confirmed{confirmation(core::eligibility::QualificationValidity::Valid)});
  t.wait(60s);
  CHECK(t.has<WriteResult>());
  CHECK(t.screen().message == Message::TimedOut);
  CHECK_THAT(t.find<JournalEntry>()->outcome, Catch::Contains("result written, consent not given"));

  // Cancelling before the service answered writes nothing: nothing is known.
  Drive early;
  to_method_choice(early);
  early.send(MethodChosen{Method::Pin});
  early.send(Cancelled{});
  CHECK_FALSE(early.has<WriteResult>());
}

TEST_CASE("the certificate notice is repeated on the result and in the journal for the desk, with its dates") {
  CardRead r = good_card();
  r.certificate = core::crypto::ValidationStatus::ExpiredInGrace;
  r.certificate_expires = day("2026-11-30");
  r.certificate_usable_until = day("2027-02-28");
  Drive d;
  to_confirmation(d, r);
  CHECK(d.screen().message == Message::None);  // confirming
  auto c = confirmation(core::eligibility::QualificationValidity::Valid);
  c.card_certificate = core::eligibility::CardCertificateNotice{core::eligibility::CardCertificateState::ExpiredInGrace,
                                                                day("2026-11-30"), day("2027-02-28")};
  d.send(Confirmed{c});
  d.send(Answered{false});
  d.send(PrescriptionChosen{core::eligibility::PrescriptionIssue::Paper});
  d.send(Confirmed{c});
  REQUIRE(d.step() == Step::Result);
  CHECK(d.screen().message == Message::CertificateInGrace);
  CHECK(d.screen().certificate_expires == "2026-11-30");
  CHECK(d.screen().certificate_usable_until == "2027-02-28");
  const auto* j = d.find<JournalEntry>();
  REQUIRE(j);
  CHECK(j->event == "reception-completed");
  CHECK(j->message_code == "K103");
  CHECK_THAT(j->outcome, Catch::Contains("consent not given") && Catch::Contains("usable as insurance card until 2027-02-28"));

  // Expiring soon, known to the kiosk only (the service sent no notice): K102 with the date.
  CardRead soon = good_card();
  soon.certificate = core::crypto::ValidationStatus::ExpiringSoon;
  soon.certificate_expires = day("2027-01-15");
  Drive s;
  to_confirmation(s, soon);
  s.send(Confirmed{confirmation(core::eligibility::QualificationValidity::NoQualification)});
  REQUIRE(s.step() == Step::Result);
  CHECK(s.screen().message == Message::CertificateExpiringSoon);
  CHECK(s.screen().certificate_expires == "2027-01-15");
  CHECK(s.screen().certificate_usable_until.empty());
  CHECK(s.find<JournalEntry>()->message_code == "K102");
  CHECK_THAT(s.find<JournalEntry>()->outcome, Catch::Contains("card certificate expires 2027-01-15"));

  // A valid certificate: no notice.
  Drive v;
  to_confirmation(v);
  v.send(Confirmed{confirmation(core::eligibility::QualificationValidity::Invalid)});
  CHECK(v.screen().message == Message::None);
  CHECK(v.find<JournalEntry>()->message_code.empty());
}

TEST_CASE("the share on the result comes from the record for the patient's age and insurance") {
  auto result_of = [](core::eligibility::Qualification q) {
    Drive d;
    to_confirmation(d);
    auto c = confirmation(core::eligibility::QualificationValidity::Valid);
    c.result->body.results = {std::move(q)};
    d.send(Confirmed{c});
    d.send(Answered{true});
    d.send(PrescriptionChosen{core::eligibility::PrescriptionIssue::Electronic});
    d.send(Confirmed{c});
    REQUIRE(d.step() == Step::Result);
    return d.screen().contribution_ratio;
  };
  core::eligibility::Qualification adult;
  adult.insurer_number = "01130012";
  adult.birthdate = day("1980-02-17");
  adult.insured_partial_contribution_ratio = "010";
  CHECK(result_of(adult) == "030");
  core::eligibility::Qualification elder;
  elder.insurer_number = "00138123";
  elder.birthdate = day("1954-05-10");
  elder.elderly_recipient = core::eligibility::ElderlyRecipientCertificate{std::nullopt, day("2026-08-01"), day("2027-07-31"), "020"};
  CHECK(result_of(elder) == "020");
  core::eligibility::Qualification kouki;
  kouki.insurer_number = "39131008";
  kouki.birthdate = day("1948-03-03");
  kouki.insured_partial_contribution_ratio = "010";
  CHECK(result_of(kouki) == "010");
  elder.elderly_recipient->valid_end = day("2026-07-31");  // ended: nothing rather than a guess
  CHECK(result_of(elder).empty());
}

namespace {

core::eligibility::NumberEntry hanako_entry() {
  core::eligibility::NumberEntry e;
  e.insurer_number = "06139992";
  e.symbol = "10";
  e.number = "2001";
  e.branch = "00";
  e.birthdate = "19900505";
  return e;
}

core::eligibility::Confirmation numbers_result(core::eligibility::ProcessingResultStatus status) {
  auto c = confirmation(core::eligibility::QualificationValidity::Valid, "");
  c.method = core::eligibility::ConfirmationMethod::Numbers;
  c.result->header.reference_classification = core::eligibility::ReferenceClassification::InsuranceNumbers;
  c.result->body.processing_result_status = status;
  if (status == core::eligibility::ProcessingResultStatus::Error) {
    c.result->body.qualification_validity.reset();
    c.result->body.results.clear();
    c.result->body.processing_result_code = "E2001";
    c.result->body.processing_result_message = "従来の健康保険証は2025年12月1日で使用できなくなりました。";
  }
  return c;
}

}  // namespace

TEST_CASE("資格確認書 path: the form, the lookup, the result like the card path, written for the reception") {
  Drive d;
  d.send(NumberEntryRequested{});
  CHECK(d.step() == Step::NumberEntry);
  CHECK(d.screen().timeout == 180s);
  CHECK(d.screen().message == Message::None);

  // A typo in the insurer number: the check digit catches it, the form comes back saying where.
  auto typo = hanako_entry();
  typo.insurer_number = "06139999";
  d.send(NumbersEntered{typo});
  CHECK(d.step() == Step::NumberEntry);
  CHECK(d.screen().message == Message::NumbersInvalid);
  CHECK(std::string(info(Message::NumbersInvalid).code) == "K170");
  CHECK(d.screen().entry_problem == "insurer_check_digit");
  CHECK_FALSE(d.has<LookUpNumbers>());

  d.send(NumbersEntered{hanako_entry()});
  CHECK(d.step() == Step::Confirming);
  const auto* lookup = d.find<LookUpNumbers>();
  REQUIRE(lookup);
  CHECK(lookup->lookup.insurer_number == "06139992");
  CHECK(lookup->lookup.insured_branch_number == "00");
  CHECK(lookup->lookup.document == core::eligibility::PresentedDocument::EligibilityCertificate);

  CHECK(d.send(CardRemoved{}).empty());  // no card in this session
  d.send(Confirmed{numbers_result(core::eligibility::ProcessingResultStatus::Normal)});
  CHECK(d.step() == Step::Result);
  CHECK(d.has<WriteResult>());
  CHECK(d.screen().validity == core::eligibility::QualificationValidity::Valid);
  CHECK(d.screen().contribution_ratio == "030");
  CHECK(d.screen().numbers_path);  // no card to take: the page names the document (issue 17)
  const auto* j = d.find<JournalEntry>();
  REQUIRE(j);
  CHECK(j->event == "reception-completed");
  CHECK(j->method == "numbers");
  CHECK_THAT(j->outcome, Catch::Contains("資格確認書"));
  d.send(Acknowledged{});
  CHECK(d.step() == Step::Idle);  // no card to take
  CHECK(d.has<EndSession>());
}

TEST_CASE("資格確認書 path: an old 健康保険証 is refused with K171 and the service's message, written too") {
  Drive d;
  d.send(NumberEntryRequested{});
  auto old = hanako_entry();
  old.document = core::eligibility::PresentedDocument::HealthInsuranceCard;
  old.insurer_number = "138123";  // 国保, 6 digits
  old.branch.clear();
  d.send(NumbersEntered{old});
  const auto* lookup = d.find<LookUpNumbers>();
  REQUIRE(lookup);
  CHECK(lookup->lookup.insurer_number == "00138123");
  CHECK_FALSE(lookup->lookup.insured_branch_number);
  d.send(Confirmed{numbers_result(core::eligibility::ProcessingResultStatus::Error)});
  CHECK(d.step() == Step::Notice);
  CHECK(d.screen().message == Message::OldHealthInsuranceCard);
  CHECK(std::string(info(Message::OldHealthInsuranceCard).code) == "K171");
  CHECK_THAT(d.screen().service_message, Catch::Contains("2025年12月1日"));
  CHECK(d.has<WriteResult>());
  CHECK(journal_of(d.last, "numbers-refused") != nullptr);
  d.wait(20s);
  CHECK(d.step() == Step::Idle);

  // A refused 資格確認書 (past its validity): K172.
  Drive e;
  e.send(NumberEntryRequested{});
  e.send(NumbersEntered{hanako_entry()});
  e.send(Confirmed{numbers_result(core::eligibility::ProcessingResultStatus::Error)});
  CHECK(e.screen().message == Message::EligibilityCertificateRefused);
}

TEST_CASE("資格確認書 path: service down, cancel, time-out, and a card placed on the form") {
  Drive down;
  down.send(NumberEntryRequested{});
  down.send(NumbersEntered{hanako_entry()});
  down.send(ServiceFailed{true, "", "client.service-unreachable"});
  CHECK(down.screen().message == Message::ServiceUnavailableNumbers);
  CHECK(std::string(info(Message::ServiceUnavailableNumbers).code) == "K140");
  CHECK_FALSE(down.has<WriteResult>());

  // A refusal of the request: K172 with the service's text (the 資格確認書 at the counter), never
  // K141, whose next step is the My Number card this patient does not have (issue 17).
  Drive refused;
  refused.send(NumberEntryRequested{});
  refused.send(NumbersEntered{hanako_entry()});
  refused.send(ServiceFailed{false, "要求が不正です", "BAD_REQUEST"});
  CHECK(refused.screen().message == Message::EligibilityCertificateRefused);
  CHECK(refused.screen().service_message == "要求が不正です");

  Drive slow;
  slow.send(NumberEntryRequested{});
  slow.send(NumbersEntered{hanako_entry()});
  slow.wait(30s);
  CHECK(slow.screen().message == Message::ServiceUnavailableNumbers);

  Drive cancel;
  cancel.send(NumberEntryRequested{});
  cancel.send(Cancelled{});
  CHECK(cancel.step() == Step::Notice);
  // No card on this path: K153 sends the document to the counter, not "take your card".
  CHECK(cancel.screen().message == Message::CheckInCancelledNumbers);
  CHECK(std::string(info(Message::CheckInCancelledNumbers).code) == "K153");
  CHECK(cancel.journal_event() == "cancelled");
  CHECK(cancel.find<JournalEntry>()->method == "numbers");
  cancel.send(Acknowledged{});
  CHECK(cancel.step() == Step::Idle);
  CHECK(cancel.has<EndSession>());

  Drive idle;
  idle.send(NumberEntryRequested{});
  idle.wait(180s);
  CHECK(idle.screen().message == Message::TimedOut);
  idle.wait(20s);
  CHECK(idle.step() == Step::Idle);

  Drive card;
  card.send(NumberEntryRequested{});
  card.send(CardPlaced{});
  CHECK(card.step() == Step::ReadingCard);
  CHECK(card.has<ReadCard>());
  card.send(good_card());
  CHECK(card.step() == Step::MethodChoice);

  // The form is only reachable from the idle screen, and only sends on its own screen.
  Drive busy;
  to_method_choice(busy);
  CHECK(busy.send(NumberEntryRequested{}).empty());
  CHECK(busy.send(NumbersEntered{hanako_entry()}).empty());
}

// Issue 17 item 6: a message never tells the patient to do what is not possible.
TEST_CASE("a smartphone gets the PIN only, and K122 says why face recognition is not offered") {
  for (const auto token : {core::card::TokenKind::AndroidSmartphone, core::card::TokenKind::IPhone}) {
    Drive d;
    CardRead r = good_card();
    r.token = token;
    r.has_card_photo = false;
    to_method_choice(d, r);
    CHECK(d.screen().methods == std::vector<Method>{Method::Pin});
    CHECK(d.screen().message == Message::FaceNotPossibleSmartphone);
    CHECK(std::string(info(Message::FaceNotPossibleSmartphone).code) == "K122");
  }
  // A certificate notice keeps its place; a card without a photo here is no smartphone.
  Drive soon;
  CardRead r = good_card();
  r.token = core::card::TokenKind::AndroidSmartphone;
  r.has_card_photo = false;
  r.certificate = core::crypto::ValidationStatus::ExpiringSoon;
  to_method_choice(soon, r);
  CHECK(soon.screen().message == Message::CertificateExpiringSoon);
  Drive card;
  CardRead no_photo = good_card();
  no_photo.has_card_photo = false;
  to_method_choice(card, no_photo);
  CHECK(card.screen().message == Message::None);
}

TEST_CASE("a locked card whose last face attempt fails: K120 with nothing left, never K112 another method") {
  Drive d;
  CardRead r = good_card(0);
  r.pin = {core::card::RetryStatus::State::Blocked, 0};
  to_method_choice(d, r);
  CHECK(d.screen().message == Message::PinLocked);  // face still offered: "another method" is true here
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  CHECK(d.step() == Step::MethodChoice);
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  CHECK(d.step() == Step::Notice);
  CHECK(d.screen().message == Message::FaceNotMatchedNoneLeft);
  const auto* j = journal_of(d.last, "authentication-impossible");
  REQUIRE(j);
  CHECK(j->message_code == "K120");

  // The camera lost, or the card photo unusable, on a locked card: K121 / K122 with nothing left.
  Drive camera;
  to_method_choice(camera, r);
  camera.send(MethodChosen{Method::Face});
  camera.send(FaceFinished{FaceOutcome::CameraLost, {}, {}});
  CHECK(camera.screen().message == Message::FaceUnavailableNoneLeft);
  CHECK(std::string(info(Message::FaceUnavailableNoneLeft).code) == "K121");
  Drive photo;
  to_method_choice(photo, r);
  photo.send(MethodChosen{Method::Face});
  photo.send(FaceFinished{FaceOutcome::CardPhotoUnavailable, {}, "next-generation-card"});
  CHECK(photo.screen().message == Message::FaceNotPossibleNoneLeft);
  CHECK(std::string(info(Message::FaceNotPossibleNoneLeft).code) == "K122");

  // With the staff check on, the staff check is the step left (not the counter).
  Drive staff;
  to_method_choice(staff, r);
  staff.send(StaffVisualCheckMode{true, "staff-07"});
  staff.send(MethodChosen{Method::Face});
  staff.send(FaceFinished{FaceOutcome::CameraLost, {}, {}});
  CHECK(staff.step() == Step::MethodChoice);
  CHECK(staff.screen().message == Message::FaceUnavailableUseStaff);
}

TEST_CASE("the PIN locked after the face attempts are used up: K112 sends to the counter") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  REQUIRE(d.screen().message == Message::FaceNotMatchedUsePin);
  d.send(MethodChosen{Method::Pin});
  d.send(PinTyped{core::card::Secret("0000")});
  d.send(PinChecked{core::card::VerifyOutcome::Blocked, 0});
  CHECK(d.step() == Step::Notice);
  CHECK(d.screen().message == Message::PinLockedNoneLeft);
}

TEST_CASE("資格確認書 path: the document on the tray fills the form, which is sent only by the patient") {
  Drive d;
  d.send(NumberEntryRequested{});
  // 「書類を読み取る」: the kiosk reads, the form says so and takes no second request meanwhile.
  d.send(DocumentReadRequested{});
  const auto* read = d.find<ReadDocument>();
  REQUIRE(read);
  CHECK(read->expected == core::eligibility::PresentedDocument::EligibilityCertificate);
  CHECK(d.step() == Step::NumberEntry);
  CHECK(d.screen().reading_document);
  CHECK(d.send(DocumentReadRequested{}).empty());

  // What was read fills the form (K173: check it); nothing is looked up yet.
  auto entry = hanako_entry();
  entry.limit_application_consent = false;
  d.send(DocumentRead{entry});
  CHECK(d.step() == Step::NumberEntry);
  CHECK_FALSE(d.screen().reading_document);
  CHECK(d.screen().message == Message::DocumentReadCheck);
  CHECK(std::string(info(Message::DocumentReadCheck).code) == "K173");
  REQUIRE(d.screen().form);
  CHECK(d.screen().form->insurer_number == "06139992");
  CHECK(d.screen().form->birthdate == entry.birthdate);
  CHECK_FALSE(d.has<LookUpNumbers>());
  const auto* j = journal_of(d.last, "document-read");
  REQUIRE(j);
  CHECK(j->outcome.find("06139992") == std::string::npos);  // no value read in the journal

  // A late second read result (the reader raced the patient) changes nothing.
  CHECK(d.send(DocumentRead{entry}).empty());
  // The patient confirms (perhaps corrected): the lookup as for typed numbers.
  d.send(NumbersEntered{entry});
  CHECK(d.step() == Step::Confirming);
  REQUIRE(d.find<LookUpNumbers>());
  CHECK(d.find<LookUpNumbers>()->lookup.insurer_number == "06139992");
}

TEST_CASE("資格確認書 path: a document that cannot be read leaves the form to type (K174), an old 健康保険証 read is refused like typed") {
  Drive d;
  d.send(NumberEntryRequested{});
  CHECK(d.send(DocumentReadFailed{"unreadable", "no title"}).empty());  // not asked for: ignored
  d.send(DocumentReadRequested{});
  d.send(DocumentReadFailed{"unreadable", "the insurer number was not read with certainty"});
  CHECK(d.step() == Step::NumberEntry);
  CHECK(d.screen().message == Message::DocumentUnreadable);
  CHECK(std::string(info(Message::DocumentUnreadable).code) == "K174");
  CHECK_FALSE(d.screen().form);
  CHECK_FALSE(d.screen().reading_document);
  REQUIRE(journal_of(d.last, "document-unreadable"));

  // An old 健康保険証 on the tray: the form says so, and sending it gets the typed path's refusal.
  d.send(DocumentReadRequested{});
  auto old = hanako_entry();
  old.document = core::eligibility::PresentedDocument::HealthInsuranceCard;
  d.send(DocumentRead{old});
  REQUIRE(d.screen().form);
  CHECK(d.screen().form->document == core::eligibility::PresentedDocument::HealthInsuranceCard);
  d.send(NumbersEntered{*d.screen().form});
  REQUIRE(d.find<LookUpNumbers>());
  CHECK(d.find<LookUpNumbers>()->lookup.document == core::eligibility::PresentedDocument::HealthInsuranceCard);
  d.send(Confirmed{numbers_result(core::eligibility::ProcessingResultStatus::Error)});
  CHECK(d.screen().message == Message::OldHealthInsuranceCard);
}
