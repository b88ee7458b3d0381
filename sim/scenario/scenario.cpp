#include "sim/scenario/scenario.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/bounded/json.hpp"
#include "hal/calendar.hpp"

namespace kiosk::sim::scenario {
namespace {

using Json = nlohmann::json;

// Durations in a scenario: at most a day (a scenario runs on virtual time, but a wait of 1e300 s
// must be an error, not an overflow).
constexpr double kMaxMillis = 24.0 * 3600 * 1000;

// Scenario files are small and shallow: bounded before they are parsed.
constexpr core::bounded::JsonLimits kScenarioLimits{1 << 20, 32};

int whole_number(const Json& v, const std::string& where, int low, int high) {
  if (const auto n = core::bounded::integer_in(v, low, high)) return static_cast<int>(*n);
  throw ScenarioError(where + ": " + core::bounded::integer_problem(v, low, high));
}

// Reads one object, refusing keys it does not know (typos must not pass silently).
class Reader {
 public:
  Reader(const Json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) fail("expected an object");
  }
  [[noreturn]] void fail(const std::string& what) const { throw ScenarioError(where_ + ": " + what); }
  std::string at(const std::string& key) const { return where_ + "." + key; }
  bool has(const std::string& key) {
    used_.insert(key);
    return j_.contains(key);
  }
  const Json& get(const std::string& key) {
    if (!has(key)) fail("'" + key + "' is missing");
    return j_.at(key);
  }
  std::string string(const std::string& key, std::string fallback = {}) {
    if (!has(key)) return fallback;
    const Json& v = j_.at(key);
    if (!v.is_string()) throw ScenarioError(at(key) + ": expected a string");
    return v.get<std::string>();
  }
  std::optional<std::string> optional_string(const std::string& key) {
    if (!has(key)) return std::nullopt;
    return string(key);
  }
  bool boolean(const std::string& key, bool fallback) {
    if (!has(key)) return fallback;
    const Json& v = j_.at(key);
    if (!v.is_boolean()) throw ScenarioError(at(key) + ": expected true or false");
    return v.get<bool>();
  }
  // A whole number in [low, high], never wrapped or truncated (issue 18: tries_left 2^32+1 was
  // taken as 1); the error shows the value as written.
  std::optional<int> optional_int(const std::string& key, int low = -1'000'000, int high = 1'000'000) {
    if (!has(key)) return std::nullopt;
    return whole_number(j_.at(key), at(key), low, high);
  }
  // A finite number in [low, high].
  double number(const std::string& key, double fallback, double low = -1e9, double high = 1e9) {
    if (!has(key)) return fallback;
    const Json& v = j_.at(key);
    if (!v.is_number() || !(v.get<double>() >= low && v.get<double>() <= high)) {
      throw ScenarioError(at(key) + ": a number from " + core::bounded::preview(Json(low)) + " to " +
                          core::bounded::preview(Json(high)) + ", found " + core::bounded::preview(v));
    }
    return v.get<double>();
  }
  milliseconds millis(const std::string& key, milliseconds fallback) {
    return milliseconds(static_cast<long long>(number(key, static_cast<double>(fallback.count()), 0, kMaxMillis)));
  }
  std::optional<std::vector<std::string>> optional_strings(const std::string& key) {
    if (!has(key)) return std::nullopt;
    const Json& v = j_.at(key);
    if (!v.is_array()) throw ScenarioError(at(key) + ": expected a list of strings");
    std::vector<std::string> out;
    for (const auto& e : v) {
      if (!e.is_string()) throw ScenarioError(at(key) + ": expected a list of strings");
      out.push_back(e.get<std::string>());
    }
    return out;
  }
  void done() const {
    for (const auto& [key, value] : j_.items()) {
      if (!used_.count(key)) fail("unknown key '" + key + "'");
    }
  }

 private:
  const Json& j_;
  std::string where_;
  std::set<std::string> used_;
};

bool one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return v == a; });
}

