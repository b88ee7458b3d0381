// The kiosk screen in a browser: an HTTP server on loopback that serves the kiosk page
// (firmware/screen/web/), pushes every screen to it by Server-Sent Events and turns the
// patient's touches into reception events.
//
//   GET  /              the page (index.html); other files of the web directory by their path
//   GET  /events        text/event-stream: "event: screen" with screen_to_json() as data, the
//                       current screen at once, then every new one (the newest wins: a slow
//                       client skips screens it has not fetched yet, never shows a stale one)
//   POST /input         application/json, one of
//                         {"type":"method","value":"face"|"pin"|"visual"}       MethodChosen
//                         {"type":"pin","value":"1234"}                         PinTyped
//                         {"type":"answer","value":true|false}                  Answered
//                         {"type":"prescription","value":"electronic"|"paper"}  PrescriptionChosen
//                         {"type":"ack"}                                        Acknowledged
//                         {"type":"cancel"}                                     Cancelled
//                         {"type":"numbers-start"}  (idle)                      NumberEntryRequested
//                         {"type":"numbers","value":{"document","insurer_number","symbol","number","branch",
//                          "birthdate","limit_consent"}}  (number-entry)        NumbersEntered
//                       200 {"ok":true}; 400 {"error":...} for anything else; 409 when the
//                       screen on show takes no such input (the page was behind)
//   POST /activity      no body: the patient touched the page (a digit, the language, the text
//                       size, "continue" on the time-out warning) without answering yet; on a screen
//                       that waits for the patient (core::reception::patient_paced) its time-out
//                       starts again (PatientActive): 200 {"ok":true,"restarted":true,"step"};
//                       on other screens nothing happens: 200 {"ok":true,"restarted":false,"step"}
//                       (the touch that answered a screen may come after its answer); 400 with a
//                       body. Carries nothing typed: the page sends it at most every 2 s.
//   GET  /healthz       {"status":"ok","step":...,"event_clients":n}
//
// Staff side (pages /staff and /desk; every /staff/* call but login needs a staff session, given
// at login as the HttpOnly SameSite=Strict cookie "kiosk_staff" or sent as "Authorization:
// Bearer <token>"; 401 {"error":...} without one). A session ends 5 idle minutes after the
// last action (visual check, confirmation, desk, diagnostics, /staff/activity; not the polling of
// status or the desk stream), and 12 hours after login however active (StaffPolicy):
//   POST /staff/login          {"staff_id":"staff-07","passcode":"..."} -> 200 {"staff_id","session_seconds"}
//                              401 wrong id or passcode, 429 {"retry_after_seconds"} locked out,
//                              503 no staff accounts configured
//   POST /staff/logout         ends the session
//   GET  /staff/status         {"staff_id","session_seconds","idle_seconds" (how long a session lasts
//                               without an action),"step",
//                               "visual_check":{"on":bool,"seconds_left":n,"staff_id":...}}
//   POST /staff/activity       a tap on the staff page: the session goes on; answers as /staff/status
//   POST /staff/visual-check   {"on":true|false}: StaffVisualCheckMode with this staff id (time-limited)
//   POST /staff/visual-confirm {"confirmed":true,"passcode":"..."} | {"confirmed":false}: VisualChecked on
//                              the visual-check screen (409 elsewhere); confirming needs the session's
//                              passcode again (403 wrong, 429 locked out: counted as logins)
//   GET  /staff/accounts       {"ids":[...]}: the login page's list (no session needed)
//   GET  /staff/desk           today's receptions (desk_rows()), {"since": "...", "rows": [...]}
//   GET  /staff/desk/events    text/event-stream "event: desk" {"reset":bool,"rows":[...]}: today's rows
//                              first, then the new ones as they are journaled; ends with the session
//   GET  /staff/diagnostics    the diagnostics report (WebFrontendConfig::diagnostics), 503 without one
//
// Only 127.0.0.1 is bound, and requests must name it (or localhost) in Host, so a web page
// elsewhere cannot reach the kiosk through DNS rebinding. With `staff_lan`, a second server
// (HTTPS, allow-listed addresses, the kiosk's host names) serves the staff calls and pages, and
// nothing of the patient's screen, to the reception PCs (staff_lan.hpp). The PIN is read into a fixed buffer,
// moved into a core::card::Secret and wiped; it is never logged, echoed or put into a screen.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/journal/journal.hpp"
#include "core/reception/frontend.hpp"
#include "firmware/screen/staff_lan.hpp"
#include "firmware/staff/staff_auth.hpp"

