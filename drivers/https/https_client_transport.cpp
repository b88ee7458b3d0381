#include "drivers/https/https_client_transport.hpp"

#include <httplib.h>
#include <netdb.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
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
  hal::openssl::EvpPkeyPtr client_key;
  std::unique_ptr<TerminalSslClient> client;
  std::mutex mutex;
  // The last TLS alert received from the service during the current exchange (-1: none).
  int received_alert = -1;

  static void info_callback(const SSL* ssl, int where, int value) {
    if ((where & SSL_CB_READ_ALERT) == 0) return;
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
    if (broken && !reused && !timed_out && received_alert < 0) {
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
      case httplib::Error::SSLConnection:
        return {Kind::TlsHandshakeFailed, with_reasons(where + ": TLS handshake failed")};
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
  i.client_key = load_key(i.config.client_key);
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
  // Only the pinned service CA: with a CA file set, cpp-httplib never loads the system store.
  i.client->set_ca_cert_path(i.config.ca_certificate.string().c_str());
  i.client->enable_server_certificate_verification(true);
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
  ERR_clear_error();
  if (i.client->connection_closed_by_peer()) i.client->stop();  // idle time-out on the service's side
  const bool reused = i.client->has_connection();
  const httplib::Headers headers{{"Accept", "application/json"}};
  const auto started = std::chrono::steady_clock::now();
  errno = 0;
  httplib::Result result = request.method == hal::HttpMethod::Get
                               ? i.client->Get(request.path.c_str(), headers)
                               : i.client->Post(request.path.c_str(), headers, request.body, "application/json");
  const int saved_errno = errno;
  if (!result) {
    // A broken connection must not be reused for the next request.
    i.client->stop();
    throw i.failure(result.error(), timeout, started, saved_errno, reused);
  }
  hal::HttpResponse response;
  response.status = result->status;
  response.content_type = result->get_header_value("Content-Type");
  response.body = std::move(result->body);
  return response;
}

}  // namespace kiosk::drivers::https
