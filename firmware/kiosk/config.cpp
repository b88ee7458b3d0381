#include "firmware/kiosk/config.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>

namespace kiosk::firmware {
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

class Reader {
 public:
  Reader(const json& j, std::vector<std::string>& errors) : j_(j), errors_(errors) {}

  template <typename T>
  void get(const char* section, const char* key, T& out) {
    const std::string where = std::string(section) + "." + key;
    seen_.insert(where);
    sections_.insert(section);
    if (!j_.contains(section) || !j_.at(section).is_object() || !j_.at(section).contains(key)) return;
    try {
      out = j_.at(section).at(key).get<T>();
    } catch (const json::exception&) {
      errors_.push_back(where + ": expected " + type_name<T>() + ", found " + j_.at(section).at(key).dump());
    }
  }

  // A path value: read as a string, kept as a path.
  void get(const char* section, const char* key, std::filesystem::path& out) {
    std::string text = out.string();
    get(section, key, text);
    out = text;
  }

  void report_unknown() {
    for (const auto& [section, body] : j_.items()) {
      if (sections_.count(section) == 0) {
        errors_.push_back(section + ": unknown section");
        continue;
      }
      if (!body.is_object()) {
        errors_.push_back(section + ": expected a section (an object)");
        continue;
      }
      for (const auto& [key, value] : body.items()) {
        if (seen_.count(section + "." + key) == 0) errors_.push_back(section + "." + key + ": unknown key");
      }
    }
  }

 private:
  template <typename T>
  static const char* type_name() {
    if constexpr (std::is_same_v<T, bool>) return "true or false";
    if constexpr (std::is_integral_v<T>) return "a number";
    return "a string";
  }
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

void read_minutes(Reader& r, const char* key, std::chrono::seconds& out, int low, int high, std::vector<std::string>& errors) {
  int minutes = static_cast<int>(out.count() / 60);
  r.get("staff", key, minutes);
  if (minutes < low || minutes > high) {
    errors.push_back(std::string("staff.") + key + ": " + std::to_string(low) + ".." + std::to_string(high) + ", found " +
                     std::to_string(minutes));
    return;
  }
  out = std::chrono::minutes(minutes);
}

void read_staff(Reader& r, KioskConfig& c, std::vector<std::string>& errors) {
  json accounts = json::array();
  r.get("staff", "accounts", accounts);
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
      StaffAccount account{a["id"].get<std::string>(), a["passcode_hash"].get<std::string>()};
      if (!valid_staff_id(account.id)) {
        errors.push_back(where + ".id: 1 to 32 letters, digits, '-' or '_'");
        continue;
      }
      if (!ids.insert(account.id).second) {
        errors.push_back(where + ".id: \"" + account.id + "\" appears twice");
        continue;
      }
      if (const auto problem = passcode_hash_problem(account.passcode_hash)) {
        errors.push_back(where + ".passcode_hash: " + *problem);
        continue;
      }
      c.staff_accounts.push_back(std::move(account));
    }
  }
  r.get("staff", "max_failures", c.staff.max_failures);
  if (c.staff.max_failures < 1 || c.staff.max_failures > 100) {
    errors.push_back("staff.max_failures: 1..100, found " + std::to_string(c.staff.max_failures));
    c.staff.max_failures = StaffPolicy{}.max_failures;
  }
  read_minutes(r, "lockout_minutes", c.staff.lockout, 1, 24 * 60, errors);
  read_minutes(r, "session_minutes", c.staff.session, 1, 60, errors);
  read_minutes(r, "visual_check_minutes", c.staff.visual_check, 1, 12 * 60, errors);
}

}  // namespace

std::vector<diagnostics::ExpectedFile> KioskConfig::model_files() const {
  std::vector<diagnostics::ExpectedFile> out;
  if (!face_enabled) return out;
  for (const auto& m : kModels) out.push_back({m.label, model_dir / m.file, m.sha256});
  return out;
}

face::FaceConfig face_config(const KioskConfig& config) {
  face::FaceConfig fc;
  fc.model_dir = config.model_dir;
  fc.detector.model = fc.detector.model.filename();
  fc.recognizer.model = fc.recognizer.model.filename();
  return fc;
}

