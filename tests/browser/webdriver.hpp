// A small W3C WebDriver client for the browser tests: starts Debian's chromedriver on a
// loopback port of its own, opens a headless Chromium session with a fresh profile, and
// offers the handful of commands the tests need. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class Client;
}

namespace kiosk::test {

// Where Debian puts the browser and its driver; nullopt (with the reason) when one is missing.
struct BrowserTools {
  std::filesystem::path chromium;
  std::filesystem::path chromedriver;
};
std::optional<BrowserTools> find_browser_tools(std::string& missing);

// A child process in a process group of its own; terminated (the group: chromedriver and the
// browsers it started) when destroyed.
class ChildProcess {
 public:
  // `environment`: NAME=value entries added to this process's environment.
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log,
               const std::vector<std::string>& environment = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  bool running();

 private:
  pid_t pid_ = -1;
};

class WebDriver {
 public:
  struct Options {
    int width = 1280;
    int height = 800;
    std::filesystem::path log_dir;  // chromedriver.log goes there
    // Where the browser's sound goes, as a 16 kHz mono 16-bit WAV file (ALSA's file plugin in
    // front of its null device); empty: the default output.
    std::filesystem::path audio_capture;
  };
  // Starts chromedriver and a headless session; throws std::runtime_error with the reason.
  WebDriver(const BrowserTools& tools, const Options& options);
  ~WebDriver();  // ends the session, the browser and the driver
  WebDriver(const WebDriver&) = delete;
  WebDriver& operator=(const WebDriver&) = delete;

  void navigate(const std::string& url);
  // Makes the viewport exactly width x height (a portrait kiosk: 1080 x 1920).
  void resize(int width, int height);
  // Runs `script` (a function body) in the page; returns its value.
  nlohmann::json execute(const std::string& script, const nlohmann::json& args = nlohmann::json::array());
  // The first element matching a CSS selector (throws when there is none).
  std::string find(const std::string& css);
  void click(const std::string& element);
  // Clicks the element matching `css` now: when the page re-rendered it between the look-up and
  // the click (a stale element), looks it up again, as a finger would tap what is shown.
  void click_css(const std::string& css);
  std::vector<unsigned char> screenshot_png();
  // The browser's console messages since the last call (level, message).
  std::vector<std::pair<std::string, std::string>> console_log();

  // Polls `script` until it returns true, at most `timeout`.
  bool wait_until(const std::string& script, std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  nlohmann::json command(const std::string& method, const std::string& path, const nlohmann::json& body);

  std::filesystem::path profile_;
  std::unique_ptr<ChildProcess> driver_;
  std::unique_ptr<httplib::Client> http_;
  std::string session_;
};

std::vector<unsigned char> base64_decode(const std::string& text);

}  // namespace kiosk::test
