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

}  // namespace kiosk::drivers::https
