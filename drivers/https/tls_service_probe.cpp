#include "drivers/https/tls_service_probe.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>

#include "drivers/https/tls_support.hpp"
#include "hal/openssl_handles.hpp"

namespace kiosk::drivers::https {
namespace {

using Kind = hal::TransportErrorKind;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using SslCtxPtr = std::unique_ptr<SSL_CTX, hal::openssl::Deleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, hal::openssl::Deleter<SSL_free>>;

Bytes der_of(X509* cert) {
  const int size = i2d_X509(cert, nullptr);
  if (size <= 0) return {};
  Bytes der(static_cast<std::size_t>(size));
  unsigned char* out = der.data();
  i2d_X509(cert, &out);
  return der;
}

bool is_ip_address(const std::string& host) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// What one connection told: the last TLS alert the service sent (-1: none), and the first
// problem with the server's certificate with that certificate (the chain and the name are
// checked during the handshake, which stops there: a server that is not the eligibility service
// never sees the terminal's certificate, issue 18).
struct AlertRecorder {
  int alert = -1;
  long verify_error = X509_V_OK;
  Bytes rejected_certificate;  // the server's certificate when it was refused
  static void callback(const SSL* ssl, int where, int value) {
    if ((where & SSL_CB_READ_ALERT) == 0) return;
    auto* self = static_cast<AlertRecorder*>(SSL_get_app_data(ssl));
    if (self != nullptr) self->alert = value & 0xFF;
  }
  static int verify(int ok, X509_STORE_CTX* store) {
    if (ok == 1) return 1;
    const auto* ssl = static_cast<const SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* self = ssl != nullptr ? static_cast<AlertRecorder*>(SSL_get_app_data(ssl)) : nullptr;
    if (self != nullptr && self->verify_error == X509_V_OK) {
      self->verify_error = X509_STORE_CTX_get_error(store);
      if (X509* leaf = X509_STORE_CTX_get0_cert(store)) self->rejected_certificate = der_of(leaf);
    }
    return 0;
  }
};

// Shuts the socket down when `limit` has passed: a server trickling its handshake or answer a
// byte at a time cannot hold the probe (each read has its own time-out, the whole probe this).
class SocketDeadline {
 public:
  SocketDeadline(int fd, milliseconds limit)
      : thread_([fd, limit](const std::stop_token& stop) {
          std::mutex mutex;
          std::condition_variable_any wake;
          std::unique_lock lock(mutex);
          if (!wake.wait_for(lock, stop, limit, [] { return false; }) && !stop.stop_requested()) ::shutdown(fd, SHUT_RDWR);
        }) {}

 private:
  std::jthread thread_;  // stopped and joined before the socket (declared earlier) closes
};

// Binds `ssl` to the socket, records alerts, and checks the host name (or IP address) against
// the server certificate.
bool prepare(SSL* ssl, int socket, AlertRecorder& alerts, const std::string& host) {
  if (SSL_set_fd(ssl, socket) != 1) return false;
  SSL_set_app_data(ssl, &alerts);
  SSL_set_info_callback(ssl, &AlertRecorder::callback);
  if (is_ip_address(host)) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  // SSL_set_tlsext_host_name() without its C cast.
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str()));
  return SSL_set1_host(ssl, host.c_str()) == 1;
}

// With TLS 1.3 a service that refuses the terminal's certificate says so after the handshake;
// when a request was already on its way, the alert can be lost in the connection reset. One
// more handshake without a request, waiting briefly for the verdict, records the alert.
void await_client_certificate_verdict(SSL_CTX* ctx, const HttpsTransportConfig& config, AlertRecorder& alerts,
                                      milliseconds timeout) {
  const tls::FileDescriptor socket = tls::connect_socket(config.host, config.port, timeout);
  if (!socket.valid()) return;
  SslPtr ssl(SSL_new(ctx));
  if (ssl && prepare(ssl.get(), socket.get(), alerts, config.host) && SSL_connect(ssl.get()) == 1) {
    char byte = 0;
    SSL_read(ssl.get(), &byte, 1);  // the alert, or nothing until the time-out
  }
  ERR_clear_error();
}

Kind verify_failure_kind(long verify) {
  switch (verify) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: return Kind::TlsServerCertificateExpired;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return Kind::TlsServerNameMismatch;
    default: return Kind::TlsServerUntrusted;
  }
}

}  // namespace

