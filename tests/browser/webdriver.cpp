#include "tests/browser/webdriver.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <array>
#include <fstream>
#include <cstring>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string_view>
#include <thread>

extern char** environ;

namespace kiosk::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";

std::optional<std::filesystem::path> first_executable(std::initializer_list<const char*> candidates) {
  for (const char* c : candidates) {
    if (::access(c, X_OK) == 0) return std::filesystem::path(c);
  }
  return std::nullopt;
}

// A free loopback port: bound and released; chromedriver takes it right after.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("no free loopback port");
  return ntohs(addr.sin_port);
}

std::filesystem::path make_temp_dir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

}  // namespace

std::optional<BrowserTools> find_browser_tools(std::string& missing) {
  // The real binary, not the /usr/bin/chromium wrapper script (it only adds desktop flags).
  const auto chromium = first_executable({"/usr/lib/chromium/chromium", "/usr/bin/chromium"});
  const auto driver = first_executable({"/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"});
  missing.clear();
  if (!chromium) missing += "chromium ";
  if (!driver) missing += "chromedriver (package chromium-driver) ";
  if (!chromium || !driver) return std::nullopt;
  return BrowserTools{*chromium, *driver};
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log,
                           const std::vector<std::string>& environment) {
  std::vector<std::string> env_copy = environment;
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  for (std::string& e : env_copy) env.push_back(e.data());
  env.push_back(nullptr);
  std::vector<char*> args;
  std::vector<std::string> copy = argv;
  for (std::string& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  const int rc = ::posix_spawn(&pid_, args[0], &actions, &attr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + argv.front() + ": " + std::strerror(rc));
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGTERM);  // the group this process leads: the driver and its browser
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      ::kill(-pid_, SIGKILL);  // whatever of the group is left
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
}

WebDriver::WebDriver(const BrowserTools& tools, const Options& options) {
  profile_ = make_temp_dir("kiosk-chromium-profile-");
  const int port = free_port();
  const std::filesystem::path log = options.log_dir / "chromedriver.log";
  std::vector<std::string> environment;
  if (!options.audio_capture.empty()) {
    // The browser plays through ALSA's default device (no PulseAudio here): that device is a
    // converter to 16 kHz mono 16-bit in front of the file plugin, which writes a WAV file and
    // passes the sound on to the null device.
    const std::filesystem::path conf = options.log_dir / "asound-capture.conf";
    std::ofstream(conf) << "pcm.!default {\n  type plug\n  slave { pcm \"capture\" format S16_LE rate 16000 channels 1 }\n}\n"
                        << "pcm.capture {\n  type file\n  slave.pcm { type null }\n  file " << json(options.audio_capture.string()).dump()
                        << "\n  format \"wav\"\n}\n";
    std::filesystem::remove(options.audio_capture);
    environment.push_back("ALSA_CONFIG_PATH=" + conf.string());
  }
  driver_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{tools.chromedriver.string(), "--port=" + std::to_string(port), "--allowed-ips=127.0.0.1"},
      log, environment);
  http_ = std::make_unique<httplib::Client>("127.0.0.1", port);
  http_->set_connection_timeout(1s);
  http_->set_read_timeout(30s);
  http_->set_write_timeout(5s);

  const auto deadline = std::chrono::steady_clock::now() + 10s;
  bool ready = false;
  while (!ready && std::chrono::steady_clock::now() < deadline) {
    if (!driver_->running()) throw std::runtime_error("chromedriver exited at start; see " + log.string());
    if (auto res = http_->Get("/status")) {
      const json j = json::parse(res->body, nullptr, false);
      ready = j.is_object() && j.contains("value") && j["value"].value("ready", false);
    }
    if (!ready) std::this_thread::sleep_for(50ms);
  }
  if (!ready) throw std::runtime_error("chromedriver did not become ready in 10 s; see " + log.string());

  const json args = json::array({
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      "--hide-scrollbars",
      "--force-device-scale-factor=1",
      "--lang=ja",
      "--window-size=" + std::to_string(options.width) + "," + std::to_string(options.height),
      "--user-data-dir=" + profile_.string(),
      // As the kiosk's browser (kiosk-screen.service): the voice speaks before the first touch.
      "--autoplay-policy=no-user-gesture-required",
  });
  const json caps = {
      {"capabilities",
       {{"alwaysMatch",
         {{"browserName", "chrome"},
          // The staff pages on the LAN use a certificate of the test's own CA.
          {"acceptInsecureCerts", true},
          {"goog:chromeOptions", {{"binary", tools.chromium.string()}, {"args", args}}},
          {"goog:loggingPrefs", {{"browser", "ALL"}}}}}}},
  };
  const json value = command("POST", "/session", caps);
  session_ = value.at("sessionId").get<std::string>();
  // The viewport is what the kiosk screen is; make it exactly the size asked for.
  resize(options.width, options.height);
}

