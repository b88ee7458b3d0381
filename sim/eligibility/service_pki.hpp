// The TLS world of the simulated eligibility service: its own CA (standing in for the OQS
// facility-certificate CA), the server certificate, and terminal certificates issued to medical
// institutions. ECDSA P-256 keys (fast handshakes and attestation signatures on a kiosk).
//
// A terminal certificate's subject is C=JP, O=<institution name>, OU=<10-digit medical
// institution code>, CN=<terminal id>; extendedKeyUsage clientAuth. The server certificate has
// subjectAltName DNS:localhost and IP:127.0.0.1 (plus any names asked for); serverAuth.
// Files are PEM; keys are PKCS#8 and written with mode 0600.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "hal/openssl_handles.hpp"

namespace kiosk::sim::eligibility {

class PkiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct IssuedFiles {
  std::filesystem::path certificate;
  std::filesystem::path key;
};

class ServicePki {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // Makes a CA (valid 10 years from `now`) and writes <dir>/<name>.pem and .key. Throws
  // PkiError when they exist already.
  static ServicePki create(const std::filesystem::path& dir, TimePoint now, const std::string& name = "service-ca",
                           const std::string& common_name = "Eligibility Service Simulator CA");
  static ServicePki open(const std::filesystem::path& dir, const std::string& name = "service-ca");

  ServicePki(ServicePki&&) noexcept;
  ServicePki& operator=(ServicePki&&) noexcept;
  ~ServicePki();

  // Writes <dir>/<name>.pem and <dir>/<name>.key.
  IssuedFiles issue_server(const std::filesystem::path& dir, const std::string& name, TimePoint not_before,
                           TimePoint not_after, const std::vector<std::string>& extra_dns_names = {}) const;
  IssuedFiles issue_terminal(const std::filesystem::path& dir, const std::string& name,
                             const std::string& medical_institution_code, const std::string& terminal_id,
                             const std::string& institution_name, TimePoint not_before, TimePoint not_after) const;

  // A terminal certificate for a key made elsewhere (on a PKCS#11 token: only its public half is
  // here). Writes `certificate_file`.
  void issue_terminal_for_key(const std::filesystem::path& certificate_file, EVP_PKEY* public_key,
                              const std::string& medical_institution_code, const std::string& terminal_id,
                              const std::string& institution_name, TimePoint not_before, TimePoint not_after) const;

  const std::filesystem::path& certificate_file() const { return certificate_file_; }

 private:
  ServicePki(std::filesystem::path certificate_file, hal::openssl::X509Ptr cert, hal::openssl::EvpPkeyPtr key);
  std::filesystem::path certificate_file_;
  hal::openssl::X509Ptr cert_;
  hal::openssl::EvpPkeyPtr key_;
};

}  // namespace kiosk::sim::eligibility
