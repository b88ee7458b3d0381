#include "firmware/kiosk/config.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>

#include "core/bounded/json.hpp"
#include "drivers/camera/camera_source.hpp"
#include "drivers/card_surface/scanner_config.hpp"

namespace kiosk::firmware::kiosk {
namespace {

using nlohmann::json;

// The face models the kiosk ships with (../shared/faces/README.md): file and sha256.
struct KnownModel {
  const char* label;
  const char* file;
  const char* sha256;
};
constexpr KnownModel kModels[] = {
    {"face detector (YuNet 2022mar)", "face_detection_yunet_2022mar.onnx",
     "50ef07f702a31741ca46a4c0d947773b64143b9362780237bf0d427d6c79bab7"},
    {"face embedder (MobileFaceNet PaddleX)", "mobilefacenet_paddlex_128d.onnx",
     "6ced4e0c36abba9dd24b48d725f7dbb94089f75b3d3445d3d67b85157cb64743"},
};

// A configuration is a few KB and nests three levels (staff.accounts[i]).
constexpr core::bounded::JsonLimits kConfigLimits{256 * 1024, 16};

class Reader {
 public:
  Reader(const json& j, std::vector<std::string>& errors) : j_(j), errors_(errors) {}

  // The value at section.key, or nullptr when it is not given. Marks the key as known.
  const json* find(const char* section, const char* key) {
    seen_.insert(std::string(section) + "." + key);
    sections_.insert(section);
    if (!j_.contains(section) || !j_.at(section).is_object() || !j_.at(section).contains(key)) return nullptr;
    return &j_.at(section).at(key);
  }

  void get(const char* section, const char* key, std::string& out) {
    if (const json* v = find(section, key)) {
      if (v->is_string()) {
        out = v->get<std::string>();
      } else {
        error(section, key, "expected a string, found " + core::bounded::preview(*v));
      }
    }
  }

  void get(const char* section, const char* key, bool& out) {
    if (const json* v = find(section, key)) {
      if (v->is_boolean()) {
        out = v->get<bool>();
      } else {
        error(section, key, "expected true or false, found " + core::bounded::preview(*v));
      }
    }
  }

  // A path value: read as a string, kept as a path.
  void get(const char* section, const char* key, std::filesystem::path& out) {
    std::string text = out.string();
    get(section, key, text);
    out = text;
  }

  // A list of strings.
  void get(const char* section, const char* key, std::vector<std::string>& out) {
    const json* v = find(section, key);
    if (v == nullptr) return;
    const bool strings = v->is_array() && std::all_of(v->begin(), v->end(), [](const json& e) { return e.is_string(); });
    if (!strings) {
      error(section, key, "expected a list of strings, found " + core::bounded::preview(*v));
      return;
    }
    out = v->get<std::vector<std::string>>();
  }

  // A whole number in [low, high]: anything else (a fraction, a string, a number that would
  // wrap) is an error that shows the value as given, and `out` keeps its default.
  template <typename Int>
  void get_integer(const char* section, const char* key, Int& out, std::int64_t low, std::int64_t high,
                   const char* meaning = "") {
    const json* v = find(section, key);
    if (v == nullptr) return;
    if (const auto n = core::bounded::integer_in(*v, low, high)) {
      out = static_cast<Int>(*n);
    } else {
      error(section, key, core::bounded::integer_problem(*v, low, high) + meaning);
    }
  }

  void error(const char* section, const char* key, const std::string& what) {
    errors_.push_back(std::string(section) + "." + key + ": " + what);
  }

  void report_unknown() {
    for (const auto& [section, body] : j_.items()) {
      if (sections_.count(section) == 0) {
        errors_.push_back(section + ": unknown section");
        continue;
      }
      if (!body.is_object()) {
        errors_.push_back(section + ": expected a section (an object), found " + core::bounded::preview(body));
        continue;
      }
      for (const auto& [key, value] : body.items()) {
        if (seen_.count(section + "." + key) == 0) errors_.push_back(section + "." + key + ": unknown key");
      }
    }
  }

 private:
  const json& j_;
  std::vector<std::string>& errors_;
  std::set<std::string> seen_;
  std::set<std::string> sections_;
};

bool valid_staff_id(const std::string& id) {
  return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
  });
}

void read_minutes(Reader& r, const char* key, std::chrono::seconds& out, int low, int high) {
  std::int64_t minutes = out.count() / 60;
  r.get_integer("staff", key, minutes, low, high);
  out = std::chrono::minutes(minutes);
}

