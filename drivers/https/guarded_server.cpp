#include "drivers/https/guarded_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace kiosk::drivers::https {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct GuardedServer::Shared {
  std::mutex mutex;
  GuardCounters counters;
  std::map<std::string, std::size_t> per_peer;
  // The thread that runs a connection the pool had no room for (the acceptor, inline): that
  // connection is refused at once.
  std::thread::id refusing;

  void count(std::uint64_t GuardCounters::*which) {
    const std::lock_guard lock(mutex);
    ++(counters.*which);
  }
};

namespace {

// cpp-httplib's worker pool, with a bound on the connections waiting for a worker: one past it
// runs at once on the acceptor's thread, marked as refused (see Shared::refusing).
class GuardPool final : public httplib::TaskQueue {
 public:
  GuardPool(std::size_t workers, std::size_t waiting, std::shared_ptr<GuardedServer::Shared> shared)
      : waiting_(waiting), shared_(std::move(shared)) {
    for (std::size_t n = 0; n < std::max<std::size_t>(1, workers); ++n) threads_.emplace_back([this] { work(); });
  }
  ~GuardPool() override { shutdown(); }
  GuardPool(const GuardPool&) = delete;
  GuardPool& operator=(const GuardPool&) = delete;

  void enqueue(std::function<void()> fn) override {
    {
      const std::lock_guard lock(mutex_);
      if (jobs_.size() < waiting_ && !stopping_) {
        jobs_.push_back(std::move(fn));
        wake_.notify_one();
        return;
      }
    }
    {
      const std::lock_guard lock(shared_->mutex);
      shared_->refusing = std::this_thread::get_id();
    }
    fn();
    const std::lock_guard lock(shared_->mutex);
    shared_->refusing = {};
  }

  void shutdown() override {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_ && threads_.empty()) return;
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and nothing left: queued connections are still closed
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  std::size_t waiting_;
  std::shared_ptr<GuardedServer::Shared> shared_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

milliseconds to_ms(time_t sec, time_t usec) {
  return milliseconds{static_cast<long long>(sec) * 1000 + static_cast<long long>(usec) / 1000};
}

enum class Wait { Ready, TimedOut, Stopped, Failed };

// Waits until `fd` is ready for `events` or `until` passes, in slices so that a stopped server
// is noticed within a quarter second. Ready also covers an error or hang-up the next call sees.
Wait wait_for(int fd, short events, Clock::time_point until, const std::atomic<socket_t>& listening) {
  for (;;) {
    if (listening == INVALID_SOCKET) return Wait::Stopped;
    const auto now = Clock::now();
    if (now >= until) return Wait::TimedOut;
    const auto left = std::chrono::duration_cast<milliseconds>(until - now).count() + 1;  // rounded up
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 250)));
    if (r > 0) return Wait::Ready;
    if (r < 0 && errno != EINTR) return Wait::Failed;
  }
}

bool ready(Wait w) { return w == Wait::Ready; }

std::optional<std::pair<std::string, int>> address_of(int fd, bool peer) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? ::getpeername(fd, sa, &len) : ::getsockname(fd, sa, &len)) != 0) return std::nullopt;
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, text.data(), text.size()) == nullptr) return std::nullopt;
    return std::pair{std::string(text.data()), static_cast<int>(ntohs(in->sin_port))};
  }
  if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (::inet_ntop(AF_INET6, &in6->sin6_addr, text.data(), text.size()) == nullptr) return std::nullopt;
    std::string ip = text.data();
    if (ip.rfind("::ffff:", 0) == 0 && ip.find('.') != std::string::npos) ip.erase(0, 7);  // IPv4-mapped
    return std::pair{ip, static_cast<int>(ntohs(in6->sin6_port))};
  }
  return std::nullopt;
}

}  // namespace

// One connection's bytes, plain or TLS, on a non-blocking socket. Reads stop at the request's
// deadline (set per request); each write waits at most the server's write time-out.
class GuardedStream final : public httplib::Stream {
 public:
  GuardedStream(socket_t sock, SSL* ssl, milliseconds write_timeout, const std::atomic<socket_t>& listening)
      : sock_(sock), ssl_(ssl), write_timeout_(write_timeout), listening_(listening) {
    if (auto peer = address_of(sock, true)) std::tie(peer_ip_, peer_port_) = *peer;
  }

  void read_until(Clock::time_point deadline) { read_deadline_ = deadline; }
  bool read_timed_out() const { return read_timed_out_; }

  // Between kept-alive requests: is the next one starting within `idle`? (Not a slow client.)
  bool next_request_within(milliseconds idle) {
    if (buffered() > 0) return true;
    return ready(wait_for(sock_, POLLIN, Clock::now() + idle, listening_));
  }

