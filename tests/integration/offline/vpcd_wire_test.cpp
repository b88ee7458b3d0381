// The vpcd wire protocol of VpcdBridge, against a stand-in for vpcd written here (a TCP
// listener speaking vpcd's framing). No pcscd needed. The card behind the bridge is a
// transport test double that records what reaches it; the JPKI card is exercised in the live
// tests.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "sim/vpcd/vpcd_bridge.hpp"

using namespace std::chrono_literals;
using kiosk::Byte;
using kiosk::Bytes;
using kiosk::ByteView;
using kiosk::sim::vpcd::BridgeState;
using kiosk::sim::vpcd::UniqueFd;
using kiosk::sim::vpcd::VpcdBridge;
using kiosk::sim::vpcd::VpcdBridgeOptions;

namespace {

// Records power events and APDUs; answers an APDU with its INS byte and 90 00 (or with
// `next_response` when set).
class RecordingCard final : public kiosk::sim::card::VirtualCard {
 public:
  Bytes atr() const override { return {0x3B, 0x80, 0x80, 0x01, 0x01}; }
  void power_on() override { record("on"); }
  void power_off() override { record("off"); }
  void reset() override { record("reset"); }
  Bytes process_apdu(ByteView command) override {
    std::function<void()> during;
    {
      std::lock_guard lock(mutex_);
      during.swap(during_next_apdu_);
    }
    if (during) during();
    std::lock_guard lock(mutex_);
    events_.push_back("apdu " + kiosk::to_hex(command, '\0'));
    if (next_response_) {
      Bytes r = *next_response_;
      next_response_.reset();
      return r;
    }
    return Bytes{command[1], 0x90, 0x00};
  }
  // Runs `f` while the card works on the next APDU (once).
  void during_next_apdu(std::function<void()> f) {
    std::lock_guard lock(mutex_);
    during_next_apdu_ = std::move(f);
  }
  void respond_once(Bytes response) {
    std::lock_guard lock(mutex_);
    next_response_ = std::move(response);
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  void record(const std::string& e) {
    std::lock_guard lock(mutex_);
    events_.push_back(e);
  }
  mutable std::mutex mutex_;
  std::vector<std::string> events_;
  std::optional<Bytes> next_response_;
  std::function<void()> during_next_apdu_;
};

// The vpcd side: listens on a loopback port, accepts the bridge.
class FakeVpcd {
 public:
  FakeVpcd() : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_.get(), 4) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  std::uint16_t port() const { return port_; }

