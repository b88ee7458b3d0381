// A raw TCP connection for tests of servers: bytes sent as the test chooses (trickled, or never),
// from any loopback source address (every 127/8 address is this host on Linux).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace kiosk::test {

// A raw TCP connection to 127.0.0.1:port from `source` (any 127/8 address is this host).
class RawClient {
 public:
  explicit RawClient(int port, const char* source = "127.0.0.1") : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    connected_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof(from)) == 0 &&
                 ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool send(const std::string& bytes) const { return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()); }

  // What arrives until the server closes or `limit` passes; `closed` says which.
  std::string receive(std::chrono::milliseconds limit, bool& closed) const {
    std::string out;
    closed = false;
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      std::array<char, 1024> buffer{};
      const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (n <= 0) {
        closed = true;
        break;
      }
      out.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fd_;
  bool connected_ = false;
};

// Clients that each send a GET request one byte every 200 ms (about 90 s for the whole
// request), for as long as the server reads them or until destroyed: each single read comes well
// within any per-read time-out, the request never ends.
class Tricklers {
 public:
  Tricklers(int port, int count) {
    for (int n = 0; n < count; ++n) {
      threads_.emplace_back([this, port] {
        const RawClient c(port);
        const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(400, 'x') + "\r\n\r\n";
        for (char byte : request) {
          if (stop_) return;
          if (!c.send(std::string(1, byte))) {
            if (c.connected()) ++cut_off_;  // the server closed the connection mid-request
            return;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
      });
    }
  }
  ~Tricklers() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }
  Tricklers(const Tricklers&) = delete;
  Tricklers& operator=(const Tricklers&) = delete;

  // Connections the server closed before their request was whole.
  int cut_off() const { return cut_off_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> cut_off_{0};
  std::vector<std::thread> threads_;
};

}  // namespace kiosk::test
