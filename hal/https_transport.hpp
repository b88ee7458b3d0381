// The HTTPS link to the eligibility service (オンライン資格確認), as the core client sees it:
// one JSON request to a path, one response, with a time-out. The TLS details (the terminal's
// client certificate, the pinned service CA, keep-alive) belong to the implementation
// (drivers/https); what went wrong comes back as a typed TransportError.
//
// Also the terminal's signing key (the private key of its TLS client certificate), which signs
// the face / visual-check attestations the service checks against that same certificate.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hal/bytes.hpp"

namespace kiosk::hal {

enum class HttpMethod { Get, Post };

struct HttpRequest {
  HttpMethod method = HttpMethod::Get;
  std::string path;  // "/v1/confirmations"
  std::string body;  // JSON (POST only)
  // The whole exchange (connect, TLS handshake, send, wait, receive) must finish in this time.
  std::chrono::milliseconds timeout{5000};
};

// Any HTTP answer, 2xx or not: the status is the caller's to interpret (the service sends a
// structured JSON error body with non-2xx statuses).
struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// Where a transport failure happened. Each kind says whether the request may have reached the
// service (so a non-idempotent call must not simply be sent again) and whether a retry can help.
enum class TransportErrorKind {
  NetworkUnreachable,       // no route to the service (cable, VPN line, DNS)
  ConnectionRefused,        // the host answered but nothing listens on the port
  ConnectTimeout,           // no answer to the connection attempt in time
  Timeout,                  // connected and sent, but no complete answer in time
  ConnectionLost,           // the connection broke while sending or receiving
  TlsServerUntrusted,       // the server's certificate does not chain to the pinned service CA
  TlsServerCertificateExpired,  // ... or is expired / not yet valid
  TlsServerNameMismatch,    // ... or is issued to another host name
  TlsClientCertificateRefused,  // the service refused this terminal's certificate
  TlsHandshakeFailed,       // any other handshake failure (protocol version, cipher, garbage)
  Configuration,            // the terminal's certificate, key or the CA file cannot be loaded
  ResponseTooLarge,         // the answer is larger than the kiosk takes from the service (cut off)
};

constexpr const char* to_string(TransportErrorKind kind) {
  switch (kind) {
    case TransportErrorKind::NetworkUnreachable: return "network-unreachable";
    case TransportErrorKind::ConnectionRefused: return "connection-refused";
    case TransportErrorKind::ConnectTimeout: return "connect-timeout";
    case TransportErrorKind::Timeout: return "timeout";
    case TransportErrorKind::ConnectionLost: return "connection-lost";
    case TransportErrorKind::TlsServerUntrusted: return "tls-server-untrusted";
    case TransportErrorKind::TlsServerCertificateExpired: return "tls-server-certificate-expired";
    case TransportErrorKind::TlsServerNameMismatch: return "tls-server-name-mismatch";
    case TransportErrorKind::TlsClientCertificateRefused: return "tls-client-certificate-refused";
    case TransportErrorKind::TlsHandshakeFailed: return "tls-handshake-failed";
    case TransportErrorKind::Configuration: return "configuration";
    case TransportErrorKind::ResponseTooLarge: return "response-too-large";
  }
  return "unknown";
}

// True when the request bytes may have reached the service: the call's effect is unknown.
constexpr bool request_may_have_been_delivered(TransportErrorKind kind) {
  return kind == TransportErrorKind::Timeout || kind == TransportErrorKind::ConnectionLost ||
         kind == TransportErrorKind::ResponseTooLarge;
}

// True when the same call may succeed later without anybody changing the configuration.
constexpr bool is_transient(TransportErrorKind kind) {
  switch (kind) {
    case TransportErrorKind::NetworkUnreachable:
    case TransportErrorKind::ConnectionRefused:
    case TransportErrorKind::ConnectTimeout:
    case TransportErrorKind::Timeout:
    case TransportErrorKind::ConnectionLost:
      return true;
    case TransportErrorKind::TlsServerUntrusted:
    case TransportErrorKind::TlsServerCertificateExpired:
    case TransportErrorKind::TlsServerNameMismatch:
    case TransportErrorKind::TlsClientCertificateRefused:
    case TransportErrorKind::TlsHandshakeFailed:
    case TransportErrorKind::Configuration:
    case TransportErrorKind::ResponseTooLarge:
      return false;
  }
  return false;
}

class TransportError : public std::runtime_error {
 public:
  // `detail`: what exactly happened, for the technician and the journal (OpenSSL reasons,
  // verify result, errno text); never contains request bodies.
  TransportError(TransportErrorKind kind, const std::string& detail)
      : std::runtime_error(std::string(to_string(kind)) + ": " + detail), kind_(kind), detail_(detail) {}
  TransportErrorKind kind() const noexcept { return kind_; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  TransportErrorKind kind_;
  std::string detail_;
};

class HttpsTransport {
 public:
  virtual ~HttpsTransport() = default;
  // One exchange. Returns any HTTP response (whatever its status); throws TransportError when
  // no response was received. Implementations serialise concurrent calls.
  virtual HttpResponse send(const HttpRequest& request) = 0;
  // "https://127.0.0.1:8443" style, for logs.
  virtual std::string endpoint() const = 0;
};

// The private key of the terminal's TLS client certificate, used to sign attestations.
class TerminalSigner {
 public:
  virtual ~TerminalSigner() = default;
  // A signature over SHA-256(message): ECDSA (DER) for an EC key, RSASSA-PKCS1-v1_5 for RSA.
  // The verifier picks the scheme from the public key of the terminal certificate.
  virtual Bytes sign(ByteView message) = 0;
};

}  // namespace kiosk::hal