std::string list(std::initializer_list<const char*> allowed) {
  std::string out;
  for (const char* a : allowed) out += (out.empty() ? "" : ", ") + std::string(a);
  return out;
}

std::string checked(const std::string& value, const std::string& where, std::initializer_list<const char*> allowed) {
  if (!one_of(value, allowed)) throw ScenarioError(where + ": '" + value + "' is not one of " + list(allowed));
  return value;
}

bool is_hex(const std::string& s) {
  int digits = 0;
  for (char c : s) {
    if (c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    ++digits;
  }
  return digits % 2 == 0;
}

constexpr std::initializer_list<const char*> kScreens = {
    "idle", "reading-card", "method-choice", "face-capture", "pin-entry", "visual-check", "confirming",
    "registration", "consent", "prescription", "result", "notice", "remove-card", "number-entry"};

Fault parse_fault(const Json& j, const std::string& where) {
  Reader r(j, where);
  Fault f;
  f.target = checked(r.string("target"), r.at("target"), {"card", "reader", "pcscd", "camera", "service"});
  const std::string kind = r.string("kind");
  if (f.target == "card") {
    f.kind = checked(kind, r.at("kind"), {"pull-on", "truncate", "garbage", "mute"});
    f.card = r.string("card");
    f.command = r.string("command");
    if (f.command.empty() || !is_hex(f.command)) throw ScenarioError(r.at("command") + ": expected hex bytes (\"00 88\")");
    if (auto keep = r.optional_int("keep")) {
      if (*keep < 0) throw ScenarioError(r.at("keep") + ": must not be negative");
      f.keep = static_cast<std::size_t>(*keep);
    }
    f.replace = r.string("replace");
    if (!is_hex(f.replace)) throw ScenarioError(r.at("replace") + ": expected hex bytes");
    if (f.kind == "truncate" && !f.keep) throw ScenarioError(where + ": a truncate fault needs 'keep'");
    if (f.kind == "garbage" && f.replace.empty()) throw ScenarioError(where + ": a garbage fault needs 'replace'");
    f.times = r.optional_int("times").value_or(1);
  } else if (f.target == "reader") {
    f.kind = checked(kind, r.at("kind"), {"unplug", "replug"});
  } else if (f.target == "pcscd") {
    f.kind = checked(kind, r.at("kind"), {"stop", "start"});
  } else if (f.target == "camera") {
    f.kind = checked(kind, r.at("kind"), {"lost"});
  } else {
    f.kind = checked(kind, r.at("kind"), {"down", "up", "slow", "500", "503", "malformed", "wrong-content-type",
                                          "wrong-version", "wrong-certificate", "normal"});
    f.delay = r.millis("delay_ms", milliseconds(f.kind == "slow" ? 20000 : 0));
  }
  r.done();
  return f;
}

Expect parse_expect(const Json& j, const std::string& where) {
  Reader r(j, where);
  Expect e;
  if (auto s = r.optional_string("screen")) e.screen = checked(*s, r.at("screen"), kScreens);
  e.message = r.optional_string("message");
  e.message_key = r.optional_string("message_key");
  e.methods = r.optional_strings("methods");
  e.tries_left = r.optional_int("tries_left", -1, 15);  // -1: the screen shows no count
  if (auto v = r.optional_string("validity")) {
    e.validity = checked(*v, r.at("validity"),
                         {"valid", "invalid", "invalid-newer-qualification", "no-qualification", "multiple-matches",
                          "valid-unregistered", "none"});
  }
  e.service_message_contains = r.optional_string("service_message_contains");
  if (r.has("card_tries_left")) {
    const Json& m = r.get("card_tries_left");
    if (!m.is_object()) throw ScenarioError(r.at("card_tries_left") + ": expected {\"card\": tries}");
    std::map<std::string, int> tries;
    for (const auto& [card, n] : m.items()) tries[card] = whole_number(n, r.at("card_tries_left") + "." + card, 0, 15);
    e.card_tries_left = tries;
  }
  e.journal = r.optional_strings("journal");
  e.result_files = r.optional_int("result_files", 0, 1'000'000);
  e.verify_count = r.optional_int("verify_count", 0, 1'000'000);
  if (auto seen = r.optional_strings("screens_seen")) {
    for (std::size_t i = 0; i < seen->size(); ++i) checked((*seen)[i], r.at("screens_seen"), kScreens);
    e.screens_seen = seen;
  }
  if (auto c = r.optional_string("copayment")) e.copayment = checked(*c, r.at("copayment"), {"3割", "2割", "1割", "none"});
  if (r.has("certificate_expires_shown")) e.certificate_expires_shown = r.boolean("certificate_expires_shown", false);
  if (r.has("certificate_usable_until_shown")) e.certificate_usable_until_shown = r.boolean("certificate_usable_until_shown", false);
  e.entry_problem = r.optional_string("entry_problem");
  e.loss_reason = r.optional_string("loss_reason");
  if (r.has("form")) {
    const Json& m = r.get("form");
    if (!m.is_object()) throw ScenarioError(r.at("form") + ": expected {\"field\": \"value\"}");
    std::map<std::string, std::string> form;
    for (const auto& [field, value] : m.items()) {
      if (!value.is_string()) throw ScenarioError(r.at("form") + "." + field + ": expected a string");
      form[field] = value.get<std::string>();
    }
    e.form = form;
  }
  if (r.has("last_journal")) {
    Reader last(r.get("last_journal"), r.at("last_journal"));
    e.last_journal_event = last.optional_string("event");
    e.last_journal_code = last.optional_string("code");
    e.last_journal_outcome_contains = last.optional_string("outcome_contains");
    last.done();
  }
  if (r.has("result_file")) {
    const Json& m = r.get("result_file");
    if (!m.is_object()) throw ScenarioError(r.at("result_file") + ": expected {\"Element\": \"value\" or null}");
    std::map<std::string, std::optional<std::string>> fields;
    for (const auto& [name, value] : m.items()) {
      if (value.is_null()) {
        fields[name] = std::nullopt;
      } else if (value.is_string()) {
        fields[name] = value.get<std::string>();
      } else {
        throw ScenarioError(r.at("result_file") + "." + name + ": expected a string, or null for 'not in the file'");
      }
    }
    e.result_file = fields;
  }
  r.done();
  return e;
}

StepEntry parse_step(const Json& j, const std::string& where, const Scenario& s) {
  if (!j.is_object()) throw ScenarioError(where + ": expected an object with one action");
  StepEntry entry;
  std::optional<std::string> action;
  for (const auto& [key, value] : j.items()) {
    if (key == "note") {
      if (!value.is_string()) throw ScenarioError(where + ".note: expected a string");
      entry.note = value.get<std::string>();
    } else if (key == "if_face") {
      if (!value.is_boolean()) throw ScenarioError(where + ".if_face: expected true or false");
      entry.needs_face = value.get<bool>();
    } else if (action) {
      throw ScenarioError(where + ": two actions ('" + *action + "' and '" + key + "'); one step does one thing");
    } else {
      action = key;
    }
  }
  if (!action) throw ScenarioError(where + ": no action");
  const std::string at = where + "." + *action;
  const Json& v = j.at(*action);
  auto text = [&]() {
    if (!v.is_string()) throw ScenarioError(at + ": expected a string");
    return v.get<std::string>();
  };
  auto flag = [&]() {
    if (!v.is_boolean()) throw ScenarioError(at + ": expected true or false");
    return v.get<bool>();
  };
  const std::string& a = *action;
  if (a == "place_card") {
    const std::string card = text();
    if (!s.cards.count(card)) throw ScenarioError(at + ": no card named '" + card + "' in 'cards'");
    entry.step = PlaceCard{card};
  } else if (a == "remove_card") {
    entry.step = RemoveCard{};
  } else if (a == "show_face") {
    if (v.is_null()) {
      entry.step = ShowFace{};
    } else if (v.is_string()) {
      entry.step = ShowFace{v.get<std::string>(), "live"};
    } else {
      Reader r(v, at);
      ShowFace f;
      f.person = r.string("person");
      f.presentation = checked(r.string("presentation", "live"), r.at("presentation"),
                               {"live", "printed-photo", "life-size-photo", "screen-replay"});
      r.done();
      entry.step = f;
    }
  } else if (a == "choose") {
    entry.step = Choose{checked(text(), at, {"face", "pin", "visual"})};
  } else if (a == "type_pin") {
    const std::string pin = text();
    if (pin.size() > 16) throw ScenarioError(at + ": at most 16 characters");
    entry.step = TypePin{pin};
  } else if (a == "answer") {
    entry.step = Answer{flag()};
  } else if (a == "prescription") {
    entry.step = Prescription{checked(text(), at, {"electronic", "paper"})};
  } else if (a == "acknowledge") {
    entry.step = Acknowledge{};
  } else if (a == "cancel") {
    entry.step = Cancel{};
  } else if (a == "staff_visual_check_mode" || a == "staff_visual_check") {
    Reader r(v, at);
    const bool value = r.boolean(a == "staff_visual_check" ? "confirmed" : "enabled", true);
    const std::string staff = r.string("staff_id");
    if (staff.empty()) throw ScenarioError(at + ".staff_id: the staff member must be named");
    r.done();
    if (a == "staff_visual_check") {
      entry.step = StaffVisualCheck{value, staff};
    } else {
      entry.step = StaffVisualCheckMode{value, staff};
    }
  } else if (a == "wait") {
    if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() * 1000.0 <= kMaxMillis)) {
      throw ScenarioError(at + ": seconds from 0 to 86400, found " + core::bounded::preview(v));
    }
    entry.step = Wait{milliseconds(static_cast<long long>(v.get<double>() * 1000.0))};
  } else if (a == "start_numbers") {
    entry.step = StartNumbers{};
  } else if (a == "enter_numbers") {
    Reader r(v, at);
    EnterNumbers n;
    n.document = checked(r.string("document", n.document), r.at("document"), {"eligibility-certificate", "health-insurance-card"});
    n.insurer_number = r.string("insurer_number");
    n.symbol = r.string("symbol");
    n.number = r.string("number");
    n.branch = r.string("branch");
    n.birthdate = r.string("birthdate");
    n.limit_consent = r.boolean("limit_consent", false);
    r.done();
    entry.step = n;
  } else if (a == "place_document") {
    Reader r(v, at);
    PlaceDocument d;
    d.type = checked(r.string("type", d.type), r.at("type"), {"eligibility-certificate", "employee-insurance-card", "national-insurance-card"});
    d.layout = checked(r.string("layout", d.layout), r.at("layout"), {"inline", "stacked", "ruled"});
    d.insurer_number = r.string("insurer_number");
    d.insurer_name = r.string("insurer_name", d.insurer_name);
    d.symbol = r.string("symbol");
    d.number = r.string("number");
    d.branch = r.string("branch");
    d.name = r.string("name", d.name);
    d.birthdate = r.string("birthdate");
    d.valid_until = r.string("valid_until");
    d.issued = r.string("issued", d.issued);
    r.done();
    for (const auto* date : {&d.birthdate, &d.issued}) {
      if (!hal::calendar::parse_yyyymmdd(*date)) throw ScenarioError(at + ": the document's dates are YYYYMMDD");
    }
    if (d.type == "eligibility-certificate" && !hal::calendar::parse_yyyymmdd(d.valid_until)) {
      throw ScenarioError(at + ".valid_until: a 資格確認書 prints its 有効期限 (YYYYMMDD)");
    }
    entry.step = d;
  } else if (a == "read_document") {
    entry.step = ReadDocument{};
  } else if (a == "confirm_numbers") {
    Reader r(v, at);
    ConfirmNumbers c;
    for (const char* field : {"insurer_number", "symbol", "number", "branch", "birthdate"}) {
      if (r.has(field)) c.corrections[field] = r.string(field);
    }
    c.limit_consent = r.boolean("limit_consent", false);
    r.done();
    entry.step = c;
  } else if (a == "fault") {
    entry.step = parse_fault(v, at);
  } else if (a == "expect") {
    entry.step = parse_expect(v, at);
  } else {
    throw ScenarioError(where + ": unknown action '" + a +
                        "' (place_card, remove_card, show_face, choose, type_pin, answer, prescription, acknowledge, "
                        "cancel, staff_visual_check_mode, staff_visual_check, wait, start_numbers, enter_numbers, place_document, "
                        "read_document, confirm_numbers, fault, expect)");
  }
  return entry;
}

}  // namespace

