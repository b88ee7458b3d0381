// hal::HttpsTransport on cpp-httplib's SSLClient (OpenSSL): TLS 1.2 or newer, the terminal's
// client certificate and key, the eligibility service's CA pinned as the only trust anchor (the
// system store is never loaded), host name checked against the server certificate, keep-alive.
// Failures come back as hal::TransportError with the TLS reason (untrusted or expired server
// certificate, name mismatch, this terminal's certificate refused by the service).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "hal/https_transport.hpp"

namespace kiosk::drivers::https {

struct HttpsTransportConfig {
  std::string host = "127.0.0.1";  // also the name checked against the server certificate
  int port = 443;
  std::filesystem::path ca_certificate;      // PEM: the service CA, the only trust anchor
  std::filesystem::path client_certificate;  // PEM: this terminal's certificate
  // Its private key: a PEM file (mode 0600, the kiosk's user's) or a "pkcs11:" URI with the
  // token's module and PIN file (drivers/https/terminal_key.hpp).
  std::filesystem::path client_key;
  std::filesystem::path pkcs11_module;
  std::filesystem::path pkcs11_pin_file;
  // The most a service's answer may be, headers and body together: a longer one is cut off
  // with an error (issue 18: a 300 MB answer took 1.2 GB).
  std::size_t max_response_bytes = 1 << 20;
  std::chrono::milliseconds connect_timeout{3000};
  bool keep_alive = true;
};

class HttpsClientTransport final : public hal::HttpsTransport {
 public:
  // Loads and checks the files. Throws hal::TransportError (Configuration) naming the file that
  // is missing, unreadable, or a key that does not belong to the certificate.
  explicit HttpsClientTransport(HttpsTransportConfig config);
  ~HttpsClientTransport() override;
  HttpsClientTransport(const HttpsClientTransport&) = delete;
  HttpsClientTransport& operator=(const HttpsClientTransport&) = delete;

  hal::HttpResponse send(const hal::HttpRequest& request) override;
  std::string endpoint() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiosk::drivers::https
