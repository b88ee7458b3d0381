// screen_to_json: every step of the reception as the page receives it.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "firmware/screen/screen_json.hpp"

using namespace kiosk;
using namespace kiosk::core::reception;
using kiosk::firmware::screen::screen_to_json;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const Step kAllSteps[] = {Step::Idle,         Step::ReadingCard, Step::MethodChoice, Step::FaceCapture, Step::PinEntry,
                          Step::VisualCheck,  Step::Confirming,  Step::Registration, Step::Consent,     Step::Prescription,
                          Step::Result,       Step::Notice,      Step::RemoveCard,   Step::NumberEntry};

// The members every screen has, whatever its step: the page never meets a missing one.
void require_complete(const json& j) {
  for (const char* member : {"step", "message", "methods", "tries_left", "guidance", "service_message",
                             "medical_information_viewing_suspended", "result", "certificate", "entry_problem",
                             "numbers_path", "form", "reading_document", "timeout_seconds"}) {
    INFO(member);
    REQUIRE(j.contains(member));
  }
  REQUIRE(j.size() == 14);
}

}  // namespace

TEST_CASE("firmware::screen::screen_to_json names every step and has every member on each") {
  const std::pair<Step, const char*> names[] = {
      {Step::Idle, "idle"},
      {Step::ReadingCard, "reading-card"},
      {Step::MethodChoice, "method-choice"},
      {Step::FaceCapture, "face-capture"},
      {Step::PinEntry, "pin-entry"},
      {Step::VisualCheck, "visual-check"},
      {Step::Confirming, "confirming"},
      {Step::Registration, "registration"},
      {Step::Consent, "consent"},
      {Step::Prescription, "prescription"},
      {Step::Result, "result"},
      {Step::Notice, "notice"},
      {Step::RemoveCard, "remove-card"},
      {Step::NumberEntry, "number-entry"},
  };
  REQUIRE(std::size(names) == std::size(kAllSteps));
  for (const auto& [step, name] : names) {
    Screen s;
    s.step = step;
    const json j = firmware::screen::screen_to_json(s);
    INFO(name);
    require_complete(j);
    CHECK(j["step"] == name);
    CHECK(j["message"].is_null());
    CHECK(j["methods"] == json::array());
    CHECK(j["tries_left"].is_null());
    CHECK(j["guidance"].is_null());
    CHECK(j["service_message"].is_null());
    CHECK(j["result"].is_null());
    CHECK(j["medical_information_viewing_suspended"] == false);
    CHECK(j["certificate"].is_null());
    CHECK(j["entry_problem"].is_null());
    CHECK(j["timeout_seconds"] == 0);
  }
}

TEST_CASE("firmware::screen::screen_to_json: the certificate notice's dates and the 資格確認書 form's wrong entry") {
  Screen s;
  s.step = Step::Result;
  s.message = Message::CertificateInGrace;
  s.certificate_expires = "2026-11-30";
  s.certificate_usable_until = "2027-02-28";
  json j = firmware::screen::screen_to_json(s);
  CHECK(j["message"]["code"] == "K103");
  CHECK(j["certificate"]["expires"] == "2026-11-30");
  CHECK(j["certificate"]["usable_until"] == "2027-02-28");
  s.message = Message::CertificateExpiringSoon;
  s.certificate_usable_until.clear();
  j = firmware::screen::screen_to_json(s);
  CHECK(j["certificate"]["expires"] == "2026-11-30");
  CHECK(j["certificate"]["usable_until"].is_null());

  Screen form;
  form.step = Step::NumberEntry;
  form.message = Message::NumbersInvalid;
  form.entry_problem = "insurer_check_digit";
  j = firmware::screen::screen_to_json(form);
  CHECK(j["message"]["code"] == "K170");
  CHECK(j["entry_problem"] == "insurer_check_digit");
}

TEST_CASE("firmware::screen::screen_to_json: idle, card reading and card removal carry nothing of a patient") {
  for (const Step step : {Step::Idle, Step::ReadingCard, Step::RemoveCard}) {
    Screen s;
    s.step = step;
    const json j = firmware::screen::screen_to_json(s);
    CHECK(j["message"].is_null());
    CHECK(j["result"].is_null());
  }
}

