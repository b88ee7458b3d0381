#include "sim/board/service_line.hpp"

#include <string>
#include <thread>

namespace kiosk::sim::board {

ServiceLine::ServiceLine(drivers::https::HttpsTransportConfig good, drivers::https::HttpsTransportConfig wrong,
                         clock::VirtualClock* clock, std::chrono::milliseconds latency)
    : good_(std::move(good)), wrong_(std::move(wrong)), clock_(clock), latency_(latency) {}

hal::HttpResponse ServiceLine::send(const hal::HttpRequest& request) {
  const auto extra = extra_.load();
  if (down_.load()) {
    if (clock_ != nullptr) clock_->advance(latency_);
    throw hal::TransportError(hal::TransportErrorKind::ConnectionRefused, "simulated: the eligibility service is down");
  }
  if (clock_ != nullptr) {
    const auto latency = latency_ + extra;
    if (latency >= request.timeout) {
      clock_->advance(request.timeout);
      throw hal::TransportError(hal::TransportErrorKind::Timeout,
                                "simulated: no answer within " + std::to_string(request.timeout.count()) + " ms");
    }
    clock_->advance(latency);
  } else if (extra.count() > 0) {
    if (extra >= request.timeout) {
      std::this_thread::sleep_for(request.timeout);
      throw hal::TransportError(hal::TransportErrorKind::Timeout,
                                "simulated: no answer within " + std::to_string(request.timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(extra);
  }
  return wrong_certificate_.load() ? wrong_.send(request) : good_.send(request);
}

std::string ServiceLine::endpoint() const { return good_.endpoint(); }

hal::ServiceProbeFacts ServiceLineProbe::probe(std::chrono::milliseconds timeout) {
  if (!line_.down()) return probe_.probe(timeout);
  hal::ServiceProbeFacts facts;
  facts.endpoint = line_.endpoint();
  facts.connect_failure = hal::TransportErrorKind::ConnectionRefused;
  facts.connect_error = "simulated: the eligibility service is down (connection refused)";
  return facts;
}

}  // namespace kiosk::sim::board
