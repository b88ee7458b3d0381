// An HTTP(S) server that a slow or greedy client cannot starve: cpp-httplib's request handling
// (routing, handlers, responses) over connections this class accepts, reads and closes itself.
//
// cpp-httplib 0.11 (Debian 12) gives each connection a worker thread and bounds only each single
// read (read_timeout): a client that trickles one header byte a second, or opens a TLS connection
// and never finishes its handshake, holds a worker for as long as it likes, and a few dozen such
// clients leave every other request (the page's own, /healthz) waiting. This class keeps the
// library's request parsing and replaces its connection loop (the library's documented extension
// point: httplib's own SSLServer does the same):
//   - every request, from its first byte (or from the end of the previous answer on a kept-alive
//     connection) to the last byte of its body, must arrive within `request_read`; a client past
//     it is cut off;
//   - a TLS handshake must finish within `tls_handshake`;
//   - an address may hold at most `per_peer` connections at once, and `admit` may refuse it
//     before a single byte of it is read (the staff pages' allow list);
//   - at most `waiting` accepted connections wait for a worker; beyond that a connection is
//     answered 503 (plain HTTP) or closed (TLS) at once instead of queueing behind the others.
// Sockets are non-blocking: every wait is a poll() with the time that is left.
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace kiosk::drivers::https {

class GuardedStream;

// How deep below the serving frame a request's handling reaches on the stack: httplib's
// request, response and body-read frames with their buffers; measured well under 32 KiB.
inline constexpr std::size_t kScrubbedStack = 64 * 1024;

struct ConnectionLimits {
  std::chrono::milliseconds request_read{10'000};  // one whole request: line, headers and body
  std::chrono::milliseconds tls_handshake{5'000};
  std::size_t workers = 8;   // threads serving connections (event streams each hold one)
  std::size_t waiting = 32;  // accepted connections waiting for a worker before new ones are refused
  std::size_t per_peer = 0;  // connections one address may hold at once; 0: no limit (loopback servers)
  // Decides on an address (as text, "192.0.2.7") before anything of the connection is read;
  // empty: every address.
  std::function<bool(const std::string& address)> admit;
};

// What the guard refused or cut, since the server started: diagnostics and tests read it.
struct GuardCounters {
  std::uint64_t accepted = 0;
  std::uint64_t refused_busy = 0;      // `waiting` connections already queued
  std::uint64_t refused_peer = 0;      // the address held `per_peer` connections
  std::uint64_t refused_address = 0;   // `admit` said no
  std::uint64_t cut_slow_request = 0;  // a request not in within `request_read`
  std::uint64_t failed_handshake = 0;  // TLS handshake failed or not done within `tls_handshake`
};

// Overwrites the `bytes` of this thread's stack below the caller's frame. cpp-httplib reads a
// request's body through a buffer on the worker's stack (read_content's 4 KiB) that it never
// clears, so the PIN of /input and staff passcodes would stay there until the stack is used
// again: the guarded server calls this after every request, from the frame that made it.
void scrub_stack(std::size_t bytes = kScrubbedStack) noexcept;

class GuardedServer : public httplib::Server {
 public:
  // Plain HTTP.
  explicit GuardedServer(ConnectionLimits limits);
  // HTTPS: `setup` configures the server's SSL_CTX (certificate, key, client checks) and returns
  // false if it cannot; is_valid() then says false.
  GuardedServer(ConnectionLimits limits, const std::function<bool(SSL_CTX&)>& setup);
  ~GuardedServer() override;
  GuardedServer(const GuardedServer&) = delete;
  GuardedServer& operator=(const GuardedServer&) = delete;

  bool is_valid() const override;
  bool tls() const { return ctx_ != nullptr; }
  GuardCounters counters() const;

  struct Shared;  // what the worker pool and the connections share (counters, per-peer table)

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool serve_tls(socket_t sock);
  bool serve_requests(GuardedStream& stream, const std::function<void(httplib::Request&)>& setup);

  ConnectionLimits limits_;
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx_{nullptr, SSL_CTX_free};
  bool tls_setup_failed_ = false;
  std::shared_ptr<Shared> shared_;
};

}  // namespace kiosk::drivers::https