TEST_CASE("firmware::screen::screen_to_json: method choice with the buttons offered and a numbered message") {
  Screen s;
  s.step = Step::MethodChoice;
  s.methods = {Method::Face, Method::Pin, Method::Visual};
  s.message = Message::FaceNotMatched;
  s.timeout = 60s;
  const json j = firmware::screen::screen_to_json(s);
  CHECK(j["step"] == "method-choice");
  CHECK(j["methods"] == json::array({"face", "pin", "visual"}));
  CHECK(j["message"] == json{{"code", "K120"}, {"key", "face.not_matched"}});
  CHECK(j["timeout_seconds"] == 60);
}

TEST_CASE("firmware::screen::screen_to_json: PIN entry shows the tries left and the last-try warning") {
  Screen s;
  s.step = Step::PinEntry;
  s.tries_left = 1;
  s.message = Message::PinLastTry;
  s.timeout = 60s;
  const json j = firmware::screen::screen_to_json(s);
  CHECK(j["step"] == "pin-entry");
  CHECK(j["tries_left"] == 1);
  CHECK(j["message"]["code"] == "K111");
  CHECK(j["message"]["key"] == "pin.last_try");

  s.tries_left = 0;  // zero is a number of tries, not "unknown"
  CHECK(firmware::screen::screen_to_json(s)["tries_left"] == 0);
}

TEST_CASE("firmware::screen::screen_to_json: face capture carries its guidance key") {
  Screen s;
  s.step = Step::FaceCapture;
  s.guidance = "move-closer";
  s.timeout = 30s;
  const json j = firmware::screen::screen_to_json(s);
  CHECK(j["step"] == "face-capture");
  CHECK(j["guidance"] == "move-closer");
  CHECK(j["timeout_seconds"] == 30);
}

TEST_CASE("firmware::screen::screen_to_json: visual check, confirming and consent") {
  Screen v;
  v.step = Step::VisualCheck;
  v.timeout = 120s;
  CHECK(firmware::screen::screen_to_json(v)["timeout_seconds"] == 120);

  Screen c;
  c.step = Step::Confirming;
  c.timeout = 30s;
  CHECK(firmware::screen::screen_to_json(c)["step"] == "confirming");

  Screen consent;
  consent.step = Step::Consent;
  consent.timeout = 60s;
  const json j = firmware::screen::screen_to_json(consent);
  CHECK(j["step"] == "consent");
  CHECK(j["message"].is_null());
}

TEST_CASE("firmware::screen::screen_to_json: registration offer with the service's text as it is") {
  Screen s;
  s.step = Step::Registration;
  s.message = Message::RegistrationOffered;
  s.service_message = "保険証利用登録がされていません。";
  const json j = firmware::screen::screen_to_json(s);
  CHECK(j["message"]["code"] == "K142");
  CHECK(j["message"]["key"] == "registration.offered");
  CHECK(j["service_message"] == "保険証利用登録がされていません。");
}

TEST_CASE("firmware::screen::screen_to_json: prescription choice while medical information viewing is suspended") {
  Screen s;
  s.step = Step::Prescription;
  s.medical_information_viewing_suspended = true;
  const json j = firmware::screen::screen_to_json(s);
  CHECK(j["step"] == "prescription");
  CHECK(j["medical_information_viewing_suspended"] == true);
}

TEST_CASE("firmware::screen::screen_to_json: a valid result with insurer and contribution ratio") {
  Screen s;
  s.step = Step::Result;
  s.validity = core::eligibility::QualificationValidity::Valid;
  s.insurer_name = "全国健康保険協会東京支部";
  s.contribution_ratio = "030";
  s.timeout = 20s;
  const json j = firmware::screen::screen_to_json(s);
  REQUIRE(j["result"].is_object());
  CHECK(j["result"]["validity"] == "valid");
  CHECK(j["result"]["validity_code"] == 1);
  CHECK(j["result"]["validity_label"] == "有効");
  CHECK(j["result"]["insurer_name"] == "全国健康保険協会東京支部");
  CHECK(j["result"]["contribution_ratio"] == "030");
  CHECK(j["result"]["contribution_percent"] == 30);
  CHECK(j["result"]["loss_reason"].is_null());
  CHECK(j["numbers_path"] == false);
}

