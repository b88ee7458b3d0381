#include "tests/integration/support/pcscd_harness.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <winscard.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "drivers/pcsc/pcsc_context.hpp"
#include "hal/card_reader.hpp"

#ifndef KIOSK_IT_LOG_DIR
#define KIOSK_IT_LOG_DIR "."
#endif

namespace kiosk::test {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kSocketPath = "/run/pcscd/pcscd.comm";
constexpr const char* kVpcdDriver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
constexpr const char* kLockFile = "/tmp/kiosk-pcscd-harness.lock";

// A socket bound to `port` (0: any free port) on all interfaces, like vpcd binds; -1 if taken.
int bind_port(std::uint16_t port, std::uint16_t& bound) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  bound = ntohs(addr.sin_port);
  return fd;
}

// Two consecutive free ports (vpcd slot 0 and slot 1), not in `taken`.
std::uint16_t free_port_pair(const std::vector<std::uint16_t>& taken) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::uint16_t base = 0;
    const int a = bind_port(0, base);
    if (a < 0) continue;
    std::uint16_t next = 0;
    const int b = base < 65535 ? bind_port(static_cast<std::uint16_t>(base + 1), next) : -1;
    ::close(a);
    if (b >= 0) ::close(b);
    const bool clash = std::any_of(taken.begin(), taken.end(), [&](std::uint16_t t) {
      return t == base || t + 1 == base || t == base + 1;
    });
    if (b >= 0 && !clash) return base;
  }
  throw std::runtime_error("no pair of free TCP ports for vpcd");
}

std::string friendly_name(int reader) { return std::string("Kiosk VPCD ") + static_cast<char>('A' + reader); }

}  // namespace

std::filesystem::path log_dir() {
  std::filesystem::path dir(KIOSK_IT_LOG_DIR);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return dir;
}

std::string current_test_file_stem() {
  std::string name = Catch::getResultCapture().getCurrentTestName();
  for (char& c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) c = '_';
  }
  return name.empty() ? std::string("test") : name.substr(0, 80);
}

bool UniqueLockFile::acquire(const std::filesystem::path& path, std::chrono::milliseconds timeout) {
  reset();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string());
  const auto deadline = Clock::now() + timeout;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (Clock::now() >= deadline) {
      ::close(fd);
      return false;
    }
    std::this_thread::sleep_for(50ms);
  }
  fd_ = fd;
  return true;
}

void UniqueLockFile::reset() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
  fd_ = -1;
}

std::optional<std::string> find_running_pcscd() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string comm = read_file(entry.path() / "comm");
    while (!comm.empty() && (comm.back() == '\n' || comm.back() == '\r')) comm.pop_back();
    if (comm != "pcscd") continue;
    const std::string stat = read_file(entry.path() / "stat");
    const auto paren = stat.rfind(')');
    if (paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z') continue;  // zombie
    std::string cmdline = read_file(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    return "pid " + pid + " (" + cmdline + ")";
  }
  return std::nullopt;
}

PcscdHarness::PcscdHarness(int readers) : work_("kiosk-pcscd") {
  config_dir_ = work_.path() / "reader.conf.d";
  std::filesystem::create_directories(config_dir_);
  log_ = log_dir() / (current_test_file_stem() + ".pcscd.log");
  for (int i = 0; i < readers; ++i) add_reader_entry();
}

PcscdHarness::~PcscdHarness() { stop(); }

int PcscdHarness::add_reader_entry() {
  ports_.push_back(free_port_pair(ports_));
  const int index = static_cast<int>(ports_.size()) - 1;
  write_entry(index);
  return index;
}

void PcscdHarness::write_entry(int reader) {
  const std::uint16_t port = ports_.at(static_cast<std::size_t>(reader));
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%04X", port);
  std::ostringstream entry;
  entry << "FRIENDLYNAME \"" << friendly_name(reader) << "\"\n"
        << "DEVICENAME   /dev/null:" << hex << "\n"
        << "LIBPATH      " << kVpcdDriver << "\n"
        << "CHANNELID    " << hex << "\n";
  write_file(config_dir_ / ("vpcd-" + std::string(1, static_cast<char>('a' + reader))), entry.str());
}