  // Accepts the next connection within `timeout`; false if none came.
  bool accept(std::chrono::milliseconds timeout = 3s) {
    pollfd pfd{listener_.get(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) != 1) return false;
    client_.reset(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    return static_cast<bool>(client_);
  }
  void close_client() { client_.reset(); }

  void send_raw(const Bytes& bytes) {
    REQUIRE(kiosk::sim::vpcd::write_all(client_.get(), bytes) == kiosk::sim::vpcd::IoResult::Ok);
  }
  // A frame sent as vpcd 3.3 does: the length and the payload in two send() calls.
  void send_frame_split(const Bytes& payload) {
    const Bytes f = kiosk::sim::vpcd::wire::frame(payload);
    send_raw(Bytes(f.begin(), f.begin() + 2));
    std::this_thread::sleep_for(5ms);
    send_raw(Bytes(f.begin() + 2, f.end()));
  }
  void control(Byte code) { send_raw(Bytes{0x00, 0x01, code}); }
  std::optional<Bytes> receive_frame(std::chrono::milliseconds timeout = 2s) {
    std::array<Byte, 2> header{};
    if (kiosk::sim::vpcd::read_exact(client_.get(), header.data(), 2, timeout) != kiosk::sim::vpcd::IoResult::Ok) return std::nullopt;
    Bytes payload((std::size_t{header[0]} << 8) | header[1]);
    if (!payload.empty() &&
        kiosk::sim::vpcd::read_exact(client_.get(), payload.data(), payload.size(), timeout) != kiosk::sim::vpcd::IoResult::Ok) {
      return std::nullopt;
    }
    return payload;
  }
  // True when the bridge closed its end.
  bool peer_closed(std::chrono::milliseconds timeout = 2s) {
    Byte b = 0;
    return kiosk::sim::vpcd::read_exact(client_.get(), &b, 1, timeout) == kiosk::sim::vpcd::IoResult::Closed;
  }
  bool nothing_received(std::chrono::milliseconds within) {
    pollfd pfd{client_.get(), POLLIN, 0};
    return ::poll(&pfd, 1, static_cast<int>(within.count())) == 0;
  }

 private:
  UniqueFd listener_;
  UniqueFd client_;
  std::uint16_t port_ = 0;
};

// Runs a bridge in a thread; stops and joins it on destruction.
class RunningBridge {
 public:
  RunningBridge(kiosk::sim::card::VirtualCard& card, VpcdBridgeOptions options) : bridge_(card, std::move(options)) {
    thread_ = std::thread([this] {
      try {
        bridge_.run();
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        error_ = e.what();
      }
    });
  }
  ~RunningBridge() { join(); }
  void join() {
    bridge_.stop();
    if (thread_.joinable()) thread_.join();
  }
  VpcdBridge& operator*() { return bridge_; }
  VpcdBridge* operator->() { return &bridge_; }
  std::string error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  VpcdBridge bridge_;
  std::thread thread_;
  std::mutex mutex_;
  std::string error_;
};

VpcdBridgeOptions options_for(const FakeVpcd& vpcd) {
  VpcdBridgeOptions o;
  o.vpcd = {"127.0.0.1", vpcd.port()};
  o.connect_timeout = 3s;
  o.retry_interval = 20ms;
  return o;
}

}  // namespace

TEST_CASE("vpcd frames are a 2-byte big-endian length and the payload") {
  CHECK(kiosk::sim::vpcd::wire::frame(Bytes{0x04}) == Bytes{0x00, 0x01, 0x04});
  CHECK(kiosk::sim::vpcd::wire::frame(Bytes(0x1234, 0xAA)).size() == 0x1236);
  CHECK(kiosk::sim::vpcd::wire::frame(Bytes(0x1234, 0xAA))[0] == 0x12);
  CHECK(kiosk::sim::vpcd::wire::frame(Bytes(0x1234, 0xAA))[1] == 0x34);
  CHECK_THROWS_AS(kiosk::sim::vpcd::wire::frame(Bytes(0x10000, 0)), std::length_error);
}

TEST_CASE("HOST:PORT parsing") {
  CHECK(kiosk::sim::vpcd::parse_endpoint("127.0.0.1:35963").port == 35963);
  CHECK(kiosk::sim::vpcd::parse_endpoint("localhost:1").host == "localhost");
  CHECK(kiosk::sim::vpcd::parse_endpoint("[::1]:35963").host == "::1");
  CHECK(kiosk::sim::vpcd::parse_endpoint(":35964").host == "localhost");
  CHECK_THROWS_AS(kiosk::sim::vpcd::parse_endpoint("localhost"), std::invalid_argument);
  CHECK_THROWS_AS(kiosk::sim::vpcd::parse_endpoint("localhost:0"), std::invalid_argument);
  CHECK_THROWS_AS(kiosk::sim::vpcd::parse_endpoint("localhost:65536"), std::invalid_argument);
  CHECK_THROWS_AS(kiosk::sim::vpcd::parse_endpoint("localhost:12a"), std::invalid_argument);
}

TEST_CASE("the bridge answers vpcd control messages and APDUs including split frames") {
  FakeVpcd vpcd;
  RecordingCard card;
  RunningBridge bridge(card, options_for(vpcd));
  REQUIRE(vpcd.accept());
  REQUIRE(bridge->wait_for_state(BridgeState::Connected, 2s));

  // get ATR, in two send() calls
  vpcd.send_raw({0x00});
  std::this_thread::sleep_for(5ms);
  vpcd.send_raw({0x01, 0x04});
  CHECK(vpcd.receive_frame() == card.atr());

  // power on / off / reset: no reply
  vpcd.control(0x01);
  vpcd.control(0x02);
  vpcd.control(0x00);
  vpcd.control(0x01);
  CHECK(vpcd.nothing_received(100ms));

  // an APDU, length and payload in two send() calls
  vpcd.send_frame_split(kiosk::from_hex("00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"));
  CHECK(vpcd.receive_frame() == Bytes{0xA4, 0x90, 0x00});

  // an extended APDU with a large response
  Bytes big(4000, 0x5A);
  big.push_back(0x90);
  big.push_back(0x00);
  card.respond_once(big);
  vpcd.send_frame_split(kiosk::from_hex("00 B0 00 00 00 0F A0"));
  CHECK(vpcd.receive_frame() == big);

  const auto counters = bridge->counters();
  CHECK(counters.apdus == 2);
  CHECK(counters.power_on == 2);
  CHECK(counters.power_off == 1);
  CHECK(counters.resets == 1);
  CHECK(counters.atr_requests == 1);
  CHECK(counters.connections == 1);
  CHECK(card.events() == std::vector<std::string>{"on", "reset", "off", "on", "apdu 00A4040C0AD392F000260100000001",
                                                  "apdu 00B00000000FA0"});
}

TEST_CASE("the bridge never sends an empty reply") {
  FakeVpcd vpcd;
  RecordingCard card;
  RunningBridge bridge(card, options_for(vpcd));
  REQUIRE(vpcd.accept());
  card.respond_once({});
  vpcd.send_frame_split({0x00, 0xB0, 0x00, 0x00, 0x04});
  CHECK(vpcd.receive_frame() == Bytes{0x6F, 0x00});
}

TEST_CASE("the bridge's log never shows the data of an APDU it could not answer (a VERIFY carries the PIN)") {
  FakeVpcd vpcd;
  RecordingCard card;
  auto options = options_for(vpcd);
  std::mutex mutex;
  std::vector<std::string> lines;
  options.on_log = [&](const std::string& line) {
    std::lock_guard lock(mutex);
    lines.push_back(line);
  };
  RunningBridge bridge(card, options);
  REQUIRE(vpcd.accept());
  card.respond_once({0x90});  // one byte: no status word, the bridge sends 6F 00 and logs why
  vpcd.send_frame_split(kiosk::from_hex("00 20 00 98 04 31 32 33 34"));  // VERIFY with PIN 1234
  CHECK(vpcd.receive_frame() == Bytes{0x6F, 0x00});
  card.during_next_apdu([] { throw std::runtime_error("emulator failure"); });
  vpcd.send_frame_split(kiosk::from_hex("00 20 00 92 0E 31 32 33 34 35 36 37 38 39 30 31 32 33 34"));  // 照合番号B
  CHECK(vpcd.receive_frame() == Bytes{0x6F, 0x00});
  std::lock_guard lock(mutex);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  INFO(all);
  CHECK_THAT(all, Catch::Contains("00 20 00 98 (+5 bytes not logged)"));
  CHECK_THAT(all, Catch::Contains("00 20 00 92 (+15 bytes not logged)"));
  CHECK(all.find("31 32 33 34") == std::string::npos);
}

TEST_CASE("fault injection: the card leaves the field after the N-th APDU and comes back on insert()") {
  FakeVpcd vpcd;
  RecordingCard card;
  auto options = options_for(vpcd);
  options.remove_after_apdus = 2;
  RunningBridge bridge(card, options);
  REQUIRE(vpcd.accept());
  vpcd.control(0x01);
  vpcd.send_frame_split({0x00, 0x01, 0x02, 0x03});
  CHECK(vpcd.receive_frame() == Bytes{0x01, 0x90, 0x00});
  vpcd.send_frame_split({0x00, 0x02, 0x02, 0x03});
  CHECK(vpcd.receive_frame() == Bytes{0x02, 0x90, 0x00});  // the 2nd APDU is still answered
  CHECK(vpcd.peer_closed());                               // then the card is gone
  REQUIRE(bridge->wait_for_state(BridgeState::Ejected, 2s));
  CHECK(card.events().back() == "off");
  CHECK_FALSE(vpcd.accept(300ms));  // and stays out

  bridge->insert();
  REQUIRE(vpcd.accept());
  REQUIRE(bridge->wait_for_state(BridgeState::Connected, 2s));
  vpcd.send_frame_split({0x00, 0x03, 0x02, 0x03});
  CHECK(vpcd.receive_frame() == Bytes{0x03, 0x90, 0x00});
  vpcd.send_frame_split({0x00, 0x04, 0x02, 0x03});
  CHECK(vpcd.receive_frame() == Bytes{0x04, 0x90, 0x00});  // the fault fired once only
  CHECK(bridge->counters().connections == 2);
}

TEST_CASE("eject() closes the connection at once and remove_after_apdus() arms the fault at runtime") {
  FakeVpcd vpcd;
  RecordingCard card;
  RunningBridge bridge(card, options_for(vpcd));
  REQUIRE(vpcd.accept());
  bridge->eject();
  CHECK(vpcd.peer_closed());
  REQUIRE(bridge->wait_for_state(BridgeState::Ejected, 2s));
  bridge->insert();
  REQUIRE(vpcd.accept());
  bridge->remove_after_apdus(1);
  vpcd.send_frame_split({0x00, 0x05, 0x00, 0x00});
  CHECK(vpcd.receive_frame() == Bytes{0x05, 0x90, 0x00});
  CHECK(vpcd.peer_closed());
}

TEST_CASE("eject() while the card works on a command: the command is never answered") {
  FakeVpcd vpcd;
  RecordingCard card;
  RunningBridge bridge(card, options_for(vpcd));
  REQUIRE(vpcd.accept());
  vpcd.send_frame_split({0x00, 0x06, 0x00, 0x00});
  CHECK(vpcd.receive_frame() == Bytes{0x06, 0x90, 0x00});
  card.during_next_apdu([&] { bridge->eject(); });  // pulled out in the middle of the next one
  vpcd.send_frame_split({0x00, 0x88, 0x00, 0x00});
  CHECK(vpcd.peer_closed());  // closed with no response frame before it
  REQUIRE(bridge->wait_for_state(BridgeState::Ejected, 2s));
  CHECK(card.events().back() == "off");
  CHECK(bridge->counters().apdus == 2);
}

TEST_CASE("vpcd closing the connection: the bridge reconnects or returns when reconnect is off") {
  FakeVpcd vpcd;
  RecordingCard card;
  SECTION("reconnect") {
    RunningBridge bridge(card, options_for(vpcd));
    REQUIRE(vpcd.accept());
    vpcd.close_client();
    REQUIRE(vpcd.accept());
    vpcd.send_frame_split({0x00, 0x06, 0x00, 0x00});
    CHECK(vpcd.receive_frame() == Bytes{0x06, 0x90, 0x00});
    CHECK(bridge->counters().connections == 2);
  }
  SECTION("no reconnect") {
    auto options = options_for(vpcd);
    options.reconnect = false;
    RunningBridge bridge(card, options);
    REQUIRE(vpcd.accept());
    vpcd.close_client();
    CHECK(bridge->wait_for_state(BridgeState::Stopped, 2s));
    CHECK(bridge.error().empty());
  }
}

TEST_CASE("stop() ends run() promptly also while connecting") {
  RecordingCard card;
  VpcdBridgeOptions options;
  options.vpcd = {"127.0.0.1", 1};  // nothing listens on port 1
  options.connect_timeout = 60s;
  options.retry_interval = 5s;
  RunningBridge bridge(card, options);
  REQUIRE(bridge->wait_for_state(BridgeState::Connecting, 2s));
  std::this_thread::sleep_for(50ms);
  const auto start = std::chrono::steady_clock::now();
  bridge.join();
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK(bridge->state() == BridgeState::Stopped);
}

TEST_CASE("run() gives up when vpcd is not reachable within the connect timeout") {
  RecordingCard card;
  VpcdBridgeOptions options;
  options.vpcd = {"127.0.0.1", 1};
  options.connect_timeout = 300ms;
  options.retry_interval = 50ms;
  VpcdBridge bridge(card, options);
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(bridge.run(), Catch::Contains("cannot connect to vpcd at 127.0.0.1:1"));
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  CHECK(bridge.state() == BridgeState::Stopped);
  CHECK_THROWS_AS(bridge.run(), std::logic_error);  // a bridge runs once
}
