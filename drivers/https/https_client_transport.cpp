#include "drivers/https/https_client_transport.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <utility>

#include "drivers/https/tls_support.hpp"
#include "hal/openssl_handles.hpp"

namespace kiosk::drivers::https {

namespace {

using Kind = hal::TransportErrorKind;
using std::chrono::milliseconds;
using tls::connect_socket;
using tls::FileDescriptor;
using tls::is_client_certificate_alert;
using tls::load_certificate;
using tls::load_key;
using tls::probe_connect_failure;

using SslPtr = std::unique_ptr<SSL, hal::openssl::Deleter<SSL_free>>;

// cpp-httplib 0.11's client reuses a kept-alive connection without checking that the server has
// not closed it meanwhile (idle time-out); the next request then fails. This subclass looks at
// the connection before a request (cpp-httplib keeps the socket for its subclasses).
class TerminalSslClient final : public httplib::SSLClient {
 public:
  using httplib::SSLClient::SSLClient;

  bool has_connection() const {
    std::lock_guard lock(socket_mutex_);
    return socket_.is_open();
  }
  // An idle HTTP/1.1 connection has nothing to read: readable means the service closed it
  // (end of stream, or a TLS close_notify), hang-up or error likewise.
  bool connection_closed_by_peer() const {
    std::lock_guard lock(socket_mutex_);
    if (!socket_.is_open()) return false;
    pollfd p{socket_.sock, POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
  }
};

}  // namespace

struct HttpsClientTransport::Impl {
  HttpsTransportConfig config;
  hal::openssl::X509Ptr client_cert;
  TerminalKey client_key;
  std::unique_ptr<TerminalSslClient> client;
  std::mutex mutex;
  // The last TLS alert received from the service during the current exchange (-1: none).
  int received_alert = -1;
  // The first problem found with the server's certificate during the current handshake.
  long verify_error = X509_V_OK;

