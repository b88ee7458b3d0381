#include "firmware/screen/staff_console.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <utility>

#include "core/card/secret.hpp"
#include "core/eligibility/result.hpp"
#include "firmware/screen/diag_texts.hpp"

namespace kiosk::firmware::screen {
namespace {

using nlohmann::json;
using core::reception::Step;

// The staff session token of a request: the "kiosk_staff" cookie, or "Authorization: Bearer".
std::string staff_token(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  constexpr std::string_view bearer = "Bearer ";
  if (auth.rfind(bearer, 0) == 0) return auth.substr(bearer.size());
  const std::string cookies = req.get_header_value("Cookie");
  std::string_view rest = cookies;
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find(';'), rest.size());
    std::string_view item = rest.substr(0, end);
    rest = end < rest.size() ? rest.substr(end + 1) : std::string_view();
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    constexpr std::string_view name = "kiosk_staff=";
    if (item.rfind(name, 0) == 0) return std::string(item.substr(name.size()));
  }
  return {};
}

// The journal events that end a reception (reception_machine.cpp finish_session()), with what the
// desk shows for each: the i18n key of the 結果 column (staff.outcome.*).
struct EndEvent {
  std::string_view event;
  std::string_view outcome_key;
};
constexpr EndEvent kEndEvents[] = {
    {"reception-completed", ""},  // by the qualification: desk_outcome()
    {"card-refused", "staff.outcome.card_refused"},
    {"card-removed", "staff.outcome.card_removed"},
    {"timed-out", "staff.outcome.timed_out"},
    {"service-timeout", "staff.outcome.service_failed"},
    {"service-failed", "staff.outcome.service_failed"},
    {"reader-failed", "staff.outcome.reader_failed"},
    {"numbers-refused", "staff.outcome.numbers_refused"},
    {"cancelled", "staff.outcome.cancelled"},
    {"authentication-impossible", "staff.outcome.no_method"},
    {"visual-check-declined", "staff.outcome.visual_declined"},
    {"registration-declined", "staff.outcome.registration_declined"},
};

const EndEvent* end_event(const std::string& event) {
  for (const auto& e : kEndEvents) {
    if (e.event == event) return &e;
  }
  return nullptr;
}

// "qualification <what>" at the start of a completed reception's outcome, <what> ending at the
// end, at ';' or at " (": "valid" (the consent path) or a label() of the service's validity.
std::string_view qualification_word(std::string_view outcome) {
  constexpr std::string_view prefix = "qualification ";
  if (outcome.rfind(prefix, 0) != 0) return {};
  outcome.remove_prefix(prefix.size());
  return outcome.substr(0, std::min(outcome.find(';'), outcome.find(" (")));
}

// What the desk says of a reception that reached a result, by the service's validity: done only
// with a valid qualification; anything else sends the patient to the counter.
struct ResultOutcome {
  core::eligibility::QualificationValidity validity;
  std::string_view state;
  std::string_view outcome_key;
};
constexpr ResultOutcome kResultOutcomes[] = {
    {core::eligibility::QualificationValidity::Valid, "done", "staff.outcome.valid"},
    {core::eligibility::QualificationValidity::Invalid, "counter", "staff.outcome.invalid"},
    {core::eligibility::QualificationValidity::InvalidNewerQualification, "counter", "staff.outcome.invalid"},
    {core::eligibility::QualificationValidity::NoQualification, "counter", "staff.outcome.no_qualification"},
    {core::eligibility::QualificationValidity::MultipleMatches, "counter", "staff.outcome.multiple"},
    {core::eligibility::QualificationValidity::ValidUnregistered, "counter", "staff.outcome.unregistered"},
};
constexpr std::pair<std::string_view, std::string_view> kNoResult{"counter", "staff.outcome.no_result"};

std::pair<std::string_view, std::string_view> desk_outcome(const std::string& outcome) {
  std::string_view word = qualification_word(outcome);
  // The consent path writes "valid", the 資格確認書 path "none" for no qualification.
  if (word == "valid") word = core::eligibility::label(core::eligibility::QualificationValidity::Valid);
  if (word == "none") word = core::eligibility::label(core::eligibility::QualificationValidity::NoQualification);
  for (const auto& r : kResultOutcomes) {
    if (word == core::eligibility::label(r.validity)) return {r.state, r.outcome_key};
  }
  return kNoResult;
}

}  // namespace

