// The kiosk's configuration file (JSON). Every problem is reported with the key it concerns;
// loading never stops at the first one, so diagnostics can list them all.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/diagnostics/host_checks.hpp"
#include "core/face/face_config.hpp"
#include "firmware/kiosk/staff_auth.hpp"

namespace kiosk::firmware {

struct KioskConfig {
  std::string terminal_id = "KIOSK-01";
  // card_reader
  std::string reader;                        // PC/SC reader name; empty: the first reader
  std::filesystem::path jpki_ca_dir = "/etc/kiosk/jpki-ca";
  int expiry_warning_days = 90;              // warn 3 months before the certificate expires
  int grace_days_after_expiry = 90;          // usable 3 months after expiry (special measure)
  // storage
  std::filesystem::path data_dir = "var";
  std::filesystem::path journal() const { return data_dir / "journal.sqlite"; }
  std::filesystem::path outbox;  // result files for the reception system; empty: data_dir/outbox
  std::filesystem::path result_outbox() const { return outbox.empty() ? data_dir / "outbox" : outbox; }
  int journal_retention_days = 90;
  // eligibility (empty host: not configured; the kiosk sends patients to the counter)
  std::string eligibility_host;
  int eligibility_port = 443;
  std::filesystem::path eligibility_ca_certificate;
  std::filesystem::path terminal_certificate;
  std::filesystem::path terminal_key;
  // face
  bool face_enabled = true;
  std::string camera = "/dev/video0";
  std::filesystem::path model_dir = "../shared/faces/models";
  // 照合番号B tries the kiosk never spends: it refuses to present 照合番号B when this many or
  // fewer are left (card::CodeBPolicy; its retry limit is uncertain, docs/genuine-card.md)
  int code_b_reserve = 1;
  std::vector<diagnostics::ExpectedFile> model_files() const;
  // screen: the kiosk screen for Chromium on http://127.0.0.1:<port>/ (-1: none, the reception
  // runs on the terminal; 0: any free port)
  int screen_port = -1;
  // staff: {"accounts": [{"id": "staff-07", "passcode_hash": "<kiosk staff-passcode>"}],
  //         "max_failures": 5, "lockout_minutes": 15, "session_minutes": 5, "visual_check_minutes": 30}
  std::vector<StaffAccount> staff_accounts;  // none: no staff login, no visual check
  StaffPolicy staff;
};

struct LoadedConfig {
  KioskConfig config;
  std::string source;               // the file, or "built-in defaults"
  std::vector<std::string> errors;  // "key: what is wrong"
  nlohmann::json raw;               // as read (for the support bundle, redacted there)
};

// The face pipeline's settings for this configuration: the model files sit directly in
// face.model_dir (as the host checks of the model files expect them).
face::FaceConfig face_config(const KioskConfig& config);

// Reads `file`; an empty path gives the defaults. Unknown keys are errors (typos).
LoadedConfig load_config(const std::filesystem::path& file);

// The configuration with secrets (keys named *key*, *password*, *passcode*, *secret*) replaced.
nlohmann::json redacted(const nlohmann::json& config);

}  // namespace kiosk::firmware