void read_staff(Reader& r, KioskConfig& c, std::vector<std::string>& errors) {
  const json* given = r.find("staff", "accounts");
  const json accounts = given != nullptr ? *given : json::array();
  if (!accounts.is_array()) {
    errors.push_back("staff.accounts: expected a list of {\"id\", \"passcode_hash\"}");
  } else {
    std::set<std::string> ids;
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      const std::string where = "staff.accounts[" + std::to_string(i) + "]";
      const json& a = accounts[i];
      if (!a.is_object() || a.size() != 2 || !a.contains("id") || !a["id"].is_string() || !a.contains("passcode_hash") ||
          !a["passcode_hash"].is_string()) {
        errors.push_back(where + ": expected {\"id\": \"...\", \"passcode_hash\": \"...\"}");
        continue;
      }
      firmware::staff::StaffAccount account{a["id"].get<std::string>(), a["passcode_hash"].get<std::string>()};
      if (!valid_staff_id(account.id)) {
        errors.push_back(where + ".id: 1 to 32 letters, digits, '-' or '_'");
        continue;
      }
      if (!ids.insert(account.id).second) {
        errors.push_back(where + ".id: \"" + account.id + "\" appears twice");
        continue;
      }
      if (const auto problem = firmware::staff::passcode_hash_problem(account.passcode_hash)) {
        errors.push_back(where + ".passcode_hash: " + *problem);
        continue;
      }
      c.staff_accounts.push_back(std::move(account));
    }
  }
  r.get_integer("staff", "max_failures", c.staff.max_failures, 1, 100);
  read_minutes(r, "lockout_minutes", c.staff.lockout, 1, 24 * 60);
  read_minutes(r, "session_minutes", c.staff.session, 1, 60);
  read_minutes(r, "visual_check_minutes", c.staff.visual_check, 1, 12 * 60);
}

bool secret_key(const std::string& key) {
  std::string lower = key;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower.find("key") != std::string::npos || lower.find("password") != std::string::npos ||
         lower.find("passcode") != std::string::npos || lower.find("secret") != std::string::npos ||
         lower.find("pin") != std::string::npos;
}

// Recursion bounded by `depth_left`: a value nested deeper than the configuration ever is
// becomes a note, so no input (a file, or a caller's json) can exhaust the stack.
json redacted_within(const json& config, int depth_left) {
  if ((config.is_object() || config.is_array()) && depth_left <= 0) return json("<nested too deep: left out>");
  if (config.is_object()) {
    json out = json::object();
    for (const auto& [key, value] : config.items()) {
      out[key] = secret_key(key) ? json("<redacted>") : redacted_within(value, depth_left - 1);
    }
    return out;
  }
  if (config.is_array()) {
    json out = json::array();
    for (const auto& v : config) out.push_back(redacted_within(v, depth_left - 1));
    return out;
  }
  return config;
}

// The day counts of earlier versions are refused, not converted: 90 days is not 3 calendar months
// (up to two days short), and a silent conversion would hide which rule the kiosk follows.
void read_removed_day_keys(Reader& r, std::vector<std::string>& errors) {
  const struct {
    const char* key;
    const char* replacement;
  } removed[] = {{"expiry_warning_days", "expiry_warning_months"}, {"grace_days_after_expiry", "grace_months_after_expiry"}};
  for (const auto& k : removed) {
    if (r.find("card_reader", k.key) == nullptr) continue;
    errors.push_back(std::string("card_reader.") + k.key + ": no longer read: the certificate's periods are counted in " +
                     "calendar months; remove it and write \"" + k.replacement + "\": 3 (the rule)");
  }
}

}  // namespace

std::vector<core::diagnostics::ExpectedFile> KioskConfig::model_files() const {
  std::vector<core::diagnostics::ExpectedFile> out;
  if (!face_enabled) return out;
  for (const auto& m : kModels) out.push_back({m.label, model_dir / m.file, m.sha256});
  return out;
}

core::face::FaceConfig face_config(const KioskConfig& config) {
  core::face::FaceConfig fc;
  fc.model_dir = config.model_dir;
  fc.detector.model = fc.detector.model.filename();
  fc.recognizer.model = fc.recognizer.model.filename();
  fc.liveness.head_turn_challenge = config.head_turn_challenge;
  fc.recognizer.cohort = config.score_cohort;
  return fc;
}