std::vector<std::string_view> desk_outcome_keys() {
  std::vector<std::string_view> keys;
  const auto add = [&keys](std::string_view k) {
    if (!k.empty() && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  };
  for (const auto& r : kResultOutcomes) add(r.outcome_key);
  add(kNoResult.second);
  for (const auto& e : kEndEvents) add(e.outcome_key);
  return keys;
}

json desk_rows(const std::vector<core::journal::Record>& records) {
  json rows = json::array();
  for (const auto& r : records) {
    const EndEvent* end = r.kind == "reception" ? end_event(r.event) : nullptr;
    if (end == nullptr) continue;
    const auto [state, key] = end->outcome_key.empty() ? desk_outcome(r.outcome)
                                                       : std::pair{std::string_view("not-completed"), end->outcome_key};
    rows.push_back(json{{"id", r.id},
                        {"time", local_time(r.at, kTimeOfDay)},
                        {"event", r.event},
                        {"method", r.method},
                        {"outcome", r.outcome},
                        {"message_code", r.message_code},
                        {"completed", r.event == "reception-completed"},
                        {"state", state},
                        {"outcome_key", key}});
  }
  return rows;
}

std::optional<std::string> StaffConsole::session(const httplib::Request& req, httplib::Response& res, Use use) {
  if (config_.staff == nullptr || !config_.staff->configured()) {
    send_error(res, 503, "no staff accounts configured", "add staff.accounts to the kiosk configuration");
    return std::nullopt;
  }
  auto id = config_.staff->session(staff_token(req), std::chrono::steady_clock::now(), use);
  if (!id) send_error(res, 401, "staff login needed", "log in again on the staff page");
  return id;
}

json StaffConsole::status(const std::string& staff_id, const std::string& token) {
  const auto now = std::chrono::steady_clock::now();
  const auto expiry = config_.staff->session_expiry(token, now);
  const std::lock_guard lock(state_.mutex);
  json visual{{"on", false}, {"seconds_left", 0}, {"staff_id", nullptr}};
  if (visual_until_ && *visual_until_ > now) {
    visual = json{{"on", true},
                  {"seconds_left", std::chrono::ceil<std::chrono::seconds>(*visual_until_ - now).count()},
                  {"staff_id", visual_staff_}};
  }
  return json{{"staff_id", staff_id},
              {"session_seconds", expiry ? std::chrono::ceil<std::chrono::seconds>(*expiry - now).count() : 0},
              {"idle_seconds", config_.staff->policy().session.count()},
              {"step", core::reception::to_string(state_.screen.step)},
              {"visual_check", visual}};
}

void StaffConsole::login(const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
  json input;
  const JsonWipeGuard wipe_input(input);
  if (!read_json_body(req, res, reader, input)) return;
  if (config_.staff == nullptr || !config_.staff->configured()) {
    return send_error(res, 503, "no staff accounts configured", "add staff.accounts to the kiosk configuration");
  }
  const auto id = input.find("staff_id");
  const auto passcode = input.find("passcode");
  if (!input.is_object() || input.size() != 2 || id == input.end() || !id->is_string() || passcode == input.end() ||
      !passcode->is_string()) {
    return send_error(res, 400, "bad input", "expected {\"staff_id\": \"...\", \"passcode\": \"...\"}");
  }
  const std::string& typed = passcode->get_ref<const std::string&>();
  if (typed.empty() || typed.size() > core::card::Secret::kCapacity) {
    return send_error(res, 400, "bad input", "the passcode must be 1 to 32 characters");
  }
  const core::card::Secret secret(typed);
  const auto login = config_.staff->login(id->get_ref<const std::string&>(), secret, std::chrono::steady_clock::now());
  switch (login.outcome) {
    case firmware::staff::StaffAuthenticator::Outcome::NoAccounts:
      return send_error(res, 503, "no staff accounts configured");
    case firmware::staff::StaffAuthenticator::Outcome::Wrong:
      return send_error(res, 401, "wrong staff id or passcode");
    case firmware::staff::StaffAuthenticator::Outcome::LockedOut:
      res.set_header("Retry-After", std::to_string(login.retry_after.count()));
      return send_json(res, 429,
                       json{{"error", "too many wrong passcodes: staff login is locked"},
                            {"retry_after_seconds", login.retry_after.count()}});
    case firmware::staff::StaffAuthenticator::Outcome::LoggedIn:
      break;
  }
  // The cookie lasts as long as a session can; the kiosk ends the session after idle minutes.
  const auto seconds = config_.staff->policy().session.count();
  // Over TLS (the staff pages on the LAN) the cookie is never sent in clear.
  res.set_header("Set-Cookie", "kiosk_staff=" + login.token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                   std::to_string(config_.staff->policy().session_max.count()) +
                                   (req.ssl != nullptr ? "; Secure" : ""));
  send_json(res, 200, json{{"staff_id", id->get<std::string>()}, {"session_seconds", seconds}});
}

void StaffConsole::visual_check(const httplib::Request& req, httplib::Response& res,
                                           const httplib::ContentReader& reader) {
  const auto staff_id = session(req, res, Use::Action);
  if (!staff_id) return;
  const auto on = read_flag(req, res, reader, "on");
  if (!on) return;
  const auto duration = config_.staff->policy().visual_check;
  core::reception::EventSink to_machine;
  {
    const std::lock_guard lock(state_.mutex);
    if (*on) {
      visual_until_ = std::chrono::steady_clock::now() + duration;
      visual_staff_ = *staff_id;
    } else {
      visual_until_.reset();
      visual_staff_.clear();
    }
    to_machine = state_.sink;
  }
  if (to_machine) to_machine(core::reception::StaffVisualCheckMode{*on, *staff_id, duration});
  send_json(res, 200, status(*staff_id, staff_token(req)));
}

void StaffConsole::visual_confirm(const httplib::Request& req, httplib::Response& res,
                                  const httplib::ContentReader& reader) {
  const auto staff_id = session(req, res, Use::Action);
  if (!staff_id) return;
  json input;
  const JsonWipeGuard wipe_input(input);
  if (!read_json_body(req, res, reader, input)) return;
  const auto confirmed = input.find("confirmed");
  const auto passcode = input.find("passcode");
  if (!input.is_object() || confirmed == input.end() || !confirmed->is_boolean() ||
      input.size() != (passcode == input.end() ? 1U : 2U) || (passcode != input.end() && !passcode->is_string())) {
    return send_error(res, 400, "bad input", "expected {\"confirmed\": true, \"passcode\": \"...\"} or {\"confirmed\": false}");
  }
  {
    const std::lock_guard lock(state_.mutex);
    if (state_.screen.step != Step::VisualCheck) {
      return send_json(res, 409, json{{"error", "no visual check is waiting"}, {"step", core::reception::to_string(state_.screen.step)}});
    }
  }
  // Confirming a patient's identity is the staff member's own act: the passcode again, counted
  // as logins are. Declining needs none (the patient goes to the counter).
  if (confirmed->get<bool>()) {
    if (passcode == input.end()) {
      return send_error(res, 400, "passcode needed", "type your staff passcode again to confirm the patient");
    }
    const std::string& typed = passcode->get_ref<const std::string&>();
    if (typed.empty() || typed.size() > core::card::Secret::kCapacity) {
      return send_error(res, 400, "bad input", "the passcode must be 1 to 32 characters");
    }
    const core::card::Secret secret(typed);
    const auto check = config_.staff->reconfirm(staff_token(req), secret, std::chrono::steady_clock::now());
    using Outcome = firmware::staff::StaffAuthenticator::Outcome;
    if (check.outcome == Outcome::LockedOut) {
      res.set_header("Retry-After", std::to_string(check.retry_after.count()));
      return send_json(res, 429, json{{"error", "too many wrong passcodes: staff login is locked"},
                                      {"retry_after_seconds", check.retry_after.count()}});
    }
    if (check.outcome != Outcome::LoggedIn) return send_error(res, 403, "wrong passcode", "type your own staff passcode");
  }
  core::reception::EventSink to_machine;
  {
    const std::lock_guard lock(state_.mutex);
    if (state_.screen.step != Step::VisualCheck) {  // the patient left while the passcode was checked
      return send_json(res, 409, json{{"error", "no visual check is waiting"}, {"step", core::reception::to_string(state_.screen.step)}});
    }
    to_machine = state_.sink;
  }
  to_machine(core::reception::VisualChecked{confirmed->get<bool>(), *staff_id});
  send_json(res, 200, json{{"ok", true}});
}

void StaffConsole::desk_events(const std::string& token, httplib::Response& res) {
  state_.stream(
      res,
      [this, token, last_id = std::int64_t{0}, day = std::chrono::system_clock::time_point{}, first = true](
          std::size_t, httplib::DataSink& stream) mutable {
        if (!first) {
          std::unique_lock lock(state_.mutex);
          state_.changed.wait_for(lock, config_.desk_poll, [&] { return state_.stopping; });
          if (state_.stopping) return end_stream(stream);
        }
        if (!config_.staff->session(token, std::chrono::steady_clock::now())) return end_stream(stream);  // the session ended
        const auto today = core::journal::local_midnight(std::chrono::system_clock::now());
        const bool reset = first || today != day;
        if (reset) last_id = 0;
        day = today;
        const auto records = config_.journal != nullptr ? config_.journal->of_kind_since("reception", today, last_id)
                                                       : std::vector<core::journal::Record>{};
        if (!records.empty()) last_id = records.back().id;
        std::string out = first ? "retry: 2000\n\n" : "";
        const json rows = desk_rows(records);
        if (reset || !rows.empty()) {
          out += "event: desk\ndata: " +
                 json{{"reset", reset}, {"since", local_time(today, kDateTime)}, {"rows", rows}}.dump(
                     -1, ' ', false, json::error_handler_t::replace) +
                 "\n\n";
        } else {
          out += ": keep-alive\n\n";
        }
        first = false;
        return stream.write(out.data(), out.size());
      });
}

void StaffConsole::install(httplib::Server& server) {
  server.Post("/staff/login", [this](const httplib::Request& req, httplib::Response& res,
                                     const httplib::ContentReader& reader) { login(req, res, reader); });
  server.Post("/staff/logout", [this](const httplib::Request& req, httplib::Response& res) {
    if (!session(req, res, Use::Poll)) return;
    config_.staff->logout(staff_token(req), std::chrono::steady_clock::now());
    res.set_header("Set-Cookie", "kiosk_staff=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    send_json(res, 200, json{{"ok", true}});
  });
  server.Get("/staff/status", [this](const httplib::Request& req, httplib::Response& res) {
    const auto staff_id = session(req, res, Use::Poll);
    if (staff_id) send_json(res, 200, status(*staff_id, staff_token(req)));
  });
  // The staff ids for the login page's list (no session: it is the login).
  server.Get("/staff/accounts", [this](const httplib::Request&, httplib::Response& res) {
    if (config_.staff == nullptr || !config_.staff->configured()) {
      return send_error(res, 503, "no staff accounts configured", "add staff.accounts to the kiosk configuration");
    }
    send_json(res, 200, json{{"ids", config_.staff->account_ids()}});
  });
  // A tap on the staff page (the page posts at most one a few seconds): the session goes on.
  server.Post("/staff/activity", [this](const httplib::Request& req, httplib::Response& res) {
    const auto staff_id = session(req, res, Use::Action);
    if (staff_id) send_json(res, 200, status(*staff_id, staff_token(req)));
  });
  server.Post("/staff/visual-check", [this](const httplib::Request& req, httplib::Response& res,
                                            const httplib::ContentReader& reader) { visual_check(req, res, reader); });
  server.Post("/staff/visual-confirm", [this](const httplib::Request& req, httplib::Response& res,
                                              const httplib::ContentReader& reader) {
    visual_confirm(req, res, reader);
  });
  server.Get("/staff/desk", [this](const httplib::Request& req, httplib::Response& res) {
    if (!session(req, res, Use::Action)) return;
    const auto today = core::journal::local_midnight(std::chrono::system_clock::now());
    const auto records =
        config_.journal != nullptr ? config_.journal->of_kind_since("reception", today) : std::vector<core::journal::Record>{};
    send_json(res, 200, json{{"since", local_time(today, kDateTime)}, {"rows", desk_rows(records)}});
  });
  server.Get("/staff/desk/events", [this](const httplib::Request& req, httplib::Response& res) {
    if (session(req, res, Use::Poll)) desk_events(staff_token(req), res);
  });
  server.Get("/staff/diagnostics", [this](const httplib::Request& req, httplib::Response& res) {
    if (!session(req, res, Use::Action)) return;
    if (!config_.diagnostics) return send_error(res, 503, "diagnostics are not available on this kiosk");
    send_json(res, 200, with_text_keys(config_.diagnostics()));  // the English, and the keys of the page's language
  });
  // The staff pages by their short names.
  server.Get("/staff", [this](const httplib::Request&, httplib::Response& res) {
    files_.serve("/staff.html", res);
  });
  server.Get("/desk", [this](const httplib::Request&, httplib::Response& res) {
    files_.serve("/staff.html", res);
  });
}

}  // namespace kiosk::firmware::screen