Scenario parse_scenario(const std::string& json_text, const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  Json j;
  try {
    j = core::bounded::parse(json_text, kScenarioLimits);
  } catch (const core::bounded::JsonError& e) {
    throw ScenarioError(name + ": " + e.what());
  }
  Reader r(j, name);
  if (r.string("format") != "kiosk-scenario") throw ScenarioError(name + ": 'format' must be \"kiosk-scenario\"");
  if (r.optional_int("version").value_or(0) != 1) throw ScenarioError(name + ": 'version' must be 1");
  Scenario s;
  s.file = file;
  s.name = r.string("name");
  if (s.name.empty()) throw ScenarioError(name + ": 'name' is missing");
  s.description = r.string("description");
  s.tags = r.optional_strings("tags").value_or(std::vector<std::string>{});
  const auto seed = r.optional_int("seed", 0, std::numeric_limits<int>::max()).value_or(1);
  s.seed = static_cast<std::uint32_t>(seed);
  s.face = r.boolean("face", false);
  if (r.has("cards")) {
    const Json& cards = r.get("cards");
    if (!cards.is_object()) throw ScenarioError(r.at("cards") + ": expected {\"name\": {...}}");
    for (const auto& [card_name, spec] : cards.items()) {
      Reader c(spec, r.at("cards") + "." + card_name);
      CardSpec cs;
      cs.world_card = c.string("world_card", "taro");
      cs.tries_left = c.optional_int("tries_left", 0, 3);
      cs.foreign = c.boolean("foreign", false);
      cs.atr = c.optional_string("atr");
      if (cs.atr && (cs.atr->empty() || !is_hex(*cs.atr))) throw ScenarioError(c.at("atr") + ": expected hex bytes");
      c.done();
      s.cards[card_name] = cs;
    }
  }
  if (r.has("timing")) {
    Reader t(r.get("timing"), r.at("timing"));
    s.timing.bit_rate_kbps = t.number("bit_rate_kbps", s.timing.bit_rate_kbps);
    if (s.timing.bit_rate_kbps <= 0) throw ScenarioError(t.at("bit_rate_kbps") + ": must be positive");
    s.timing.apdu_latency = t.millis("apdu_latency_ms", s.timing.apdu_latency);
    s.timing.rsa_signing = t.millis("rsa_signing_ms", s.timing.rsa_signing);
    s.timing.camera_fps = t.number("camera_fps", s.timing.camera_fps);
    if (s.timing.camera_fps <= 0) throw ScenarioError(t.at("camera_fps") + ": must be positive");
    s.timing.camera_exposure = t.millis("camera_exposure_ms", s.timing.camera_exposure);
    s.timing.service_latency = t.millis("service_latency_ms", s.timing.service_latency);
    t.done();
  }
  const Json& steps = r.get("steps");
  if (!steps.is_array() || steps.empty()) throw ScenarioError(r.at("steps") + ": expected a list of steps");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    s.steps.push_back(parse_step(steps[i], name + ": steps[" + std::to_string(i) + "]", s));
  }
  r.done();
  return s;
}