  // The server's chain and name are checked during the handshake (issue 18): a server that is
  // not the eligibility service is dropped before this terminal shows it its certificate.
  // (cpp-httplib 0.11 handshakes with SSL_VERIFY_NONE and looks at the result afterwards.)
  static int verify_callback(int ok, X509_STORE_CTX* store) {
    if (ok == 1) return 1;
    const auto* ssl = static_cast<const SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* self = ssl != nullptr ? static_cast<Impl*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl))) : nullptr;
    if (self != nullptr && self->verify_error == X509_V_OK) self->verify_error = X509_STORE_CTX_get_error(store);
    return 0;
  }

  // The overall deadline of one exchange (connect, handshake, request, answer): cpp-httplib's
  // time-outs are per read and write, so a service trickling its answer one byte at a time held
  // a request for minutes. A watchdog shuts the connection down when the deadline passes, through
  // a duplicate of the socket (a descriptor of the transport's own: never one reused by others).
  std::mutex watch_mutex;
  std::condition_variable_any watch_wake;
  std::optional<std::chrono::steady_clock::time_point> watch_deadline;
  int socket_copy = -1;
  bool deadline_hit = false;
  std::jthread watchdog;

  void watch(const std::stop_token& stop) {
    std::unique_lock lock(watch_mutex);
    while (!stop.stop_requested()) {
      if (!watch_deadline) {
        (void)watch_wake.wait(lock, stop, [&] { return watch_deadline.has_value(); });
        continue;
      }
      const auto deadline = *watch_deadline;
      if (watch_wake.wait_until(lock, stop, deadline, [&] { return watch_deadline != deadline; })) continue;
      if (stop.stop_requested()) return;
      deadline_hit = true;
      watch_deadline.reset();
      if (socket_copy >= 0) ::shutdown(socket_copy, SHUT_RDWR);
    }
  }

  // cpp-httplib made a socket for a connection: keep a duplicate for the watchdog.
  void adopt_socket(int sock) {
    std::lock_guard lock(watch_mutex);
    if (socket_copy >= 0) ::close(socket_copy);
    socket_copy = ::fcntl(sock, F_DUPFD_CLOEXEC, 0);
    if (deadline_hit && socket_copy >= 0) ::shutdown(socket_copy, SHUT_RDWR);
  }

  // The connection is gone: its duplicate goes too (it would keep the TCP connection open).
  void drop_socket_copy() {
    std::lock_guard lock(watch_mutex);
    if (socket_copy >= 0) ::close(socket_copy);
    socket_copy = -1;
  }

  void arm(std::chrono::steady_clock::time_point deadline) {
    {
      std::lock_guard lock(watch_mutex);
      deadline_hit = false;
      watch_deadline = deadline;
    }
    watch_wake.notify_all();
  }

  // Returns whether the deadline passed during the exchange.
  bool disarm() {
    bool hit = false;
    {
      std::lock_guard lock(watch_mutex);
      watch_deadline.reset();
      hit = deadline_hit;
    }
    watch_wake.notify_all();
    return hit;
  }

  ~Impl() {
    watchdog = {};  // stops and joins before the socket copy goes
    drop_socket_copy();
  }

  static void info_callback(const SSL* ssl, int where, int value) {
    // Alerts this end reads only: SSL_CB_READ_ALERT and SSL_CB_WRITE_ALERT share the SSL_CB_ALERT
    // bit, and an alert the kiosk sends (its own "unknown CA") is no verdict of the service.
    if ((where & SSL_CB_READ_ALERT) != SSL_CB_READ_ALERT) return;
    auto* self = static_cast<Impl*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    if (self != nullptr) self->received_alert = value & 0xFF;
  }

  // With TLS 1.3 the service judges this terminal's certificate after the handshake; when a
  // request was already on its way, its alert can be lost in a connection reset. One handshake
  // without a request, waiting briefly for the verdict, tells a refused certificate from a
  // broken connection. Sets received_alert when the service sends one.
  void probe_client_certificate_verdict(milliseconds timeout) {
    const FileDescriptor fd = connect_socket(config.host, config.port, timeout);
    if (!fd.valid()) return;
    SslPtr ssl(SSL_new(client->ssl_context()));
    if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) return;
    if (SSL_connect(ssl.get()) == 1) {
      char byte = 0;
      SSL_read(ssl.get(), &byte, 1);  // the alert, or nothing until the time-out
    }
    ERR_clear_error();
  }

  // `reused`: the request went out on a kept-alive connection (no handshake in this exchange).
  hal::TransportError failure(httplib::Error error, milliseconds timeout, std::chrono::steady_clock::time_point started,
                              int saved_errno, bool reused) {
    const std::string where = "https://" + config.host + ":" + std::to_string(config.port);
    const std::string openssl_reasons = ERR_peek_error() != 0 ? hal::openssl::take_errors() : std::string();
    const bool broken = error == httplib::Error::Read || error == httplib::Error::Write || error == httplib::Error::SSLConnection;
    const bool timed_out = std::chrono::steady_clock::now() - started + milliseconds{50} >= timeout;
    if (broken && !reused && !timed_out && received_alert < 0 && verify_error == X509_V_OK) {
      probe_client_certificate_verdict(std::min(timeout, milliseconds{500}));
    }
    const std::string alert = received_alert >= 0 ? std::string(SSL_alert_desc_string_long(received_alert)) : std::string();
    auto with_reasons = [&](std::string text) {
      if (!alert.empty()) text += "; alert from the service: " + alert;
      if (!openssl_reasons.empty()) text += "; OpenSSL: " + openssl_reasons;
      return text;
    };
    if (received_alert >= 0 && is_client_certificate_alert(received_alert)) {
      return {Kind::TlsClientCertificateRefused, with_reasons(where + " refused this terminal's certificate")};
    }
    switch (error) {
      case httplib::Error::Connection: {
        if (saved_errno == ECONNREFUSED) return {Kind::ConnectionRefused, "connection refused by " + where};
        if (saved_errno == ENETUNREACH || saved_errno == EHOSTUNREACH) {
          return {Kind::NetworkUnreachable, "cannot reach " + where + ": " + std::strerror(saved_errno)};
        }
        std::string detail;
        const Kind kind = probe_connect_failure(config.host, config.port, std::min(timeout, config.connect_timeout), detail);
        return {kind, detail};
      }
      case httplib::Error::ConnectionTimeout:
        return {Kind::ConnectTimeout, "no answer from " + where + " within the connect time-out"};
      case httplib::Error::SSLServerVerification: {
        const long verify = client->get_openssl_verify_result();
        if (verify == X509_V_OK) {
          return {Kind::TlsServerNameMismatch, where + ": the server certificate is not issued to " + config.host};
        }
        const std::string reason = X509_verify_cert_error_string(verify);
        if (verify == X509_V_ERR_CERT_HAS_EXPIRED || verify == X509_V_ERR_CERT_NOT_YET_VALID) {
          return {Kind::TlsServerCertificateExpired, where + ": server certificate: " + reason};
        }
        return {Kind::TlsServerUntrusted, where + ": the server certificate is not from the pinned service CA: " + reason};
      }
      case httplib::Error::SSLConnection: {
        if (verify_error == X509_V_ERR_HOSTNAME_MISMATCH || verify_error == X509_V_ERR_IP_ADDRESS_MISMATCH) {
          return {Kind::TlsServerNameMismatch, where + ": the server certificate is not issued to " + config.host +
                                                   " (handshake stopped)"};
        }
        if (verify_error == X509_V_ERR_CERT_HAS_EXPIRED || verify_error == X509_V_ERR_CERT_NOT_YET_VALID) {
          return {Kind::TlsServerCertificateExpired,
                  where + ": server certificate: " + X509_verify_cert_error_string(verify_error) + " (handshake stopped)"};
        }
        if (verify_error != X509_V_OK) {
          return {Kind::TlsServerUntrusted, where + ": the server certificate is not from the pinned service CA: " +
                                                X509_verify_cert_error_string(verify_error) +
                                                " (handshake stopped before this terminal's certificate was sent)"};
        }
        return {Kind::TlsHandshakeFailed, with_reasons(where + ": TLS handshake failed")};
      }
      case httplib::Error::SSLLoadingCerts:
        return {Kind::Configuration, with_reasons(where + ": cannot load the pinned CA " + config.ca_certificate.string())};
      case httplib::Error::Read: {
        if (timed_out) {
          return {Kind::Timeout, where + ": no complete answer within " + std::to_string(timeout.count()) + " ms"};
        }
        return {Kind::ConnectionLost, with_reasons(where + ": the connection broke while reading the answer")};
      }
      case httplib::Error::Write:
        return {Kind::ConnectionLost, with_reasons(where + ": the connection broke while sending")};
      default:
        return {Kind::ConnectionLost, with_reasons(where + ": " + httplib::to_string(error))};
    }
  }
};

