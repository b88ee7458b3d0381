// The vICC side of vsmartcard's vpcd: puts a VirtualCard into a pcscd reader.
//
// vpcd (the pcscd driver libifdvpcd) listens on a TCP port per reader slot; the bridge connects
// and answers. Frames in both directions: a 2-byte big-endian length, then the payload.
// 1-byte payloads are control messages (00 power off, 01 power on, 02 reset: no reply; 04 get
// ATR: the ATR as reply); longer payloads are command APDUs answered by the response APDU.
// A connected bridge is a card in the reader; closing the connection takes it out.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "hal/bytes.hpp"
#include "sim/card/virtual_card.hpp"
#include "sim/vpcd/socket.hpp"

namespace kiosk::sim::vpcd {

namespace wire {
inline constexpr Byte kPowerOff = 0x00;
inline constexpr Byte kPowerOn = 0x01;
inline constexpr Byte kReset = 0x02;
inline constexpr Byte kGetAtr = 0x04;
// VPCDPORT: slot 0 of the reader in /etc/reader.conf.d/vpcd (slot n listens on port + n).
inline constexpr std::uint16_t kDefaultPort = 35963;

// The length-prefixed frame of `payload`. Throws std::length_error above 65535 bytes.
Bytes frame(ByteView payload);
}  // namespace wire

// Cannot reach vpcd in the time allowed.
class VpcdError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class BridgeState { Idle, Connecting, Connected, Ejected, Stopped };
const char* to_string(BridgeState state);

struct VpcdBridgeOptions {
  Endpoint vpcd{"127.0.0.1", wire::kDefaultPort};
  // run() throws VpcdError if the first connection does not succeed within this time (vpcd
  // listens only once pcscd has loaded the driver).
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds retry_interval{100};
  // After vpcd closed the connection (pcscd stopped or restarted, or vpcd gave up on the card):
  // connect again (true) or return from run() (false).
  bool reconnect = true;
  // Fault injection: after answering this many APDUs the card leaves the field (the connection
  // is closed) and stays out until insert(). Counted from the start of run().
  std::optional<std::size_t> remove_after_apdus;
  // Called on the run() thread.
  std::function<void(const std::string& message)> on_log;
  std::function<void(ByteView command, ByteView response)> on_apdu;
  std::function<void(BridgeState state)> on_state;
};

class VpcdBridge {
 public:
  using State = BridgeState;

  struct Counters {
    std::size_t apdus = 0;
    std::size_t power_on = 0;
    std::size_t power_off = 0;
    std::size_t resets = 0;
    std::size_t atr_requests = 0;
    std::size_t connections = 0;
  };

  VpcdBridge(sim::card::VirtualCard& card, VpcdBridgeOptions options);
  ~VpcdBridge() = default;
  VpcdBridge(const VpcdBridge&) = delete;
  VpcdBridge& operator=(const VpcdBridge&) = delete;

  // Serves the card until stop(), or until vpcd closes the connection when reconnect is off.
  // Throws VpcdError when vpcd cannot be reached within connect_timeout. The card is touched
  // only from this thread. A bridge runs once.
  void run();

  // The following may be called from any thread.
  void stop();
  // The card leaves the field: the connection is closed and the card powered off. It stays out
  // until insert(). Called while the card works on a command (from its process_apdu), the
  // response is never sent: the card was pulled out in the middle of the command.
  void eject();
  // The card comes back: the bridge connects again.
  void insert();
  // Arms the fault injection: the card leaves the field after `n` more APDUs.
  void remove_after_apdus(std::size_t n);

  // What the bridge does with the payload of one frame from vpcd (the wire's only parser of
  // untrusted bytes, fuzzed by tests/fuzz/fuzz_vpcd_frames): a control byte acts on the card
  // (power off / on, reset: no reply; get ATR: the ATR), an APDU goes to the card and its
  // response comes back (6F 00 when the card fails or answers nonsense; never an empty reply).
  // Called on the run() thread (or alone, without run()).
  std::optional<Bytes> answer(ByteView payload);

  State state() const;
  // Waits until state() == s; false on timeout.
  bool wait_for_state(State s, std::chrono::milliseconds timeout) const;
  Counters counters() const;

 private:
  enum class Served { Ok, Closed, Removed };
  Served serve_frame();
  void set_state(State s);
  void log(const std::string& message) const;
  void leave_field();

  sim::card::VirtualCard& card_;
  VpcdBridgeOptions options_;
  WakeFd wake_;
  UniqueFd socket_;  // run() thread only

  mutable std::mutex mutex_;
  mutable std::condition_variable state_changed_;
  State state_ = State::Idle;
  bool stop_requested_ = false;
  bool inserted_ = true;
  std::optional<std::size_t> remove_at_;  // absolute APDU count at which the card leaves
  Counters counters_;
};

}  // namespace kiosk::sim::vpcd
