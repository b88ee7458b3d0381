// Small POSIX socket helpers for the vpcd bridge: RAII descriptors, an interruptible TCP
// connect and exact reads/writes that a wake-up descriptor can interrupt.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "hal/bytes.hpp"

namespace kiosk::sim::vpcd {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// A counter descriptor (eventfd) used to wake a thread blocked in poll().
class WakeFd {
 public:
  WakeFd();  // throws std::system_error
  void notify() noexcept;
  void drain() noexcept;
  int get() const noexcept { return fd_.get(); }

 private:
  UniqueFd fd_;
};

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
};

// "HOST:PORT", "[v6addr]:PORT" or ":PORT" (localhost). Throws std::invalid_argument.
Endpoint parse_endpoint(const std::string& text);

enum class IoResult { Ok, Closed, Interrupted, TimedOut };

// Connects to host:port (every address getaddrinfo gives, each for at most `timeout`). Returns
// an invalid UniqueFd and sets `error` on failure; returns an invalid UniqueFd with an empty
// error when `wake` fired meanwhile.
UniqueFd tcp_connect(const Endpoint& endpoint, std::chrono::milliseconds timeout, int wake_fd, std::string& error);

// Reads exactly `size` bytes (the peer may split them over several send() calls), waiting at
// most `timeout` in all. On TCP sockets every read re-arms TCP_QUICKACK. Closed: the peer closed or reset the connection before all arrived.
IoResult read_exact(int fd, Byte* data, std::size_t size, std::chrono::milliseconds timeout);

// Writes all bytes (MSG_NOSIGNAL). Closed when the peer is gone.
IoResult write_all(int fd, ByteView data);

}  // namespace kiosk::sim::vpcd