HttpsClientTransport::HttpsClientTransport(HttpsTransportConfig config) : impl_(std::make_unique<Impl>()) {
  Impl& i = *impl_;
  i.config = std::move(config);
  if (i.config.port <= 0 || i.config.port > 65535) {
    throw hal::TransportError(Kind::Configuration, "bad service port " + std::to_string(i.config.port));
  }
  load_certificate(i.config.ca_certificate, "service CA certificate");  // fail early and clearly
  i.client_cert = load_certificate(i.config.client_certificate, "terminal certificate");
  i.client_key = load_key(i.config);
  if (X509_check_private_key(i.client_cert.get(), i.client_key.get()) != 1) {
    throw hal::TransportError(Kind::Configuration, "the terminal key " + i.config.client_key.string() +
                                                       " does not belong to " + i.config.client_certificate.string() +
                                                       ": " + hal::openssl::take_errors());
  }
  i.client = std::make_unique<TerminalSslClient>(i.config.host, i.config.port, i.client_cert.get(), i.client_key.get());
  if (!i.client->is_valid()) {
    throw hal::TransportError(Kind::Configuration, "cannot set up TLS with the terminal certificate: " + hal::openssl::take_errors());
  }
  SSL_CTX* ctx = i.client->ssl_context();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    throw hal::TransportError(Kind::Configuration, "cannot require TLS 1.2: " + hal::openssl::take_errors());
  }
  SSL_CTX_set_app_data(ctx, &i);
  SSL_CTX_set_info_callback(ctx, &Impl::info_callback);
  // Only the pinned service CA (the system store is never loaded), checked during the handshake
  // together with the host name: cpp-httplib's own check is off, as it runs after the handshake.
  if (SSL_CTX_load_verify_locations(ctx, i.config.ca_certificate.c_str(), nullptr) != 1) {
    throw hal::TransportError(Kind::Configuration, "cannot load the pinned CA " + i.config.ca_certificate.string() + ": " +
                                                       hal::openssl::take_errors());
  }
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  in6_addr ip6{};
  in_addr ip4{};
  const bool is_ip = ::inet_pton(AF_INET, i.config.host.c_str(), &ip4) == 1 || ::inet_pton(AF_INET6, i.config.host.c_str(), &ip6) == 1;
  const int named = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, i.config.host.c_str())
                          : X509_VERIFY_PARAM_set1_host(param, i.config.host.c_str(), i.config.host.size());
  if (named != 1) throw hal::TransportError(Kind::Configuration, "cannot check server names against '" + i.config.host + "'");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &Impl::verify_callback);
  i.client->enable_server_certificate_verification(false);
  i.client->set_socket_options([&i](socket_t sock) { i.adopt_socket(sock); });
  i.watchdog = std::jthread([&i](const std::stop_token& stop) { i.watch(stop); });
  i.client->set_keep_alive(i.config.keep_alive);
  // Requests are written in pieces (headers, body): without TCP_NODELAY each exchange can wait
  // ~40 ms for a delayed ACK.
  i.client->set_tcp_nodelay(true);
  i.client->set_follow_location(false);
}

