// A private pcscd for one test: `pcscd --foreground --debug --apdu --config <dir>` where <dir>
// holds vpcd reader entries on free loopback ports.
//
// Debian 12's pcscd (1.9.9) always binds /run/pcscd/pcscd.comm, so only one can run on the
// machine. Within one ctest run the suites take RESOURCE_LOCK "pcscd"; across test runs (other
// build trees, other engineers) start() first takes an exclusive flock() on
// /tmp/kiosk-pcscd-harness.lock, waiting at most `lock_timeout`. Then it refuses (throws, with
// the pid) when a pcscd is running anyway (the machine's own), instead of talking to it. The
// pcscd started here is always stopped: by stop(), the destructor, or (if the test process
// dies) PR_SET_PDEATHSIG; the lock is held until the destructor.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/support/process.hpp"

namespace kiosk::test {

// An open file with an exclusive flock(); closed (unlocked) on destruction.
class UniqueLockFile {
 public:
  UniqueLockFile() = default;
  ~UniqueLockFile() { reset(); }
  UniqueLockFile(const UniqueLockFile&) = delete;
  UniqueLockFile& operator=(const UniqueLockFile&) = delete;
  // Tries to lock `path` until `timeout`; false if another process kept it.
  bool acquire(const std::filesystem::path& path, std::chrono::milliseconds timeout);
  bool held() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

// "pid 1234 (/usr/sbin/pcscd -f)" when a pcscd process runs on this machine.
std::optional<std::string> find_running_pcscd();

class PcscdHarness {
 public:
  static constexpr int kSlotsPerReader = 2;  // vpcd's VPCDSLOTS in Debian's build

  // `readers` vpcd reader entries ("Kiosk VPCD A", "Kiosk VPCD B", ...), each with two slots
  // on two consecutive free TCP ports. Nothing runs until start().
  explicit PcscdHarness(int readers = 1);
  ~PcscdHarness();
  PcscdHarness(const PcscdHarness&) = delete;
  PcscdHarness& operator=(const PcscdHarness&) = delete;

  // Takes the machine-wide harness lock (waiting at most `lock_timeout`) and makes sure no
  // pcscd runs. start() does this first; call it alone to test the absence of pcscd.
  void reserve(std::chrono::milliseconds lock_timeout = std::chrono::milliseconds(30000));
  // Starts pcscd and waits (at most `ready_timeout`) until PC/SC lists every configured slot.
  // Throws std::runtime_error with the reason (another pcscd, pcscd exited, not ready in time;
  // the message ends with the tail of pcscd's log).
  void start(std::chrono::milliseconds ready_timeout = std::chrono::milliseconds(5000),
             std::chrono::milliseconds lock_timeout = std::chrono::milliseconds(30000));
  // SIGTERM (SIGKILL after 3 s); waits until /run/pcscd/pcscd.comm is gone. Idempotent.
  void stop();
  bool running();

  void send_signal(int sig);
  pid_t pid() const;

  // Adds one more reader entry to the configuration directory (for the rescan experiment);
  // returns its index.
  int add_reader_entry();

  int readers() const { return static_cast<int>(ports_.size()); }
  std::uint16_t vpcd_port(int reader = 0, int slot = 0) const;
  // As PC/SC lists it: "Kiosk VPCD A 00 00".
  std::string reader_name(int reader = 0, int slot = 0) const;
  std::vector<std::string> all_reader_names() const;

  const std::filesystem::path& config_dir() const { return config_dir_; }
  const std::filesystem::path& log_path() const { return log_; }
  std::string log_tail(std::size_t lines = 30) const;

 private:
  void write_entry(int reader);

  UniqueLockFile lock_;
  TempDir work_;
  std::filesystem::path config_dir_;
  std::filesystem::path log_;
  std::vector<std::uint16_t> ports_;  // base port (slot 0) of each reader entry
  std::unique_ptr<ChildProcess> pcscd_;
};

// The directory where tests write logs worth keeping (pcscd logs, tool outputs):
// <build>/tests/integration/logs.
std::filesystem::path log_dir();
// The current Catch2 test name, made safe for a file name.
std::string current_test_file_stem();

}  // namespace kiosk::test