  bool is_readable() const override { return buffered() > 0 || read_wait(POLLIN); }

  bool is_writable() const override { return ready(wait_for(sock_, POLLOUT, Clock::now() + write_timeout_, listening_)); }

  ssize_t read(char* ptr, size_t size) override {
    if (size == 0) return 0;
    if (begin_ == end_) {
      if (size >= buffer_.size()) return raw_read(ptr, size);
      const ssize_t n = raw_read(buffer_.data(), buffer_.size());
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_.data() + begin_, n);
    begin_ += n;
    if (begin_ == end_) {
      // The buffer may have held request bytes (a PIN, a passcode): not left behind.
      OPENSSL_cleanse(buffer_.data(), end_);
      begin_ = end_ = 0;
    }
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    const auto until = Clock::now() + write_timeout_;
    for (;;) {
      if (ssl_ == nullptr) {
        const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if ((errno != EAGAIN && errno != EWOULDBLOCK) || !ready(wait_for(sock_, POLLOUT, until, listening_))) return -1;
        continue;
      }
      ERR_clear_error();
      const int n = SSL_write(ssl_, ptr, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
      if (n > 0) return n;
      const int error = SSL_get_error(ssl_, n);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return -1;
      if (!ready(wait_for(sock_, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, until, listening_))) return -1;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = peer_ip_;
    port = peer_port_;
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    if (auto local = address_of(sock_, false)) std::tie(ip, port) = *local;
  }

  socket_t socket() const override { return sock_; }

  ~GuardedStream() override { OPENSSL_cleanse(buffer_.data(), buffer_.size()); }
  GuardedStream(const GuardedStream&) = delete;
  GuardedStream& operator=(const GuardedStream&) = delete;

 private:
  std::size_t buffered() const {
    return end_ - begin_ + (ssl_ != nullptr ? static_cast<std::size_t>(std::max(0, SSL_pending(ssl_))) : 0);
  }

  ssize_t raw_read(char* ptr, size_t size) {
    for (;;) {
      if (ssl_ == nullptr) {
        const ssize_t n = ::recv(sock_, ptr, size, 0);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        if (!read_wait(POLLIN)) return -1;
        continue;
      }
      ERR_clear_error();
      const int n = SSL_read(ssl_, ptr, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
      if (n > 0) return n;
      const int error = SSL_get_error(ssl_, n);
      if (error == SSL_ERROR_ZERO_RETURN) return 0;
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return -1;
      if (!read_wait(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT)) return -1;
    }
  }

  // A wait within the request's time; its end marks the request as cut off.
  bool read_wait(short events) const {
    const Wait w = wait_for(sock_, events, read_deadline_, listening_);
    if (w == Wait::TimedOut) read_timed_out_ = true;
    return ready(w);
  }

  socket_t sock_;
  SSL* ssl_;
  milliseconds write_timeout_;
  const std::atomic<socket_t>& listening_;
  std::string peer_ip_;
  int peer_port_ = 0;
  Clock::time_point read_deadline_ = Clock::now();
  mutable bool read_timed_out_ = false;
  std::array<char, 4096> buffer_{};
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

namespace {

// One of an address's `per_peer` places, held for the connection's life.
class PeerPlace {
 public:
  PeerPlace(GuardedServer::Shared& shared, std::string peer, std::size_t limit) : shared_(shared), peer_(std::move(peer)) {
    const std::lock_guard lock(shared_.mutex);
    std::size_t& held = shared_.per_peer[peer_];
    if (limit != 0 && held >= limit) {
      if (held == 0) shared_.per_peer.erase(peer_);
      return;
    }
    ++held;
    taken_ = true;
  }
  ~PeerPlace() {
    if (!taken_) return;
    const std::lock_guard lock(shared_.mutex);
    const auto it = shared_.per_peer.find(peer_);
    if (it != shared_.per_peer.end() && --it->second == 0) shared_.per_peer.erase(it);
  }
  PeerPlace(const PeerPlace&) = delete;
  PeerPlace& operator=(const PeerPlace&) = delete;
  explicit operator bool() const { return taken_; }

 private:
  GuardedServer::Shared& shared_;
  std::string peer_;
  bool taken_ = false;
};

void close_connection(socket_t sock) {
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
}

// A refused plain-HTTP connection learns why; a TLS one is only closed (no handshake is spent).
void answer_busy(socket_t sock) {
  constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Type: text/plain\r\n"
      "Content-Length: 21\r\n\r\nbusy: try again soon\n";
  [[maybe_unused]] const ssize_t sent = ::send(sock, kBusy.data(), kBusy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

GuardedServer::GuardedServer(ConnectionLimits limits) : limits_(std::move(limits)), shared_(std::make_shared<Shared>()) {
  new_task_queue = [workers = limits_.workers, waiting = limits_.waiting, shared = shared_] {
    return std::make_unique<GuardPool>(workers, waiting, shared).release();  // httplib owns and deletes it
  };
}

GuardedServer::GuardedServer(ConnectionLimits limits, const std::function<bool(SSL_CTX&)>& setup)
    : GuardedServer(std::move(limits)) {
  ctx_.reset(SSL_CTX_new(TLS_server_method()));
  if (ctx_) {
    SSL_CTX_set_options(ctx_.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_2_VERSION);
  }
  tls_setup_failed_ = !ctx_ || !setup(*ctx_);
}

GuardedServer::~GuardedServer() = default;

bool GuardedServer::is_valid() const { return !tls_setup_failed_; }

GuardCounters GuardedServer::counters() const {
  const std::lock_guard lock(shared_->mutex);
  return shared_->counters;
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  const int flags = ::fcntl(sock, F_GETFL, 0);
  bool refused_busy = false;
  {
    const std::lock_guard lock(shared_->mutex);
    ++shared_->counters.accepted;
    refused_busy = shared_->refusing == std::this_thread::get_id();
    if (refused_busy) ++shared_->counters.refused_busy;
  }
  if (flags < 0 || ::fcntl(sock, F_SETFL, flags | O_NONBLOCK) != 0 || refused_busy) {
    if (refused_busy && !tls()) answer_busy(sock);
    close_connection(sock);
    return false;
  }
  const auto peer = address_of(sock, true);
  const std::string address = peer ? peer->first : std::string();
  if (limits_.admit && !limits_.admit(address)) {
    shared_->count(&GuardCounters::refused_address);
    close_connection(sock);
    return false;
  }
  bool ok = false;
  {
    const PeerPlace place(*shared_, address, limits_.per_peer);
    if (!place) {
      shared_->count(&GuardCounters::refused_peer);
      if (!tls()) answer_busy(sock);
    } else {
      if (tls()) {
        ok = serve_tls(sock);
      } else {
        GuardedStream stream(sock, nullptr, to_ms(write_timeout_sec_, write_timeout_usec_), svr_sock_);
        ok = serve_requests(stream, nullptr);
      }
    }
  }
  close_connection(sock);
  return ok;
}

[[gnu::noinline]] void scrub_stack(std::size_t bytes) noexcept {
  constexpr std::size_t kMost = kScrubbedStack;
  std::array<unsigned char, kMost> area;  // this frame lies where the request's frames were
  explicit_bzero(area.data(), std::min(bytes, kMost));
  asm volatile("" : : "r"(area.data()) : "memory");  // the stores are kept
}

bool GuardedServer::serve_requests(GuardedStream& stream, const std::function<void(httplib::Request&)>& setup) {
  bool ok = false;
  for (std::size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
    if (left != keep_alive_max_count_ && !stream.next_request_within(to_ms(keep_alive_timeout_sec_, 0))) break;
    stream.read_until(Clock::now() + limits_.request_read);
    bool closed = false;
    ok = process_request(stream, left == 1, closed, setup);
    scrub_stack();
    if (stream.read_timed_out()) shared_->count(&GuardCounters::cut_slow_request);
    if (!ok || closed || stream.read_timed_out()) break;
  }
  return ok;
}

bool GuardedServer::serve_tls(socket_t sock) {
  const std::unique_ptr<SSL, void (*)(SSL*)> ssl(SSL_new(ctx_.get()), SSL_free);
  if (!ssl || SSL_set_fd(ssl.get(), sock) != 1) return false;
  SSL_set_mode(ssl.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  const auto handshake_until = Clock::now() + limits_.tls_handshake;
  for (;;) {
    ERR_clear_error();
    const int r = SSL_accept(ssl.get());
    if (r == 1) break;
    const int error = SSL_get_error(ssl.get(), r);
    const bool waited = (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) &&
                        ready(wait_for(sock, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, handshake_until, svr_sock_));
    if (!waited) {
      ERR_clear_error();
      shared_->count(&GuardCounters::failed_handshake);
      return false;
    }
  }
  SSL* raw = ssl.get();
  const auto with_ssl = [raw](httplib::Request& req) { req.ssl = raw; };
  GuardedStream stream(sock, raw, to_ms(write_timeout_sec_, write_timeout_usec_), svr_sock_);
  const bool ok = serve_requests(stream, with_ssl);
  if (ok) SSL_shutdown(raw);  // one close_notify, not waited for
  ERR_clear_error();
  return ok;
}

}  // namespace kiosk::drivers::https
