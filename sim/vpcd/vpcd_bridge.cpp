#include "sim/vpcd/vpcd_bridge.hpp"

#include <poll.h>

#include <algorithm>
#include <array>
#include <exception>

namespace kiosk::sim::vpcd {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Once a frame has started, the rest of it must follow within this time.
constexpr milliseconds kFrameTimeout{5'000};
// How long one connection attempt may take.
constexpr milliseconds kConnectAttemptTimeout{1'000};
// Answer to an APDU the card could not process (it must never be an empty reply: vpcd takes
// that for a removed card).
const Bytes kNoPreciseDiagnosis{0x6F, 0x00};

// Waits until the wake descriptor fires or `timeout` passes (negative: no limit).
void wait_wake(const WakeFd& wake, int timeout_ms) {
  pollfd pfd{wake.get(), POLLIN, 0};
  (void)::poll(&pfd, 1, timeout_ms);
}

// A command APDU for a log line: its header and how much data followed, never the data (a
// VERIFY carries a PIN or 照合番号B; issue 18).
std::string describe_command(ByteView payload) {
  const std::size_t shown = std::min<std::size_t>(payload.size(), 4);
  std::string text = to_hex(payload.first(shown));
  if (payload.size() > shown) text += " (+" + std::to_string(payload.size() - shown) + " bytes not logged)";
  return text;
}

std::string endpoint_text(const Endpoint& e) {
  return (e.host.find(':') != std::string::npos ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

}  // namespace

namespace wire {
Bytes frame(ByteView payload) {
  if (payload.size() > 0xFFFF) throw std::length_error("vpcd frame payload over 65535 bytes");
  Bytes out;
  out.reserve(payload.size() + 2);
  out.push_back(static_cast<Byte>(payload.size() >> 8));
  out.push_back(static_cast<Byte>(payload.size() & 0xFF));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}
}  // namespace wire

const char* to_string(BridgeState state) {
  switch (state) {
    case VpcdBridge::State::Idle: return "idle";
    case VpcdBridge::State::Connecting: return "connecting";
    case VpcdBridge::State::Connected: return "connected";
    case VpcdBridge::State::Ejected: return "ejected";
    case VpcdBridge::State::Stopped: return "stopped";
  }
  return "unknown";
}

VpcdBridge::VpcdBridge(sim::card::VirtualCard& card, VpcdBridgeOptions options) : card_(card), options_(std::move(options)) {}

void VpcdBridge::log(const std::string& message) const {
  if (options_.on_log) options_.on_log(message);
}

void VpcdBridge::set_state(State s) {
  {
    std::lock_guard lock(mutex_);
    if (state_ == s) return;
    state_ = s;
  }
  state_changed_.notify_all();
  if (options_.on_state) options_.on_state(s);
}

VpcdBridge::State VpcdBridge::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

bool VpcdBridge::wait_for_state(State s, milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return state_changed_.wait_for(lock, timeout, [&] { return state_ == s; });
}

VpcdBridge::Counters VpcdBridge::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void VpcdBridge::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  wake_.notify();
}

void VpcdBridge::eject() {
  {
    std::lock_guard lock(mutex_);
    inserted_ = false;
  }
  wake_.notify();
}

void VpcdBridge::insert() {
  {
    std::lock_guard lock(mutex_);
    inserted_ = true;
  }
  wake_.notify();
}

void VpcdBridge::remove_after_apdus(std::size_t n) {
  if (n == 0) {
    eject();
    return;
  }
  std::lock_guard lock(mutex_);
  remove_at_ = counters_.apdus + n;
}

void VpcdBridge::leave_field() {
  socket_.reset();
  card_.power_off();  // out of the field: no power, volatile state lost
}

void VpcdBridge::run() {
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::Idle) throw std::logic_error("VpcdBridge::run: a bridge runs once");
    if (options_.remove_after_apdus) remove_at_ = counters_.apdus + *options_.remove_after_apdus;
  }
  struct Finish {
    VpcdBridge& bridge;
    ~Finish() {
      bridge.socket_.reset();
      bridge.set_state(State::Stopped);
    }
  } finish{*this};

  const std::string where = endpoint_text(options_.vpcd);
  const auto first_deadline = Clock::now() + options_.connect_timeout;
  bool ever_connected = false;
  std::string last_error;

  for (;;) {
    bool stop = false;
    bool inserted = true;
    {
      std::lock_guard lock(mutex_);
      stop = stop_requested_;
      inserted = inserted_;
    }
    if (stop) return;

    if (!inserted) {
      if (socket_) {
        leave_field();
        log("card taken out of the field");
      }
      set_state(State::Ejected);
      wait_wake(wake_, -1);
      wake_.drain();
      continue;
    }

    if (!socket_) {
      set_state(State::Connecting);
      std::string error;
      socket_ = tcp_connect(options_.vpcd, kConnectAttemptTimeout, wake_.get(), error);
      if (!socket_) {
        if (error.empty()) {  // a command arrived
          wake_.drain();
          continue;
        }
        if (error != last_error) {
          log("vpcd at " + where + " not reachable (" + error + "), retrying");
          last_error = error;
        }
        if (!ever_connected && Clock::now() >= first_deadline) {
          throw VpcdError("cannot connect to vpcd at " + where + " within " +
                          std::to_string(options_.connect_timeout.count()) + " ms: " + error +
                          " (is pcscd running with a vpcd reader on that port?)");
        }
        wait_wake(wake_, static_cast<int>(options_.retry_interval.count()));
        continue;
      }
      ever_connected = true;
      last_error.clear();
      {
        std::lock_guard lock(mutex_);
        ++counters_.connections;
      }
      set_state(State::Connected);
      log("connected to vpcd at " + where);
    }

    std::array<pollfd, 2> fds{pollfd{socket_.get(), POLLIN, 0}, pollfd{wake_.get(), POLLIN, 0}};
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;  // EINTR
    if ((fds[1].revents & POLLIN) != 0) {
      wake_.drain();
      continue;
    }
    if (fds[0].revents == 0) continue;
    switch (serve_frame()) {
      case Served::Ok:
        break;
      case Served::Closed:
        socket_.reset();
        card_.power_off();
        log("vpcd closed the connection");
        if (!options_.reconnect) return;
        break;
      case Served::Removed: {
        std::size_t apdus = 0;
        {
          std::lock_guard lock(mutex_);
          inserted_ = false;
          apdus = counters_.apdus;
        }
        log("card removed from the field after " + std::to_string(apdus) + " APDUs (fault injection)");
        break;
      }
    }
  }
}

std::optional<Bytes> VpcdBridge::answer(ByteView payload) {
  if (payload.empty()) return std::nullopt;
  if (payload.size() == 1) {  // control message
    switch (payload[0]) {
      case wire::kPowerOff: {
        card_.power_off();
        std::lock_guard lock(mutex_);
        ++counters_.power_off;
        return std::nullopt;
      }
      case wire::kPowerOn: {
        card_.power_on();
        std::lock_guard lock(mutex_);
        ++counters_.power_on;
        return std::nullopt;
      }
      case wire::kReset: {
        card_.reset();
        std::lock_guard lock(mutex_);
        ++counters_.resets;
        return std::nullopt;
      }
      case wire::kGetAtr: {
        {
          std::lock_guard lock(mutex_);
          ++counters_.atr_requests;
        }
        return card_.atr();
      }
      default:
        log("ignoring unknown vpcd control byte " + to_hex(payload));
        return std::nullopt;
    }
  }
  Bytes response;
  try {
    response = card_.process_apdu(payload);
    if (response.size() < 2 || response.size() > 0xFFFF) {
      log("card answered " + std::to_string(response.size()) + " bytes to " + describe_command(payload) + "; sending 6F 00");
      response = kNoPreciseDiagnosis;
    }
  } catch (const std::exception& e) {
    log(std::string("card failed on ") + describe_command(payload) + ": " + e.what() + "; sending 6F 00");
    response = kNoPreciseDiagnosis;
  }
  return response;
}

VpcdBridge::Served VpcdBridge::serve_frame() {
  const int fd = socket_.get();
  std::array<Byte, 2> header{};
  if (const IoResult r = read_exact(fd, header.data(), header.size(), kFrameTimeout); r != IoResult::Ok) {
    if (r == IoResult::TimedOut) log("vpcd sent an incomplete frame header");
    return Served::Closed;
  }
  const std::size_t size = (std::size_t{header[0]} << 8) | header[1];
  Bytes payload(size);
  if (size > 0) {
    if (const IoResult r = read_exact(fd, payload.data(), size, kFrameTimeout); r != IoResult::Ok) {
      if (r == IoResult::TimedOut) log("vpcd sent an incomplete frame");
      return Served::Closed;
    }
  }
  if (size == 0) return Served::Ok;
  if (size == 1) {  // control message
    const std::optional<Bytes> reply = answer(payload);
    if (!reply) return Served::Ok;
    return write_all(fd, wire::frame(*reply)) == IoResult::Ok ? Served::Ok : Served::Closed;
  }
  const Bytes response = *answer(payload);
  // Book-keeping first: whoever sees the response also sees it counted.
  bool remove = false;
  bool pulled = false;
  {
    std::lock_guard lock(mutex_);
    ++counters_.apdus;
    if (remove_at_ && counters_.apdus >= *remove_at_) {
      remove_at_.reset();
      remove = true;
    }
    pulled = !inserted_;  // eject() while the card was working on the command
  }
  if (options_.on_apdu) options_.on_apdu(payload, response);
  if (pulled) {  // out of the field before it could answer: the reader never gets the response
    leave_field();
    return Served::Removed;
  }
  if (write_all(fd, wire::frame(response)) != IoResult::Ok) return Served::Closed;
  if (remove) {
    leave_field();
    return Served::Removed;
  }
  return Served::Ok;
}

}  // namespace kiosk::sim::vpcd
