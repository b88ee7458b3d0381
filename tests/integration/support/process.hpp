// Child processes for the integration tests: long-running daemons (pcscd, kiosk-sim card
// serve) that die with the test process, and commands run to completion with a hard timeout.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::test {

// A started program. stdout and stderr go to `output` (truncated), stdin is /dev/null. The
// child gets SIGTERM when the thread that started it ends (PR_SET_PDEATHSIG), so that a test
// that crashes or is killed by CTest's timeout leaves nothing behind.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& output,
               const std::vector<std::string>& extra_env = {});
  ~ChildProcess();  // terminate()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  bool running();
  void send_signal(int sig);
  // The exit status (or 128 + signal) if the process ends within `timeout`.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; returns the exit status (or 128 + signal). Idempotent.
  int terminate(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv to completion; killed (SIGKILL) after `timeout`.
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::vector<std::string>& extra_env = {});

// The full path of a program found in PATH (or the argument if it contains a '/'); empty when
// not found.
std::string find_program(const std::string& name);

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction unless
// KIOSK_KEEP_TEST_DIRS is set.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "kiosk-it");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& file);
void write_file(const std::filesystem::path& file, const std::string& content);

}  // namespace kiosk::test
