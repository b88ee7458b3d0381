// The simulated national eligibility service (オンライン資格確認等システム): a real HTTPS server
// with mutual TLS on a loopback port, speaking the kiosk protocol v1 (docs/eligibility-protocol.md),
// backed by SQLite and the rules of sim/eligibility/rules.hpp. Usable in process (tests, `kiosk
// sim`) and from `kiosk-sim eligibility serve`.
//
// It checks what a kiosk sends as the real service would: the terminal's client certificate
// (TLS, issued by the service CA, with a 10-digit medical institution code), the card's
// user-authentication certificate (chain to the simulated JPKI CA, revocation, expiry with the
// 3-month grace period), the card's signature over a fresh single-use nonce it issued to that
// terminal, or the terminal's signed face/visual attestation. Every confirmation, refusal,
// registration and consent is written to the audit table.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/eligibility/database.hpp"
#include "sim/eligibility/fixture.hpp"

namespace kiosk::sim::eligibility {

class ServiceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TlsFiles {
  std::filesystem::path certificate;  // the server's certificate (PEM; chain allowed)
  std::filesystem::path key;          // its private key (PEM)
  std::filesystem::path client_ca;    // the CA that issues terminal certificates (PEM)
};

// Fault injection for tests and QA: delay every answer, or answer wrongly.
struct Faults {
  enum class Reply {
    Normal,
    MalformedJson,     // 200, application/json, a body that is not JSON
    WrongContentType,  // 200, text/html
    WrongVersion,      // 200, valid JSON with api_version 99
    InternalError,     // 500 with a structured INTERNAL error
    Unavailable,       // 503 with a structured UNAVAILABLE error
  };
  std::chrono::milliseconds delay{0};
  Reply reply = Reply::Normal;
  std::string only_path;  // apply to this path only ("/v1/confirmations"); empty: every path
};

struct ServiceOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port (see port())
  TlsFiles tls;
  std::vector<std::filesystem::path> jpki_ca_certificates;  // trust anchors for card certificates
  std::vector<std::filesystem::path> crl_files;             // CRLs of those CAs (revocations)
  // The J-LIS keys of the card-face records (cardface-anchors.json of the simulated CA). Nothing:
  // every face confirmation is refused (its genuine-card proof cannot be checked).
  std::optional<std::filesystem::path> card_face_anchors;
  std::string database = ":memory:";
  // The service's clock (dates are judged in Japan time). Empty: the system clock.
  std::function<TimePoint()> clock;
  std::chrono::seconds nonce_lifetime{180};
  std::chrono::seconds ticket_lifetime{600};
  std::chrono::seconds session_lifetime{1800};
  std::size_t max_outstanding_challenges = 1000;  // per terminal
  // Confirmation sessions kept per terminal (the oldest dropped first), and as many stored answers
  // of requests with a request id. Their lifetimes alone do not bound them: a kiosk receiving a
  // patient every few seconds would hold half an hour of receptions.
  std::size_t max_sessions_per_terminal = 1000;
  std::size_t worker_threads = 16;                // each open keep-alive connection holds one
  std::size_t keep_alive_max_requests = 100000;
  // An idle keep-alive connection is closed after this; stop() waits for idle connections up to
  // this long (cpp-httplib checks for shutdown only between requests).
  std::chrono::seconds keep_alive_timeout{3};
  std::chrono::seconds io_timeout{5};
  // Parsed card certificates with their chain verdict, by SHA-256 (0: parse every time). Parsing
  // (d2i_X509) is the largest single cost of a confirmation with OpenSSL 3.0; revocation and
  // dates are still judged on every request.
  std::size_t certificate_cache_size = 10000;
  // A face attestation whose threshold is below this is rejected (0: the kiosk's threshold is trusted).
  double minimum_face_threshold = 0.0;
  // One line per request (method, path, status, time, terminal); never bodies. Empty: silent.
  std::function<void(const std::string&)> log;
};

// The TLS files of a folder made by `kiosk-sim eligibility init` (server.pem/.key, service-ca.pem)
// and the JPKI CA named by the fixture (auth-ca.pem, and auth.crl and cardface-anchors.json when present).
ServiceOptions options_for_directory(const std::filesystem::path& dir, const Fixture& fixture);

struct ServiceDirectory {
  std::filesystem::path service_ca;
  std::filesystem::path server_certificate;
  std::filesystem::path server_key;
  std::filesystem::path terminal_certificate;
  std::filesystem::path terminal_key;
};

// Makes the service's CA, its server certificate (2 years) and one terminal certificate for the
// medical institution (2 years) in `dir` (created). Throws ServiceError when a CA is already there.
ServiceDirectory init_service_directory(const std::filesystem::path& dir, const std::string& medical_institution_code,
                                        TimePoint now);

// For `kiosk sim`: makes `dir` ready unless it is already — the PKI (init_service_directory) when
// service-ca.pem is missing, and a sample fixture.json (sample_fixture) naming the card files and
// the JPKI CA when missing. Returns the fixture file. An existing fixture is never overwritten.
std::filesystem::path prepare_directory(const std::filesystem::path& dir, const std::filesystem::path& jpki_ca,
                                        const std::vector<std::filesystem::path>& card_files,
                                        const std::string& medical_institution_code, TimePoint now);

class SimulatedEligibilityService {
 public:
  // Builds the database from the fixture and reads the CA certificates and CRLs. Throws
  // ServiceError, FixtureError, DatabaseError or CertificateParseError naming what is wrong.
  SimulatedEligibilityService(ServiceOptions options, const Fixture& fixture);
  ~SimulatedEligibilityService();
  SimulatedEligibilityService(const SimulatedEligibilityService&) = delete;
  SimulatedEligibilityService& operator=(const SimulatedEligibilityService&) = delete;

  // Listens and serves on a thread of its own; returns once connections are accepted. Throws
  // ServiceError when the TLS files are unusable or the port cannot be bound.
  void start();
  // Stops accepting, finishes the requests in progress and joins. Safe to call twice.
  void stop();
  bool running() const;
  int port() const;
  std::string url() const;  // "https://127.0.0.1:PORT"

  void set_faults(const Faults& faults);
  std::vector<AuditEntry> audit_tail(std::size_t count);

  struct Counters {
    std::uint64_t requests = 0;
    std::uint64_t confirmations = 0;  // answered with a result or a registration offer
    std::uint64_t refusals = 0;       // 4xx answers
  };
  Counters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiosk::sim::eligibility
