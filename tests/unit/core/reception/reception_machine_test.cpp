// The reception state machine: every transition and time-out, on virtual time.
#include <catch2/catch.hpp>

#include "core/reception/reception_machine.hpp"

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

core::eligibility::Confirmation confirmation(core::eligibility::QualificationValidity v, std::string id = "C-1") {
  core::eligibility::Confirmation c;
  c.confirmation_id = std::move(id);
  core::eligibility::OqsResult r;
  r.body.qualification_validity = v;
  core::eligibility::Qualification q;
  q.insurer_name = "テスト健康保険組合";
  q.insured_partial_contribution_ratio = "030";
  r.body.results.push_back(q);
  c.result = r;
  return c;
}

void to_method_choice(Drive& d, CardRead r = good_card()) {
  d.send(CardPlaced{});
  REQUIRE(d.step() == Step::ReadingCard);
  REQUIRE(d.has<ReadCard>());
  d.send(r);
  REQUIRE(d.step() == Step::MethodChoice);
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
  CHECK(d.screen().message == Message::PinLastTry);
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
  CHECK(d.screen().message == Message::PinLocked);
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
  CHECK(d.screen().message == Message::PinNotSet);
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  d.send(MethodChosen{Method::Face});
  d.send(FaceFinished{FaceOutcome::NotMatched, {}, {}});
  CHECK(d.step() == Step::Notice);
  CHECK(d.screen().message == Message::NoAuthenticationLeft);

  Drive v;
  to_method_choice(v, r);
  v.send(StaffVisualCheckMode{true, "staff-07"});
  CHECK(v.journal_event() == "visual-check-on");
  CHECK(v.screen().methods == std::vector<Method>{Method::Face, Method::Visual});
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
  f.wait(30s);
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

TEST_CASE("the patient can cancel, the session ends at 'remove your card'") {
  Drive d;
  to_method_choice(d);
  d.send(MethodChosen{Method::Pin});
  d.send(Cancelled{});
  CHECK(d.step() == Step::RemoveCard);
  CHECK(d.journal_event() == "cancelled");
  d.send(CardRemoved{});
  CHECK(d.step() == Step::Idle);
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