void WebDriver::resize(int width, int height) {
  // The window is the viewport plus the browser's own frame (none when headless, usually).
  const json window = command("GET", "/session/" + session_ + "/window/rect", nullptr);
  const json size = execute("return [window.innerWidth, window.innerHeight];");
  const int frame_w = window.at("width").get<int>() - size[0].get<int>();
  const int frame_h = window.at("height").get<int>() - size[1].get<int>();
  if (size[0].get<int>() == width && size[1].get<int>() == height) return;
  command("POST", "/session/" + session_ + "/window/rect", json{{"width", width + frame_w}, {"height", height + frame_h}});
}

WebDriver::~WebDriver() {
  if (!session_.empty() && http_) {
    http_->set_read_timeout(5s);
    http_->Delete(("/session/" + session_).c_str());
  }
  http_.reset();
  driver_.reset();
  std::error_code ec;
  std::filesystem::remove_all(profile_, ec);
}

json WebDriver::command(const std::string& method, const std::string& path, const json& body) {
  const std::string text = body.is_null() ? std::string() : body.dump();
  httplib::Result res = method == "GET"      ? http_->Get(path.c_str())
                        : method == "DELETE" ? http_->Delete(path.c_str())
                                             : http_->Post(path.c_str(), text, "application/json");
  if (!res) throw std::runtime_error("WebDriver " + method + " " + path + ": no answer (" + httplib::to_string(res.error()) + ")");
  const json j = json::parse(res->body, nullptr, false);
  if (j.is_discarded() || !j.contains("value")) {
    throw std::runtime_error("WebDriver " + method + " " + path + ": HTTP " + std::to_string(res->status) + " " + res->body);
  }
  const json& value = j["value"];
  if (res->status != 200 || (value.is_object() && value.contains("error"))) {
    throw std::runtime_error("WebDriver " + method + " " + path + ": " + value.value("error", std::string("?")) + ": " +
                             value.value("message", std::string()).substr(0, 400));
  }
  return value;
}

void WebDriver::navigate(const std::string& url) { command("POST", "/session/" + session_ + "/url", json{{"url", url}}); }

json WebDriver::execute(const std::string& script, const json& args) {
  return command("POST", "/session/" + session_ + "/execute/sync", json{{"script", script}, {"args", args}});
}

std::string WebDriver::find(const std::string& css) {
  const json value =
      command("POST", "/session/" + session_ + "/element", json{{"using", "css selector"}, {"value", css}});
  return value.at(kElementKey).get<std::string>();
}

void WebDriver::click(const std::string& element) {
  command("POST", "/session/" + session_ + "/element/" + element + "/click", json::object());
}

void WebDriver::click_css(const std::string& css) {
  for (int attempt = 1;; ++attempt) {
    try {
      click(find(css));
      return;
    } catch (const std::runtime_error& e) {
      if (attempt >= 5 || std::string_view(e.what()).find("stale element") == std::string_view::npos) throw;
      std::this_thread::sleep_for(50ms);
    }
  }
}

std::vector<unsigned char> WebDriver::screenshot_png() {
  return base64_decode(command("GET", "/session/" + session_ + "/screenshot", nullptr).get<std::string>());
}

std::vector<std::pair<std::string, std::string>> WebDriver::console_log() {
  std::vector<std::pair<std::string, std::string>> out;
  const json entries = command("POST", "/session/" + session_ + "/se/log", json{{"type", "browser"}});
  for (const json& e : entries) out.emplace_back(e.value("level", ""), e.value("message", ""));
  return out;
}

bool WebDriver::wait_until(const std::string& script, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (execute(script) == json(true)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

std::vector<unsigned char> base64_decode(const std::string& text) {
  std::array<int, 256> table{};
  table.fill(-1);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  std::vector<unsigned char> out;
  out.reserve(text.size() / 4 * 3);
  unsigned int buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0) continue;  // '=' padding, line breaks
    buffer = (buffer << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>((buffer >> bits) & 0xFFu));
    }
  }
  return out;
}

}  // namespace kiosk::test
