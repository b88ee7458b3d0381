#include "sim/vpcd/socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace kiosk::sim::vpcd {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int poll_timeout(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 60'000 ? 60'000 : static_cast<int>(left);
}

std::uint16_t parse_port(const std::string& text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument("not a TCP port: '" + text + "'");
  }
  const unsigned long value = std::stoul(text);
  if (value == 0 || value > 65535) throw std::invalid_argument("not a TCP port: '" + text + "'");
  return static_cast<std::uint16_t>(value);
}

}  // namespace

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) (void)::close(fd_);
  fd_ = fd;
}

WakeFd::WakeFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
}

void WakeFd::notify() noexcept {
  const std::uint64_t one = 1;
  (void)!::write(fd_.get(), &one, sizeof one);
}

void WakeFd::drain() noexcept {
  std::uint64_t value = 0;
  (void)!::read(fd_.get(), &value, sizeof value);
}

Endpoint parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("expected HOST:PORT, got '" + text + "'");
  Endpoint endpoint;
  endpoint.host = text.substr(0, colon);
  endpoint.port = parse_port(text.substr(colon + 1));
  if (endpoint.host.size() >= 2 && endpoint.host.front() == '[' && endpoint.host.back() == ']') {
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  }
  if (endpoint.host.empty()) endpoint.host = "localhost";
  return endpoint;
}

UniqueFd tcp_connect(const Endpoint& endpoint, milliseconds timeout, int wake_fd, std::string& error) {
  error.clear();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint.port);
  if (const int rc = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error = "cannot resolve " + endpoint.host + ": " + ::gai_strerror(rc);
    return UniqueFd{};
  }
  struct FreeAddr {
    addrinfo* list;
    ~FreeAddr() { ::freeaddrinfo(list); }
  } free_addr{found};

  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd) {
      error = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      error = std::string("connect: ") + std::strerror(errno);
      continue;
    }
    std::array<pollfd, 2> fds{pollfd{fd.get(), POLLOUT, 0}, pollfd{wake_fd, POLLIN, 0}};
    const nfds_t count = wake_fd >= 0 ? 2 : 1;
    const int ready = ::poll(fds.data(), count, static_cast<int>(timeout.count()));
    if (ready < 0) {
      error = std::string("poll: ") + std::strerror(errno);
      continue;
    }
    if (count == 2 && (fds[1].revents & POLLIN) != 0) {
      error.clear();
      return UniqueFd{};  // interrupted
    }
    if (ready == 0) {
      error = "connect: timed out";
      continue;
    }
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) so_error = errno;
    if (so_error != 0) {
      error = std::string("connect: ") + std::strerror(so_error);
      continue;
    }
    // Back to blocking mode: every read and write below is preceded by poll().
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags >= 0) (void)::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
    const int one = 1;
    (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    return fd;
  }
  if (error.empty()) error = "no address for " + endpoint.host;
  return UniqueFd{};
}

IoResult read_exact(int fd, Byte* data, std::size_t size, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::size_t done = 0;
  while (done < size) {
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, poll_timeout(deadline));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return IoResult::Closed;
    }
    if (ready == 0) return IoResult::TimedOut;
    const ssize_t n = ::recv(fd, data + done, size - done, 0);
    // vpcd 3.3 sends a frame's length and payload in two send() calls with Nagle on: the payload
    // waits for our ACK of the length, and a delayed ACK costs ~40 ms per frame. Acknowledge at
    // once (Linux resets quick-ACK mode by itself, so set it after every read).
    const int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    if (n == 0) return IoResult::Closed;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return IoResult::Closed;
    }
    done += static_cast<std::size_t>(n);
  }
  return IoResult::Ok;
}

IoResult write_all(int fd, ByteView data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoResult::Closed;
    }
    done += static_cast<std::size_t>(n);
  }
  return IoResult::Ok;
}

}  // namespace kiosk::sim::vpcd
