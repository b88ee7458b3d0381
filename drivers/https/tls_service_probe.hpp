// A diagnostic probe of the eligibility service, one step at a time, so that a technician
// learns which step fails: TCP connection (timed), TLS handshake with the terminal's client
// certificate (timed; the server's chain checked against the pinned service CA and the host
// name), and whether the service accepts this terminal (one GET /v1/health on the probe's own
// connection, whose answer is not interpreted: that is the eligibility client's job).
// Never throws for network or TLS trouble: everything found goes into hal::ServiceProbeFacts.
#pragma once

#include <chrono>

#include "drivers/https/https_client_transport.hpp"
#include "hal/service_probe.hpp"

namespace kiosk::drivers::https {

// `timeout` bounds each step (connect, handshake, first answer bytes).
hal::ServiceProbeFacts probe_service(const HttpsTransportConfig& config, std::chrono::milliseconds timeout);

// The probe as a board member: probes the configured service each time it is asked, on a
// connection of its own (never the reception's).
class TlsServiceProbe final : public hal::ServiceProbe {
 public:
  explicit TlsServiceProbe(HttpsTransportConfig config) : config_(std::move(config)) { config_.keep_alive = false; }
  hal::ServiceProbeFacts probe(std::chrono::milliseconds timeout) override { return probe_service(config_, timeout); }

 private:
  HttpsTransportConfig config_;
};

}  // namespace kiosk::drivers::https