TEST_CASE("firmware::screen::screen_to_json: a result not valid carries why, as codes the page translates") {
  Screen s;
  s.step = Step::Result;
  s.validity = core::eligibility::QualificationValidity::Invalid;
  s.loss_reason = "03";
  s.lost_from = "2026-04-01";
  s.numbers_path = true;
  const json j = firmware::screen::screen_to_json(s);
  CHECK(j["result"]["loss_reason"] == "03");
  CHECK(j["result"]["lost_from"] == "2026-04-01");
  CHECK(j["numbers_path"] == true);
}

TEST_CASE("firmware::screen::screen_to_json: every qualification validity has its own name") {
  using V = core::eligibility::QualificationValidity;
  const std::pair<V, const char*> names[] = {
      {V::Valid, "valid"},
      {V::Invalid, "invalid"},
      {V::InvalidNewerQualification, "invalid-newer-qualification"},
      {V::NoQualification, "no-qualification"},
      {V::MultipleMatches, "multiple-matches"},
      {V::ValidUnregistered, "valid-unregistered"},
  };
  for (const auto& [validity, name] : names) {
    Screen s;
    s.step = Step::Result;
    s.validity = validity;
    s.service_message = "資格が無効です。";
    const json j = firmware::screen::screen_to_json(s);
    CHECK(j["result"]["validity"] == name);
    CHECK(j["result"]["validity_code"] == static_cast<int>(validity));
    CHECK(j["result"]["validity_label"] == std::string(core::eligibility::label(validity)));
    CHECK(j["result"]["contribution_percent"].is_null());  // no ratio given
  }
}

TEST_CASE("firmware::screen::screen_to_json: a result without a qualification has no result member") {
  Screen s;
  s.step = Step::Result;
  CHECK(firmware::screen::screen_to_json(s)["result"].is_null());
}

TEST_CASE("firmware::screen::screen_to_json: notices carry the numbered code and the text key of every message") {
  const Message all[] = {Message::Unreadable,        Message::NotMyNumberCard,      Message::CertificateRejected,
                         Message::CertificateUntrusted, Message::CertificateExpiringSoon, Message::CertificateInGrace,
                         Message::PinWrong,          Message::PinLastTry,           Message::PinLocked,
                         Message::PinNotSet,         Message::FaceNotMatched,       Message::FaceUnavailable,
                         Message::FaceNotPossible,   Message::VisualCheckDeclined,  Message::ServiceUnavailable,
                         Message::ServiceRefused,    Message::RegistrationOffered,  Message::RegistrationDeclined,
                         Message::TimedOut,          Message::CardRemovedEarly,     Message::NoAuthenticationLeft};
  for (const Message m : all) {
    Screen s;
    s.step = Step::Notice;
    s.message = m;
    const json j = firmware::screen::screen_to_json(s);
    INFO(info(m).key);
    CHECK(j["message"]["code"] == info(m).code);
    CHECK(j["message"]["key"] == info(m).key);
    CHECK(!j["message"]["code"].get<std::string>().empty());
  }
  Screen s;
  s.step = Step::Notice;
  s.message = Message::CertificateRejected;
  CHECK(firmware::screen::screen_to_json(s)["message"]["code"] == "006");
}

TEST_CASE("contribution_percent reads three-digit ratios only") {
  using kiosk::firmware::screen::contribution_percent;
  CHECK(contribution_percent("030") == 30);
  CHECK(contribution_percent("010") == 10);
  CHECK(contribution_percent("000") == 0);
  CHECK(contribution_percent("100") == 100);
  CHECK_FALSE(contribution_percent("30").has_value());
  CHECK_FALSE(contribution_percent("").has_value());
  CHECK_FALSE(contribution_percent("3a0").has_value());
  CHECK_FALSE(contribution_percent("101").has_value());
}

TEST_CASE("firmware::screen::screen_to_json survives text that is not UTF-8 when dumped for the page") {
  Screen s;
  s.step = Step::Notice;
  s.message = Message::ServiceRefused;
  s.service_message = std::string("bad \xff byte");
  const json j = firmware::screen::screen_to_json(s);
  const std::string dumped = j.dump(-1, ' ', false, json::error_handler_t::replace);
  CHECK(dumped.find("bad ") != std::string::npos);
}
