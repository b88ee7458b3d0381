#include <catch2/catch.hpp>

#include <stdlib.h>  // mkdtemp, setenv
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "drivers/system/systemd_service_manager.hpp"

using namespace std::chrono_literals;
using kiosk::drivers::system::SystemdServiceManager;

namespace {

// A stand-in for systemd's notification socket: an AF_UNIX datagram socket in a temporary
// directory, named by $NOTIFY_SOCKET. (Each TEST_CASE runs as its own process under CTest.)
class NotifySocket {
 public:
  NotifySocket() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kiosk-notify-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir_ = tmpl;
    path_ = dir_ / "notify";
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path_.string().size() < sizeof(addr.sun_path));
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    timeval tv{0, 200'000};
    REQUIRE(::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
    ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~NotifySocket() {
    ::unsetenv("NOTIFY_SOCKET");
    ::close(fd_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // The next notification, or nullopt when none arrives within 200 ms.
  std::optional<std::string> next() {
    std::array<char, 4096> buf{};
    const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) return std::nullopt;
    return std::string(buf.data(), static_cast<std::size_t>(n));
  }
  void close_now() {
    ::close(fd_);
    fd_ = -1;
    std::filesystem::remove(path_);
  }

 private:
  std::filesystem::path dir_;
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("service manager: without systemd every call is a no-op") {
  ::unsetenv("NOTIFY_SOCKET");
  ::setenv("WATCHDOG_USEC", "1000000", 1);  // ignored without a socket
  SystemdServiceManager m;
  CHECK_FALSE(m.supervised());
  CHECK_FALSE(m.watchdog_interval().has_value());
  m.ready();
  m.status("idle");
  m.watchdog();
  m.stopping();
  CHECK(m.last_error().empty());
}

TEST_CASE("service manager: READY, STATUS and STOPPING reach the notification socket") {
  ::unsetenv("WATCHDOG_USEC");
  NotifySocket socket;
  SystemdServiceManager m;
  CHECK(m.supervised());
  CHECK_FALSE(m.watchdog_interval().has_value());  // the unit has no WatchdogSec=
  m.ready();
  CHECK(socket.next() == "READY=1\nSTATUS=ready");
  m.status("pin-entry\n(tries left 2)\x7f");
  CHECK(socket.next() == "STATUS=pin-entry (tries left 2) ");
  m.watchdog();  // no watchdog asked for: nothing sent
  m.stopping();
  CHECK(socket.next() == "STOPPING=1\nSTATUS=stopping");
  CHECK_FALSE(socket.next().has_value());
  CHECK(m.last_error().empty());
}

TEST_CASE("service manager: the watchdog is paced from WATCHDOG_USEC and ignores another process's") {
  NotifySocket socket;
  ::setenv("WATCHDOG_USEC", "400000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  SystemdServiceManager m;
  REQUIRE(m.watchdog_interval() == std::chrono::microseconds(200'000));
  m.watchdog();
  CHECK(socket.next() == "WATCHDOG=1");
  for (int i = 0; i < 50; ++i) m.watchdog();  // a loop turning fast sends nothing more
  CHECK_FALSE(socket.next().has_value());    // (waits 200 ms: more than a quarter time-out)
  m.watchdog();
  CHECK(socket.next() == "WATCHDOG=1");

  ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);  // meant for another process
  SystemdServiceManager other;
  CHECK(other.supervised());
  CHECK_FALSE(other.watchdog_interval().has_value());
}

TEST_CASE("service manager: a notification that cannot be sent is reported, not thrown") {
  ::unsetenv("WATCHDOG_USEC");
  NotifySocket socket;
  SystemdServiceManager m;
  socket.close_now();
  m.status("idle");
  CHECK_THAT(m.last_error(), Catch::Contains("sd_notify(STATUS=idle)"));
}

TEST_CASE("service manager: status lines keep UTF-8 text") {
  CHECK(kiosk::drivers::system::status_line("暗証番号入力") == "暗証番号入力");
  CHECK(kiosk::drivers::system::status_line("a\r\nb\tc") == "a  b c");
}