hal::ServiceProbeFacts probe_service(const HttpsTransportConfig& config, milliseconds timeout) {
  hal::ServiceProbeFacts facts;
  facts.endpoint = "https://" + config.host + ":" + std::to_string(config.port);

  hal::openssl::X509Ptr terminal;
  try {
    terminal = tls::load_certificate(config.client_certificate, "terminal certificate");
    facts.terminal_certificate = der_of(terminal.get());
  } catch (const hal::TransportError& e) {
    facts.terminal_certificate_error = e.detail();
  }

  const auto connecting = steady_clock::now();
  const tls::FileDescriptor socket = tls::connect_socket(config.host, config.port, timeout);
  if (!socket.valid()) {
    facts.connect_failure = tls::probe_connect_failure(config.host, config.port, timeout, facts.connect_error);
    return facts;
  }
  facts.connected = true;
  facts.connect_time = duration_cast<milliseconds>(steady_clock::now() - connecting);

  auto fail_handshake = [&](Kind kind, std::string detail) {
    facts.handshake_failure = kind;
    facts.handshake_error = std::move(detail);
    return facts;
  };
  if (!terminal) return fail_handshake(Kind::Configuration, facts.terminal_certificate_error);
  TerminalKey key;
  try {
    key = tls::load_key(config);
    tls::load_certificate(config.ca_certificate, "service CA certificate");
  } catch (const hal::TransportError& e) {
    return fail_handshake(Kind::Configuration, e.detail());
  }
  if (X509_check_private_key(terminal.get(), key.get()) != 1) {
    return fail_handshake(Kind::Configuration, "the terminal key " + config.client_key.string() + " does not belong to " +
                                                   config.client_certificate.string());
  }

  // The chain is verified but the handshake is not stopped by a bad one: the server's
  // certificate is looked at either way, and the verdict reported.
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate(ctx.get(), terminal.get()) != 1 || SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 ||
      SSL_CTX_load_verify_locations(ctx.get(), config.ca_certificate.c_str(), nullptr) != 1) {
    return fail_handshake(Kind::Configuration, "cannot set up TLS with the terminal certificate: " + hal::openssl::take_errors());
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, &AlertRecorder::verify);
  const SocketDeadline deadline(socket.get(), 3 * timeout);  // handshake, request, first answer bytes
  SslPtr ssl(SSL_new(ctx.get()));
  AlertRecorder alerts;
  if (!ssl || !prepare(ssl.get(), socket.get(), alerts, config.host)) {
    return fail_handshake(Kind::Configuration, "cannot set up TLS: " + hal::openssl::take_errors());
  }

  facts.handshake_attempted = true;
  ERR_clear_error();
  const auto handshaking = steady_clock::now();
  const bool handshake = SSL_connect(ssl.get()) == 1;
  facts.handshake_time = duration_cast<milliseconds>(steady_clock::now() - handshaking);
  if (hal::openssl::X509Ptr server{SSL_get1_peer_certificate(ssl.get())}) facts.server_certificate = der_of(server.get());
  if (facts.server_certificate.empty()) facts.server_certificate = alerts.rejected_certificate;
  const long verify = alerts.verify_error != X509_V_OK ? alerts.verify_error : SSL_get_verify_result(ssl.get());
  facts.server_trusted = !facts.server_certificate.empty() && verify == X509_V_OK;
  if (!facts.server_trusted) {
    facts.server_verify_error = facts.server_certificate.empty() ? "the server sent no certificate" : X509_verify_cert_error_string(verify);
  }
  auto refused_or_failed = [&](const std::string& where, const std::string& reasons) {
    if (alerts.alert >= 0 && tls::is_client_certificate_alert(alerts.alert)) {
      return fail_handshake(Kind::TlsClientCertificateRefused, "the service refused this terminal's certificate (alert: " +
                                                                   std::string(SSL_alert_desc_string_long(alerts.alert)) + ")");
    }
    const std::string alert = alerts.alert >= 0 ? "; alert: " + std::string(SSL_alert_desc_string_long(alerts.alert)) : "";
    return fail_handshake(Kind::TlsHandshakeFailed, where + alert + reasons);
  };
  auto openssl_reasons = [] { return ERR_peek_error() != 0 ? "; OpenSSL: " + hal::openssl::take_errors() : std::string(); };
  if (!handshake && alerts.verify_error != X509_V_OK) {
    ERR_clear_error();
    return fail_handshake(verify_failure_kind(verify), "server certificate: " + facts.server_verify_error +
                                                           " (handshake stopped before this terminal's certificate was sent)");
  }
  if (!handshake) return refused_or_failed("TLS handshake failed", openssl_reasons());
  facts.tls_version = SSL_get_version(ssl.get());
  facts.cipher = SSL_get_cipher_name(ssl.get());
  if (!facts.server_trusted) {
    // Nothing is sent to a server that is not the eligibility service.
    return fail_handshake(verify_failure_kind(verify), "server certificate: " + facts.server_verify_error);
  }

  // With TLS 1.3 the service judges the terminal's certificate after the handshake: one request
  // tells whether it was accepted (an answer) or refused (an alert).
  const std::string host_header = config.host + ":" + std::to_string(config.port);
  const std::string request = "GET /v1/health HTTP/1.1\r\nHost: " + host_header +
                              "\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
  char first[16];
  if (SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())) <= 0 ||
      SSL_read(ssl.get(), first, sizeof first) <= 0) {
    const std::string reasons = openssl_reasons();
    if (alerts.alert < 0) await_client_certificate_verdict(ctx.get(), config, alerts, std::min(timeout, milliseconds{500}));
    return refused_or_failed("the connection broke right after the handshake", reasons);
  }
  facts.handshake_ok = true;
  SSL_shutdown(ssl.get());
  return facts;
}

}  // namespace kiosk::drivers::https