namespace kiosk::firmware::screen {

// The page's files as built: the source tree's firmware/screen/web (compile-time KIOSK_WEB_DIR).
std::filesystem::path default_web_dir();
// The rendered voice files (firmware/screen/voice.hpp): the build tree's voice/, or where the
// packages render them (/var/lib/kiosk/voice) (compile-time KIOSK_VOICE_DIR).
std::filesystem::path default_voice_dir();

struct WebFrontendConfig {
  int port = 0;                      // 0: any free port (see WebFrontend::port())
  std::filesystem::path web_dir;     // empty: default_web_dir()
  // Where /voice/<lang>/<key>.wav is looked for, in turn (a clinic's recorded files first);
  // empty: {default_voice_dir()}. A missing directory serves nothing (the page stays silent).
  std::vector<std::filesystem::path> voice_dirs;
  std::size_t max_event_clients = 8;         // more get 503
  std::chrono::milliseconds keepalive{10000};  // an SSE comment this often finds dead clients
  // Staff side. Without `staff` the staff calls answer 503 (no accounts configured).
  std::shared_ptr<firmware::staff::StaffAuthenticator> staff;
  const core::journal::Journal* journal = nullptr;  // the desk's source; none: an empty desk
  std::function<nlohmann::json()> diagnostics;  // the report of `kiosk diag` (core/diagnostics/report.hpp to_json())
  std::chrono::milliseconds desk_poll{1000};    // how often the desk stream looks for new entries
  // The staff pages also on the clinic's LAN over HTTPS (firmware/screen/staff_lan.hpp); none:
  // only on 127.0.0.1. Needs `staff`.
  std::optional<StaffLanConfig> staff_lan;
};

// The reception desk's rows: the journal's reception entries that end a reception (completed,
// refused, timed out, cancelled, card removed, ...), each {"id","time" (local HH:MM:SS),"event",
// "method","outcome" (the journal's words),"message_code","completed" (a result was reached),
// "state" ("done": a valid qualification; "counter": a result that is not valid, or none, so the
// patient is seen at the counter; "not-completed"), "outcome_key" (the i18n key of what happened,
// staff.outcome.*)}. Nothing else of the patient is in a row.
nlohmann::json desk_rows(const std::vector<core::journal::Record>& records);
// Every "outcome_key" desk_rows() can give (each has its text in every language).
std::vector<std::string_view> desk_outcome_keys();

class WebFrontend final : public core::reception::Frontend {
 public:
  explicit WebFrontend(WebFrontendConfig config = {});
  ~WebFrontend() override;  // stops
  WebFrontend(const WebFrontend&) = delete;
  WebFrontend& operator=(const WebFrontend&) = delete;

  // Binds 127.0.0.1 and serves on a thread of its own; throws std::runtime_error when the port
  // cannot be bound or the web directory has no index.html. Once only.
  void start(core::reception::EventSink sink) override;
  // Thread-safe; may be called before start() (the screen is kept for the first client).
  void show(const core::reception::Screen& screen) override;
  // Ends the event streams and the server; returns promptly with clients connected. Idempotent.
  void stop() override;
  // The patient's live view: GET /camera/frame.jpg gives the latest picture while the face
  // capture is on show (204 No Content otherwise, and after an empty one). Kept in memory only,
  // wiped when replaced.
  void show_preview(std::vector<std::uint8_t> jpeg) override;

  int port() const;         // the bound port (0 before start)
  std::string url() const;  // "http://127.0.0.1:<port>/"
  int staff_lan_port() const;  // the LAN server's bound port (0: none)
  std::size_t event_clients() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiosk::firmware::screen
