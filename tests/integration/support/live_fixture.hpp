// Pieces shared by the live suites: an issued JPKI card file, a vpcd bridge running in a
// thread, waiting for a given reader event.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hal/card_reader.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/vpcd/vpcd_bridge.hpp"
#include "tests/integration/support/process.hpp"

namespace kiosk::test {

// A My Number card issued by a fresh simulated JPKI CA (sim/card's card factory), saved as a
// card file. Auth PIN "1234", signing password "ABC123".
struct IssuedCard {
  IssuedCard();
  TempDir dir;
  std::filesystem::path file;
  std::string pin = "1234";
  std::string sign_password = "ABC123";

  std::unique_ptr<sim::card::JpkiCard> load() const { return sim::card::JpkiCard::load(file); }
};

// A VpcdBridge serving `card` to the vpcd slot on `port`, in its own thread; stopped and
// joined on destruction. Counts APDUs and keeps the last ones for diagnostics.
class BridgeThread {
 public:
  BridgeThread(sim::card::VirtualCard& card, std::uint16_t port, sim::vpcd::VpcdBridgeOptions options = {});
  ~BridgeThread();
  BridgeThread(const BridgeThread&) = delete;
  BridgeThread& operator=(const BridgeThread&) = delete;

  sim::vpcd::VpcdBridge& operator*() { return *bridge_; }
  sim::vpcd::VpcdBridge* operator->() { return bridge_.get(); }
  void join();
  std::string error();
  // APDUs answered since the last call of take_trace() (command, response).
  std::vector<std::pair<Bytes, Bytes>> take_trace();
  // Fails the test (Catch2 REQUIRE) unless the bridge connects within `timeout`.
  void require_connected(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

 private:
  std::unique_ptr<sim::vpcd::VpcdBridge> bridge_;
  std::thread thread_;
  std::mutex mutex_;
  std::string error_;
  std::vector<std::pair<Bytes, Bytes>> trace_;
};

// Collects events until one of `kind` for `reader` arrives (returned), or `timeout` passes.
// Every event seen is appended to `seen` when given.
std::optional<hal::ReaderEvent> wait_for_event(hal::CardReaderService& service, hal::ReaderEventKind kind,
                                               const std::string& reader, std::chrono::milliseconds timeout,
                                               std::vector<hal::ReaderEvent>* seen = nullptr);

std::string describe(const std::vector<hal::ReaderEvent>& events);

}  // namespace kiosk::test
