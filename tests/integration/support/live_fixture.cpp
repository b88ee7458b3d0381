#include "tests/integration/support/live_fixture.hpp"

#include <catch2/catch.hpp>

#include "sim/ca/jpki_ca.hpp"
#include "sim/card/card_factory.hpp"

namespace kiosk::test {

namespace {
using Clock = std::chrono::steady_clock;
}

IssuedCard::IssuedCard() : dir("kiosk-card") {
  auto ca = sim::ca::SimulatedJpkiCa::create(dir.path() / "ca", std::chrono::system_clock::now());
  sim::card::CardOrder order;
  order.holder_name = "試験\u3000花子";
  order.birth_date = "19800217";
  order.sex = '2';
  order.address = "東京都清瀬市";
  order.pin = pin;
  order.sign_password = sign_password;
  order.security_code = "2285";
  const sim::card::CardProfile profile = sim::card::issue_card(ca, order);
  file = dir.path() / "card.json";
  profile.save(file);
}

BridgeThread::BridgeThread(sim::card::VirtualCard& card, std::uint16_t port, sim::vpcd::VpcdBridgeOptions options) {
  options.vpcd = {"127.0.0.1", port};
  auto user_hook = options.on_apdu;
  options.on_apdu = [this, user_hook](ByteView command, ByteView response) {
    {
      std::lock_guard lock(mutex_);
      trace_.emplace_back(Bytes(command.begin(), command.end()), Bytes(response.begin(), response.end()));
    }
    if (user_hook) user_hook(command, response);
  };
  bridge_ = std::make_unique<sim::vpcd::VpcdBridge>(card, std::move(options));
  thread_ = std::thread([this] {
    try {
      bridge_->run();
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      error_ = e.what();
    }
  });
}

BridgeThread::~BridgeThread() { join(); }

void BridgeThread::join() {
  bridge_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string BridgeThread::error() {
  std::lock_guard lock(mutex_);
  return error_;
}

std::vector<std::pair<Bytes, Bytes>> BridgeThread::take_trace() {
  std::lock_guard lock(mutex_);
  return std::exchange(trace_, {});
}

void BridgeThread::require_connected(std::chrono::milliseconds timeout) {
  const bool connected = bridge_->wait_for_state(sim::vpcd::BridgeState::Connected, timeout);
  INFO("bridge state: " << sim::vpcd::to_string(bridge_->state()) << "; error: " << error());
  REQUIRE(connected);
}

std::optional<hal::ReaderEvent> wait_for_event(hal::CardReaderService& service, hal::ReaderEventKind kind,
                                               const std::string& reader, std::chrono::milliseconds timeout,
                                               std::vector<hal::ReaderEvent>* seen) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    for (auto& e : service.wait_for_events(left)) {
      if (seen != nullptr) seen->push_back(e);
      if (e.kind == kind && e.reader == reader) return e;
    }
  }
}

std::string describe(const std::vector<hal::ReaderEvent>& events) {
  std::string out;
  for (const auto& e : events) {
    if (!out.empty()) out += ", ";
    out += std::string(hal::to_string(e.kind)) + " " + e.reader;
  }
  return out.empty() ? "(none)" : out;
}

}  // namespace kiosk::test