LoadedConfig load_config(const std::filesystem::path& file) {
  LoadedConfig loaded;
  if (file.empty()) {
    loaded.source = "built-in defaults";
    return loaded;
  }
  loaded.source = file.string();
  std::ifstream in(file);
  if (!in) {
    loaded.errors.push_back(file.string() + ": cannot be read");
    return loaded;
  }
  try {
    loaded.raw = json::parse(in);
  } catch (const json::parse_error& e) {
    loaded.errors.push_back(std::string("not valid JSON: ") + e.what());
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
  r.get("card_reader", "jpki_ca_dir", c.jpki_ca_dir);
  r.get("card_reader", "expiry_warning_days", c.expiry_warning_days);
  r.get("card_reader", "grace_days_after_expiry", c.grace_days_after_expiry);
  r.get("storage", "data_dir", c.data_dir);
  r.get("storage", "outbox", c.outbox);
  r.get("storage", "journal_retention_days", c.journal_retention_days);
  r.get("eligibility", "host", c.eligibility_host);
  r.get("eligibility", "port", c.eligibility_port);
  r.get("eligibility", "ca_certificate", c.eligibility_ca_certificate);
  r.get("eligibility", "terminal_certificate", c.terminal_certificate);
  r.get("eligibility", "terminal_key", c.terminal_key);
  r.get("face", "camera", c.camera);
  r.get("face", "enabled", c.face_enabled);
  r.get("face", "model_dir", c.model_dir);
  r.get("face", "code_b_reserve", c.code_b_reserve);
  r.get("screen", "port", c.screen_port);
  read_staff(r, c, loaded.errors);
  r.report_unknown();

  if (c.code_b_reserve < 0 || c.code_b_reserve > 9) {
    loaded.errors.push_back("face.code_b_reserve: 0..9 照合番号B tries kept, found " + std::to_string(c.code_b_reserve));
  }
  if (!c.eligibility_host.empty() && (c.eligibility_port < 1 || c.eligibility_port > 65535)) {
    loaded.errors.push_back("eligibility.port: 1..65535, found " + std::to_string(c.eligibility_port));
  }
  if (!c.eligibility_host.empty() &&
      (c.eligibility_ca_certificate.empty() || c.terminal_certificate.empty() || c.terminal_key.empty())) {
    loaded.errors.push_back("eligibility: ca_certificate, terminal_certificate and terminal_key are needed with a host");
  }
  if (c.screen_port < -1 || c.screen_port > 65535) {
    loaded.errors.push_back("screen.port: -1 (no screen), 0 (any free port) or 1..65535, found " +
                            std::to_string(c.screen_port));
  }
  if (c.journal_retention_days < 1) {
    loaded.errors.push_back("storage.journal_retention_days: at least 1, found " + std::to_string(c.journal_retention_days));
  }
  if (c.expiry_warning_days < 0 || c.expiry_warning_days > 365) {
    loaded.errors.push_back("card_reader.expiry_warning_days: 0..365, found " + std::to_string(c.expiry_warning_days));
  }
  if (c.grace_days_after_expiry < 0 || c.grace_days_after_expiry > 365) {
    loaded.errors.push_back("card_reader.grace_days_after_expiry: 0..365, found " + std::to_string(c.grace_days_after_expiry));
  }
  return loaded;
}

json redacted(const json& config) {
  if (config.is_object()) {
    json out = json::object();
    for (const auto& [key, value] : config.items()) {
      std::string lower = key;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      const bool secret = lower.find("key") != std::string::npos || lower.find("password") != std::string::npos ||
                          lower.find("passcode") != std::string::npos || lower.find("secret") != std::string::npos ||
                          lower.find("pin") != std::string::npos;
      out[key] = secret ? json("<redacted>") : redacted(value);
    }
    return out;
  }
  if (config.is_array()) {
    json out = json::array();
    for (const auto& v : config) out.push_back(redacted(v));
    return out;
  }
  return config;
}

}  // namespace kiosk::firmware
