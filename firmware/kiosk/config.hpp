// The kiosk's configuration file (JSON). Every problem is reported with the key it concerns;
// loading never stops at the first one, so diagnostics can list them all.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/diagnostics/host_checks.hpp"
#include "core/face/face_config.hpp"
#include "firmware/screen/staff_lan.hpp"
#include "firmware/staff/staff_auth.hpp"

namespace kiosk::firmware::kiosk {

// Bounds of the configuration's durations (issue 18: 999999 days overflowed a time computation
// and purged the whole journal).
inline constexpr int kMaxRetentionDays = 3650;       // ten years
inline constexpr int kMaxOutboxRetentionDays = 366;  // a year

struct KioskConfig {
  std::string terminal_id = "KIOSK-01";
  // card_reader
  // The readers the kiosk takes cards from (hal::ReaderPolicy): `reader` by its exact PC/SC
  // name and/or any reader whose name begins with one of `accepted_models`. Neither: none.
  std::string reader;
  std::vector<std::string> accepted_models;
  std::filesystem::path jpki_ca_dir = "/etc/kiosk/jpki-ca";
  // The certificate's notice period and grace period in calendar months (docs/reception-rules.md §4):
  // warned from 3 months before its expiry date, usable 3 months after it (special measure).
  int expiry_warning_months = 3;
  int grace_months_after_expiry = 3;
  // storage
  std::filesystem::path data_dir = "var";
  bool data_dir_configured = false;  // storage.data_dir given (kiosk run refuses to guess)
  std::filesystem::path journal() const { return data_dir / "journal.sqlite"; }
  std::filesystem::path outbox;  // result files for the reception system; empty: data_dir/outbox
  std::filesystem::path result_outbox() const { return outbox.empty() ? data_dir / "outbox" : outbox; }
  int journal_retention_days = 90;  // 1..kMaxRetentionDays
  // Result files (names, birth dates) left in the outbox longer than this are deleted.
  int outbox_retention_days = 7;    // 1..kMaxOutboxRetentionDays
  // eligibility (empty host: not configured; the kiosk sends patients to the counter)
  std::string eligibility_host;
  int eligibility_port = 443;
  std::filesystem::path eligibility_ca_certificate;
  std::filesystem::path terminal_certificate;
  // The terminal's private key: a PEM file (mode 0600, owned by the kiosk's user) or a key that
  // never leaves a PKCS#11 token, named by an RFC 7512 URI "pkcs11:token=...;object=...", with the
  // token's module and a file holding its user PIN (0600 too).
  std::filesystem::path terminal_key;
  std::filesystem::path pkcs11_module;
  std::filesystem::path pkcs11_pin_file;
  // face
  bool face_enabled = true;
  // Cameras by source (drivers/camera/camera_source.hpp): "/dev/videoN", an index, "file:...",
  // "dir:...", "gst:...". The face camera looks at the patient, the scanner camera at the card
  // tray (the card's printed front, for 照合番号B); both are opened only for a face attempt.
  std::string camera = "/dev/video0";
  std::string scanner_camera;  // empty: no card-surface scanner, no face authentication
  // The card-surface reader's calibration (JSON, drivers/card_surface/scanner_config.hpp):
  // field positions and search margins, read policy, imaging. Empty: the built-in layout.
  std::filesystem::path surface_layout;
  std::filesystem::path model_dir = "../shared/faces/models";
  // The score cohort (core/face/score_cohort.hpp), made with `face-eval cohort` from a labelled
  // face set of people who are not patients; relative to model_dir unless absolute. Empty:
  // scores are plain cosines (held-out FRR at FAR 0.1% about 1.5-1.8% instead of 1.1-1.3%).
  // Configured but missing or broken: the face path is not offered (kiosk diag says why).
  std::filesystem::path score_cohort;
  // The head-turn question of every face attempt (core/face/head_turn_challenge.hpp): what
  // stops a video replayed on a screen. Off only where the face camera plays a recording (QA,
  // "file:"/"dir:" sources), which cannot answer it; kiosk diag warns when it is off.
  bool head_turn_challenge = true;
  // 照合番号B tries the kiosk never spends: it refuses to present 照合番号B when this many or
  // fewer are left (core::card::CodeBPolicy; its retry limit is uncertain, docs/genuine-card.md)
  int code_b_reserve = 1;
  std::vector<core::diagnostics::ExpectedFile> model_files() const;
  // screen: the kiosk screen for Chromium on http://127.0.0.1:<port>/ (-1: none, the reception
  // runs on the terminal; 0: any free port)
  int screen_port = -1;
  // screen.voice_dirs: where the page's voice files are looked for, in turn: a clinic's recorded
  // files first, then the rendered ones (`kiosk voice-render`); none: the built-in directory.
  std::vector<std::string> voice_dirs;
  // metrics: Prometheus text for the node exporter's textfile collector (empty: none), rewritten
  // every interval_seconds (docs/installation.md, "Fleet").
  std::filesystem::path metrics_textfile;
  int metrics_interval_seconds = 60;
  // staff: {"accounts": [{"id": "staff-07", "passcode_hash": "<kiosk staff-passcode>"}],
  //         "max_failures": 5, "lockout_minutes": 15, "session_minutes": 5, "visual_check_minutes": 30}
  std::vector<firmware::staff::StaffAccount> staff_accounts;  // none: no staff login, no visual check
  firmware::staff::StaffPolicy staff;
  // staff_lan: {"enabled": false, "address": "0.0.0.0", "port": 8443, "certificate": "...pem",
  //             "key": "...pem (0600)", "allow": ["192.168.10.0/24"], "host_names": ["kiosk-01.clinic.lan"]}
  // The staff pages also on the clinic's LAN over HTTPS (firmware/screen/staff_lan.hpp); the
  // patient screen stays on 127.0.0.1. Needs the screen and staff accounts.
  std::optional<firmware::screen::StaffLanConfig> staff_lan;
};

struct LoadedConfig {
  KioskConfig config;
  std::string source;               // the file, or "built-in defaults"
  std::vector<std::string> errors;  // "key: what is wrong"
  nlohmann::json raw;               // as read (for the support bundle, redacted there)
};

// The face pipeline's settings for this configuration: the model files sit directly in
// face.model_dir (as the host checks of the model files expect them).
core::face::FaceConfig face_config(const KioskConfig& config);

// Reads `file`; an empty path gives the defaults. Unknown keys are errors (typos).
LoadedConfig load_config(const std::filesystem::path& file);

// The configuration with secrets (keys named *key*, *password*, *passcode*, *secret*) replaced.
nlohmann::json redacted(const nlohmann::json& config);

}  // namespace kiosk::firmware::kiosk