LoadedConfig load_config(const std::filesystem::path& file) {
  LoadedConfig loaded;
  if (file.empty()) {
    loaded.source = "built-in defaults";
    return loaded;
  }
  loaded.source = file.string();
  try {
    loaded.raw = core::bounded::parse_file(file, kConfigLimits);
  } catch (const core::bounded::JsonError& e) {
    loaded.errors.push_back(e.what());
    return loaded;
  }
  if (!loaded.raw.is_object()) {
    loaded.errors.push_back("the configuration must be a JSON object of sections");
    return loaded;
  }
  KioskConfig& c = loaded.config;
  Reader r(loaded.raw, loaded.errors);
  r.get("terminal", "id", c.terminal_id);
  r.get("card_reader", "reader", c.reader);
  r.get("card_reader", "accepted_models", c.accepted_models);
  r.get("card_reader", "jpki_ca_dir", c.jpki_ca_dir);
  r.get_integer("card_reader", "expiry_warning_months", c.expiry_warning_months, 0, 12);
  r.get_integer("card_reader", "grace_months_after_expiry", c.grace_months_after_expiry, 0, 12);
  read_removed_day_keys(r, loaded.errors);
  c.data_dir_configured = r.find("storage", "data_dir") != nullptr;
  r.get("storage", "data_dir", c.data_dir);
  r.get("storage", "outbox", c.outbox);
  r.get_integer("storage", "journal_retention_days", c.journal_retention_days, 1, kMaxRetentionDays);
  r.get_integer("storage", "outbox_retention_days", c.outbox_retention_days, 1, kMaxOutboxRetentionDays);
  r.get("eligibility", "host", c.eligibility_host);
  r.get_integer("eligibility", "port", c.eligibility_port, 1, 65535);
  r.get("eligibility", "ca_certificate", c.eligibility_ca_certificate);
  r.get("eligibility", "terminal_certificate", c.terminal_certificate);
  r.get("eligibility", "terminal_key", c.terminal_key);
  r.get("eligibility", "pkcs11_module", c.pkcs11_module);
  r.get("eligibility", "pkcs11_pin_file", c.pkcs11_pin_file);
  r.get("face", "camera", c.camera);
  r.get("face", "scanner_camera", c.scanner_camera);
  r.get("face", "surface_layout", c.surface_layout);
  r.get("face", "enabled", c.face_enabled);
  r.get("face", "model_dir", c.model_dir);
  r.get("face", "head_turn_challenge", c.head_turn_challenge);
  r.get("face", "score_cohort", c.score_cohort);
  r.get_integer("face", "code_b_reserve", c.code_b_reserve, 0, 9, " (照合番号B tries the kiosk keeps)");
  r.get_integer("screen", "port", c.screen_port, -1, 65535, " (-1: no screen, the terminal; 0: any free port)");
  r.get("screen", "voice_dirs", c.voice_dirs);
  r.get("metrics", "textfile", c.metrics_textfile);
  r.get_integer("metrics", "interval_seconds", c.metrics_interval_seconds, 5, 3600, "");
  read_staff(r, c, loaded.errors);
  bool lan_enabled = false;
  r.get("staff_lan", "enabled", lan_enabled);
  firmware::screen::StaffLanConfig lan;
  r.get("staff_lan", "address", lan.address);
  r.get_integer("staff_lan", "port", lan.port, 1, 65535);
  r.get("staff_lan", "certificate", lan.certificate);
  r.get("staff_lan", "key", lan.key);
  r.get("staff_lan", "allow", lan.allow);
  r.get("staff_lan", "host_names", lan.host_names);
  r.report_unknown();
  if (lan_enabled) {
    for (auto& problem : firmware::screen::staff_lan_problems(lan)) loaded.errors.push_back(std::move(problem));
    if (c.screen_port < 0) loaded.errors.emplace_back("staff_lan.enabled: the staff pages need the kiosk screen (screen.port)");
    if (c.staff_accounts.empty()) loaded.errors.emplace_back("staff_lan.enabled: no staff.accounts to log in with");
    c.staff_lan = std::move(lan);
  }

  for (const auto& model : c.accepted_models) {
    if (model.size() < 3) {
      loaded.errors.push_back("card_reader.accepted_models: '" + model + "' is too short to name a reader model");
    }
  }
  // Camera sources are checked here, so a typo shows before a patient comes.
  if (c.face_enabled) {
    for (const auto& [key, source] : {std::pair<const char*, const std::string*>{"face.camera", &c.camera},
                                      std::pair<const char*, const std::string*>{"face.scanner_camera", &c.scanner_camera}}) {
      if (source->empty() && std::string_view(key) == "face.scanner_camera") continue;
      try {
        drivers::camera::parse_camera_source(*source);
      } catch (const hal::CameraError& e) {
        loaded.errors.push_back(std::string(key) + ": " + e.what());
      }
    }
  }
  if (c.face_enabled && !c.surface_layout.empty()) {
    try {
      drivers::card_surface::load_scanner_config(c.surface_layout);
    } catch (const std::exception& e) {
      loaded.errors.push_back("face.surface_layout: " + std::string(e.what()));
    }
  }
  if (!c.eligibility_host.empty() &&
      (c.eligibility_ca_certificate.empty() || c.terminal_certificate.empty() || c.terminal_key.empty())) {
    loaded.errors.push_back("eligibility: ca_certificate, terminal_certificate and terminal_key are needed with a host");
  }
  const bool token_key = c.terminal_key.string().rfind("pkcs11:", 0) == 0;
  if (token_key && c.pkcs11_module.empty()) {
    loaded.errors.push_back("eligibility.pkcs11_module: needed with a terminal_key on a PKCS#11 token (" +
                            c.terminal_key.string() + ")");
  }
  if (!token_key && (!c.pkcs11_module.empty() || !c.pkcs11_pin_file.empty())) {
    loaded.errors.push_back("eligibility.pkcs11_module, pkcs11_pin_file: only with a terminal_key \"pkcs11:...\" URI");
  }
  return loaded;
}

json redacted(const json& config) { return redacted_within(config, kConfigLimits.max_depth); }

}  // namespace kiosk::firmware::kiosk
