// The simulated kiosk's line to the simulated eligibility service: real mutual TLS through the
// kiosk's own HTTPS driver (drivers/https) to the service on loopback, plus what can go wrong
// on a line: the service is down, it answers slowly, or the kiosk reaches a server whose
// certificate comes from another CA. On virtual time each exchange costs the timing model's
// latency on the virtual clock, so time-outs are exact and cost no wall-clock time.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include "drivers/https/https_client_transport.hpp"
#include "drivers/https/tls_service_probe.hpp"
#include "hal/https_transport.hpp"
#include "hal/service_probe.hpp"
#include "sim/clock/virtual_clock.hpp"

namespace kiosk::sim::board {

class ServiceLine final : public hal::HttpsTransport {
 public:
  // `good`: the world's service; `wrong`: the same endpoint checked against another CA (the
  // "wrong-certificate" fault). With `clock`, each exchange advances it by `latency`.
  ServiceLine(drivers::https::HttpsTransportConfig good, drivers::https::HttpsTransportConfig wrong,
              clock::VirtualClock* clock = nullptr, std::chrono::milliseconds latency = std::chrono::milliseconds(0));

  hal::HttpResponse send(const hal::HttpRequest& request) override;
  std::string endpoint() const override;

  void set_down(bool down) { down_ = down; }
  void set_wrong_certificate(bool wrong) { wrong_certificate_ = wrong; }
  void set_extra_latency(std::chrono::milliseconds extra) { extra_ = extra; }
  bool down() const { return down_; }

 private:
  drivers::https::HttpsClientTransport good_;
  drivers::https::HttpsClientTransport wrong_;
  clock::VirtualClock* clock_;
  std::chrono::milliseconds latency_;
  std::atomic<bool> down_{false};
  std::atomic<bool> wrong_certificate_{false};
  std::atomic<std::chrono::milliseconds> extra_{std::chrono::milliseconds(0)};
};

// The TLS probe of diagnostics on the same line: a line that is down answers as a closed port.
class ServiceLineProbe final : public hal::ServiceProbe {
 public:
  ServiceLineProbe(const ServiceLine& line, drivers::https::HttpsTransportConfig tls) : line_(line), probe_(std::move(tls)) {}
  hal::ServiceProbeFacts probe(std::chrono::milliseconds timeout) override;

 private:
  const ServiceLine& line_;
  drivers::https::TlsServiceProbe probe_;
};

}  // namespace kiosk::sim::board
