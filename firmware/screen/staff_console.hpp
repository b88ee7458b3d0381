// The staff side of the kiosk screen (web_frontend.hpp lists the calls): passcode login and
// sessions, the time-limited visual-check mode and the confirmation of a waiting check, the
// reception desk (today's receptions, and a live stream of them) and the diagnostics report,
// with the pages /staff and /desk. Every call but login needs a staff session.
#pragma once

#include <httplib.h>

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "firmware/screen/http_hygiene.hpp"
#include "firmware/screen/screen_state.hpp"
#include "firmware/screen/web_frontend.hpp"

namespace kiosk::firmware::screen {

class StaffConsole {
 public:
  // `config`, `state` and `files` outlive the console.
  StaffConsole(const WebFrontendConfig& config, ScreenState& state, const StaticFiles& files)
      : config_(config), state_(state), files_(files) {}

  // Adds the staff routes to `server`.
  void install(httplib::Server& server);

 private:
  // The staff id of the request's session; answers 401/503 and returns nullopt without one. An
  // Action (what a staff member did, not the page's polling) keeps the session going.
  using Use = firmware::staff::StaffAuthenticator::Use;
  std::optional<std::string> session(const httplib::Request& req, httplib::Response& res, Use use);
  nlohmann::json status(const std::string& staff_id, const std::string& token);
  void login(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void visual_check(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void visual_confirm(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void desk_events(const std::string& token, httplib::Response& res);

  const WebFrontendConfig& config_;
  ScreenState& state_;
  const StaticFiles& files_;
  // Visual-check mode as switched from the staff page (the machine ends it at the same time);
  // guarded by state_.mutex.
  std::optional<std::chrono::steady_clock::time_point> visual_until_;
  std::string visual_staff_;
};

}  // namespace kiosk::firmware::screen
