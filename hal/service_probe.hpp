// A diagnostic probe of the eligibility service, and what it found step by step: the TCP
// connection, the TLS handshake with the terminal's client certificate, the server's certificate
// chain against the pinned service CA, and the terminal's own certificate. The probe is a driver
// (drivers/https/tls_service_probe); the verdicts (validity, days left) are
// core/diagnostics/service_checks.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "hal/bytes.hpp"
#include "hal/https_transport.hpp"

namespace kiosk::hal {

struct ServiceProbeFacts {
  std::string endpoint;  // "https://host:port"

  // TCP: connected, in this time; otherwise why not.
  bool connected = false;
  std::chrono::milliseconds connect_time{0};
  std::optional<TransportErrorKind> connect_failure;
  std::string connect_error;

  // TLS handshake with the terminal's certificate (attempted only when connected and the
  // terminal's files load).
  bool handshake_attempted = false;
  bool handshake_ok = false;
  std::chrono::milliseconds handshake_time{0};
  std::string tls_version;  // "TLSv1.3"
  std::string cipher;
  std::optional<TransportErrorKind> handshake_failure;
  std::string handshake_error;

  // The server's certificate as presented (also when it is not trusted), and the verdict of
  // the chain against the pinned service CA and the host name.
  Bytes server_certificate;  // DER; empty when the server sent none
  bool server_trusted = false;
  std::string server_verify_error;  // empty when trusted

  // This terminal's certificate, read from its file.
  Bytes terminal_certificate;              // DER; empty when it could not be read
  std::string terminal_certificate_error;  // why not
};

class ServiceProbe {
 public:
  virtual ~ServiceProbe() = default;
  ServiceProbe() = default;
  ServiceProbe(const ServiceProbe&) = delete;
  ServiceProbe& operator=(const ServiceProbe&) = delete;

  // Probes the service once; `timeout` bounds each step. Never throws for network or TLS
  // trouble: everything found goes into the facts.
  virtual ServiceProbeFacts probe(std::chrono::milliseconds timeout) = 0;
};

}  // namespace kiosk::hal
