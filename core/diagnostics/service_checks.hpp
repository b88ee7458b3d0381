// Eligibility-service checks: reachability, TLS handshake, the server's and the terminal's
// certificates (validity, days left), the service's answer and API version, and the clock
// offset between kiosk and service. Device-free: the network facts come from a probe
// (drivers/https/service_probe, hal::ServiceProbeFacts), the service's own answer from the
// eligibility client's health call (query_health), so the verdicts are testable with made-up
// facts.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostics/report.hpp"
#include "core/eligibility/client.hpp"
#include "hal/clock.hpp"
#include "hal/service_probe.hpp"

namespace kiosk::core::diagnostics {

// The service's health answer, with the kiosk's clock when it was asked and answered.
struct HealthFacts {
  std::optional<core::eligibility::ServiceHealth> health;
  std::string error;   // why there is no answer (the eligibility client's error)
  std::string advice;  // what the kiosk tells staff about that error
  std::chrono::system_clock::time_point asked;
  std::chrono::system_clock::time_point answered;
};

// One GET /v1/health through `client` (use ClientOptions with max_attempts 1: diagnostics
// report what happens, they do not retry). Never throws for service trouble.
HealthFacts query_health(core::eligibility::EligibilityClient& client, const hal::Clock& clock);

struct ServiceCheckSettings {
  // A connection or handshake slower than this is a WARN: every request of a reception opens
  // at most one connection, and a patient waits for the sum (a healthy line: tens of ms).
  std::chrono::milliseconds slow_connect{1000};
  std::chrono::milliseconds slow_handshake{1500};
  // Certificates: WARN this many days before expiry (time to order and install a renewal),
  // FAIL once expired or not yet valid.
  int certificate_warning_days = 30;
  // Clock offset (kiosk - service). NTP keeps a synchronised host within well under a second;
  // the service's time has 1 s resolution and the request's round trip adds up to half of it,
  // so more than 5 s means the kiosk's clock is not synchronised (WARN). Beyond 5 minutes
  // (FAIL) certificate validity, the nonce's 180 s lifetime and the times in the journal and
  // the reception system's result files can no longer be trusted (5 min is also the usual
  // tolerance of time-stamped authentication, e.g. Kerberos).
  std::chrono::seconds warn_clock_offset{5};
  std::chrono::seconds fail_clock_offset{300};
  int api_version = 1;  // the protocol version this kiosk speaks
};

std::vector<CheckResult> check_service(const hal::ServiceProbeFacts& probe, const HealthFacts& health,
                                       std::chrono::system_clock::time_point now, const ServiceCheckSettings& settings);

// When no eligibility service is configured (the kiosk sends patients to the counter).
CheckResult service_not_configured();

}  // namespace kiosk::core::diagnostics