HttpsClientTransport::~HttpsClientTransport() = default;

std::string HttpsClientTransport::endpoint() const {
  return "https://" + impl_->config.host + ":" + std::to_string(impl_->config.port);
}

hal::HttpResponse HttpsClientTransport::send(const hal::HttpRequest& request) {
  Impl& i = *impl_;
  std::lock_guard lock(i.mutex);
  const milliseconds timeout = std::max(request.timeout, milliseconds{1});
  i.client->set_connection_timeout(std::min(timeout, i.config.connect_timeout));
  i.client->set_read_timeout(timeout);
  i.client->set_write_timeout(timeout);
  i.received_alert = -1;
  i.verify_error = X509_V_OK;
  ERR_clear_error();
  if (i.client->connection_closed_by_peer()) {  // idle time-out on the service's side
    i.client->stop();
    i.drop_socket_copy();
  }
  const bool reused = i.client->has_connection();

  httplib::Request req;
  req.method = request.method == hal::HttpMethod::Get ? "GET" : "POST";
  req.path = request.path;
  req.headers = {{"Accept", "application/json"}};
  if (request.method == hal::HttpMethod::Post) {
    req.headers.emplace("Content-Type", "application/json");
    req.body = request.body;
  }
  // The answer is taken up to max_response_bytes and no further.
  const std::size_t cap = i.config.max_response_bytes;
  std::string body;
  bool too_large = false;
  req.response_handler = [&](const httplib::Response& r) {
    if (r.has_header("Content-Length")) {
      const std::string length = r.get_header_value("Content-Length");
      if (length.size() > 19 || std::strtoull(length.c_str(), nullptr, 10) > cap) too_large = true;
    }
    return !too_large;
  };
  req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
    if (n > cap - body.size()) {
      too_large = true;
      return false;
    }
    body.append(data, n);
    return true;
  };

  const auto started = std::chrono::steady_clock::now();
  i.arm(started + timeout);
  errno = 0;
  httplib::Result result = i.client->send(req);
  const int saved_errno = errno;
  const bool deadline_passed = i.disarm();
  const std::string where = endpoint();
  if (!result || too_large || deadline_passed) {
    // A broken (or cut-off) connection must not be reused for the next request.
    i.client->stop();
    i.drop_socket_copy();
    if (too_large) {
      throw hal::TransportError(Kind::ResponseTooLarge, where + request.path + ": the answer is larger than the " +
                                                            std::to_string(cap) + " bytes the kiosk takes; cut off");
    }
    if (deadline_passed) {
      throw hal::TransportError(Kind::Timeout, where + ": no complete answer within " + std::to_string(timeout.count()) +
                                                   " ms (the whole exchange); connection closed");
    }
    throw i.failure(result.error(), timeout, started, saved_errno, reused);
  }
  if (!i.client->has_connection()) i.drop_socket_copy();
  hal::HttpResponse response;
  response.status = result->status;
  response.content_type = result->get_header_value("Content-Type");
  response.body = std::move(body);
  return response;
}

}  // namespace kiosk::drivers::https