StepEntry parse_step(const std::string& json_text, const Scenario& context) {
  Json j;
  try {
    j = core::bounded::parse(json_text, kScenarioLimits);
  } catch (const core::bounded::JsonError& e) {
    throw ScenarioError(std::string("step: ") + e.what());
  }
  return parse_step(j, "step", context);
}

Scenario load_scenario(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ScenarioError(file.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), file);
}

std::string describe(const Step& step) {
  return std::visit(
      [](const auto& s) -> std::string {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, PlaceCard>) return "the patient places the card '" + s.card + "'";
        if constexpr (std::is_same_v<T, RemoveCard>) return "the patient takes the card away";
        if constexpr (std::is_same_v<T, ShowFace>) {
          if (s.person.empty()) return "nobody stands in front of the camera";
          return s.presentation == "live" ? s.person + " looks at the camera"
                                          : "an attack: " + s.presentation + " of " + s.person;
        }
        if constexpr (std::is_same_v<T, Choose>) return "the patient chooses " + s.method;
        if constexpr (std::is_same_v<T, TypePin>) return "the patient types a PIN (" + std::to_string(s.pin.size()) + " digits)";
        if constexpr (std::is_same_v<T, Answer>) return std::string("the patient answers ") + (s.yes ? "yes" : "no");
        if constexpr (std::is_same_v<T, Prescription>) return "the patient chooses the " + s.choice + " prescription";
        if constexpr (std::is_same_v<T, Acknowledge>) return "the patient touches OK";
        if constexpr (std::is_same_v<T, Cancel>) return "the patient cancels";
        if constexpr (std::is_same_v<T, StaffVisualCheckMode>) {
          return "staff " + s.staff_id + (s.enabled ? " switches visual-check mode on" : " switches visual-check mode off");
        }
        if constexpr (std::is_same_v<T, StaffVisualCheck>) {
          return "staff " + s.staff_id + (s.confirmed ? " confirms the face against the card" : " does not confirm the face");
        }
        if constexpr (std::is_same_v<T, Wait>) {
          std::ostringstream o;
          o << "time passes: " << static_cast<double>(s.duration.count()) / 1000.0 << " s";
          return o.str();
        }
        if constexpr (std::is_same_v<T, Fault>) {
          return "fault: " + s.target + " " + s.kind + (s.command.empty() ? "" : " on " + s.command);
        }
        if constexpr (std::is_same_v<T, Expect>) return "check";
        if constexpr (std::is_same_v<T, StartNumbers>) return "the patient chooses the 資格確認書 path";
        if constexpr (std::is_same_v<T, EnterNumbers>) return "the patient enters the numbers of a " + s.document;
        if constexpr (std::is_same_v<T, PlaceDocument>) return "the patient puts a " + s.type + " (" + s.layout + ") on the tray";
        if constexpr (std::is_same_v<T, ReadDocument>) return "the patient asks the kiosk to read the document";
        if constexpr (std::is_same_v<T, ConfirmNumbers>) {
          return "the patient sends the form" + std::string(s.corrections.empty() ? " as filled" : " after correcting it");
        }
      },
      step);
}