std::uint16_t PcscdHarness::vpcd_port(int reader, int slot) const {
  return static_cast<std::uint16_t>(ports_.at(static_cast<std::size_t>(reader)) + slot);
}

std::string PcscdHarness::reader_name(int reader, int slot) const {
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, " 00 %02X", slot);
  return friendly_name(reader) + suffix;
}

std::vector<std::string> PcscdHarness::all_reader_names() const {
  std::vector<std::string> names;
  for (int r = 0; r < readers(); ++r) {
    for (int s = 0; s < kSlotsPerReader; ++s) names.push_back(reader_name(r, s));
  }
  return names;
}

std::string PcscdHarness::log_tail(std::size_t lines) const {
  std::ifstream in(log_);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& l : tail) out += "  | " + l + "\n";
  return out;
}

bool PcscdHarness::running() { return pcscd_ && pcscd_->running(); }

pid_t PcscdHarness::pid() const { return pcscd_ ? pcscd_->pid() : -1; }

void PcscdHarness::send_signal(int sig) {
  if (pcscd_) pcscd_->send_signal(sig);
}

void PcscdHarness::reserve(std::chrono::milliseconds lock_timeout) {
  if (!lock_.held() && !lock_.acquire(kLockFile, lock_timeout)) {
    throw std::runtime_error(std::string("another test run kept ") + kLockFile + " (its private pcscd) for " +
                             std::to_string(lock_timeout.count()) + " ms; try again when it is done");
  }
  if (auto other = find_running_pcscd()) {
    throw std::runtime_error(
        "another pcscd is running (" + *other +
        "). Debian's pcscd always uses " + kSocketPath +
        ", so these tests need the machine's pcscd stopped (systemctl stop pcscd.socket pcscd.service).");
  }
}

void PcscdHarness::start(std::chrono::milliseconds ready_timeout, std::chrono::milliseconds lock_timeout) {
  if (running()) return;
  reserve(lock_timeout);
  if (find_program("pcscd").empty()) throw std::runtime_error("pcscd not found (apt install pcscd)");
  if (::access(kVpcdDriver, R_OK) != 0) throw std::runtime_error(std::string(kVpcdDriver) + " missing (apt install vsmartcard-vpcd)");

  pcscd_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"pcscd", "--foreground", "--debug", "--apdu", "--config", config_dir_.string()}, log_);

  const std::vector<std::string> expected = all_reader_names();
  const auto deadline = Clock::now() + ready_timeout;
  std::string last;
  while (Clock::now() < deadline) {
    if (!pcscd_->running()) {
      const int status = pcscd_->terminate();
      throw std::runtime_error("pcscd exited (status " + std::to_string(status) + ") while starting:\n" + log_tail());
    }
    try {
      kiosk::drivers::pcsc::PcscContext context;
      const auto names = context.list_readers();
      const bool all = std::all_of(expected.begin(), expected.end(), [&](const std::string& n) {
        return std::find(names.begin(), names.end(), n) != names.end();
      });
      if (all) return;
      last = std::to_string(names.size()) + " of " + std::to_string(expected.size()) + " readers listed";
    } catch (const hal::CardError& e) {
      last = e.what();
    }
    std::this_thread::sleep_for(50ms);
  }
  stop();
  throw std::runtime_error("pcscd not ready within " + std::to_string(ready_timeout.count()) + " ms (" + last + "):\n" +
                           log_tail());
}

void PcscdHarness::stop() {
  if (!pcscd_) return;
  pcscd_->terminate(3000ms);
  pcscd_.reset();
  // pcscd removes its socket on the way out; a later start must not see it.
  const auto deadline = Clock::now() + 2000ms;
  while (std::filesystem::exists(kSocketPath) && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
}

}  // namespace kiosk::test