std::vector<std::string> compare(const Expect& e, const Observed& seen) {
  std::vector<std::string> diff;
  auto join = [](const std::vector<std::string>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
    return out + "]";
  };
  auto check = [&](const char* what, const std::string& expected, const std::string& actual) {
    if (expected != actual) diff.push_back(std::string(what) + ": expected " + expected + ", seen " + actual);
  };
  if (e.screen) check("screen", *e.screen, seen.screen);
  if (e.message) check("message", *e.message, seen.message.empty() ? "none" : seen.message);
  if (e.message_key) check("message_key", *e.message_key, seen.message_key.empty() ? "none" : seen.message_key);
  if (e.methods) check("methods", join(*e.methods), join(seen.methods));
  if (e.tries_left) check("tries_left", std::to_string(*e.tries_left), std::to_string(seen.tries_left));
  if (e.validity) check("validity", *e.validity, seen.validity.empty() ? "none" : seen.validity);
  if (e.service_message_contains && seen.service_message.find(*e.service_message_contains) == std::string::npos) {
    diff.push_back("service message: expected to contain '" + *e.service_message_contains + "', seen '" +
                   seen.service_message + "'");
  }
  if (e.card_tries_left) {
    for (const auto& [card, tries] : *e.card_tries_left) {
      const auto it = seen.card_tries_left.find(card);
      check(("card_tries_left." + card).c_str(), std::to_string(tries),
            it == seen.card_tries_left.end() ? "no such card" : std::to_string(it->second));
    }
  }
  if (e.journal) check("journal", join(*e.journal), join(seen.journal));
  if (e.result_files) check("result_files", std::to_string(*e.result_files), std::to_string(seen.result_files));
  if (e.verify_count) check("verify_count", std::to_string(*e.verify_count), std::to_string(seen.verify_count));
  if (e.copayment) check("copayment", *e.copayment, seen.copayment.empty() ? "none" : seen.copayment);
  auto yes_no = [](bool b) { return std::string(b ? "true" : "false"); };
  if (e.certificate_expires_shown) {
    check("certificate_expires_shown", yes_no(*e.certificate_expires_shown), yes_no(seen.certificate_expires_shown));
  }
  if (e.certificate_usable_until_shown) {
    check("certificate_usable_until_shown", yes_no(*e.certificate_usable_until_shown), yes_no(seen.certificate_usable_until_shown));
  }
  if (e.entry_problem) check("entry_problem", *e.entry_problem, seen.entry_problem.empty() ? "none" : seen.entry_problem);
  if (e.loss_reason) check("loss_reason", *e.loss_reason, seen.loss_reason.empty() ? "none" : seen.loss_reason);
  if (e.form) {
    if (e.form->empty() && !seen.form.empty()) diff.push_back("form: expected not filled, seen filled");
    for (const auto& [field, value] : *e.form) {
      const auto it = seen.form.find(field);
      check(("form." + field).c_str(), value, it == seen.form.end() ? "(not filled)" : it->second);
    }
  }
  if (e.last_journal_event) check("last_journal.event", *e.last_journal_event, seen.last_journal_event);
  if (e.last_journal_code) check("last_journal.code", *e.last_journal_code, seen.last_journal_code.empty() ? "none" : seen.last_journal_code);
  if (e.last_journal_outcome_contains && seen.last_journal_outcome.find(*e.last_journal_outcome_contains) == std::string::npos) {
    diff.push_back("last_journal.outcome: expected to contain '" + *e.last_journal_outcome_contains + "', seen '" +
                   seen.last_journal_outcome + "'");
  }
  if (e.result_file) {
    for (const auto& [name, value] : *e.result_file) {
      const auto it = seen.result_file.find(name);
      const std::string actual = it == seen.result_file.end() ? "(not in the file)" : "'" + it->second + "'";
      check(("result_file." + name).c_str(), value ? "'" + *value + "'" : std::string("(not in the file)"), actual);
    }
  }
  if (e.screens_seen) {
    // In order, not necessarily adjacent.
    std::size_t at = 0;
    for (const auto& s : seen.screens_since_last_expect) {
      if (at < e.screens_seen->size() && s == (*e.screens_seen)[at]) ++at;
    }
    if (at != e.screens_seen->size()) {
      diff.push_back("screens_seen: expected " + join(*e.screens_seen) + " in this order, seen " +
                     join(seen.screens_since_last_expect));
    }
  }
  return diff;
}

}  // namespace kiosk::sim::scenario
