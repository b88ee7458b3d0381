// hal::CardReaderService on pcsc-lite.
//
// Readers and cards are watched with SCardGetStatusChange over every reader plus the
// "\\?PnP?\Notification" pseudo-reader (reader attach/detach). The service survives pcscd
// going away and coming back: its readers are then reported detached, and attached again once
// the service is back (with CardInserted for cards already in them).
//
// Thread safety: one thread uses the service; cancel() may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "drivers/pcsc/pcsc_context.hpp"
#include "drivers/pcsc/reader_snapshot.hpp"
#include "hal/card_reader.hpp"

namespace kiosk::drivers::pcsc {

class PcscReaderService final : public hal::CardReaderService {
 public:
  struct Options {
    // Longest single SCardGetStatusChange; bounds how late a cancel() that raced with the
    // start of a wait can be seen.
    std::chrono::milliseconds wait_slice{500};
    // How often to try reaching pcscd again while it is not running.
    std::chrono::milliseconds service_retry{200};
  };

  // Does not need pcscd yet: the context is established on first use.
  PcscReaderService();
  explicit PcscReaderService(Options options);
  ~PcscReaderService() override;

  // Throws CardError NoService when pcscd is not running.
  std::vector<std::string> list_readers() override;
  // Makes the result the event baseline. Throws CardError NoService when pcscd is not running.
  std::vector<hal::ReaderStatus> status() override;
  // Blocks until something differs from the baseline, up to `timeout`; an empty list on timeout
  // or cancel(). If pcscd is gone, reports the baseline's readers as detached (CardRemoved first
  // for those holding a card); with nothing left to report it keeps trying to reach pcscd until
  // the timeout and then throws CardError NoService.
  std::vector<hal::ReaderEvent> wait_for_events(std::chrono::milliseconds timeout) override;
  // A PcscCardChannel (its own PC/SC context). Throws CardError.
  std::unique_ptr<hal::CardChannel> connect(const std::string& reader) override;
  // Makes a wait_for_events() in another thread return an empty list now. A cancel() that
  // comes while no wait is running makes the next wait return at once.
  void cancel() override;

 private:
  std::shared_ptr<PcscContext> context();      // establishes it if needed; throws NoService
  std::shared_ptr<PcscContext> try_context();  // nullptr while pcscd is not reachable
  void drop_context(const std::shared_ptr<PcscContext>& lost);
  std::vector<ReaderSnapshot> snapshot(const PcscContext& context);
  template <typename F>
  auto with_context(F&& f);
  bool sleep_unless_cancelled(std::chrono::milliseconds duration);

  Options options_;
  std::vector<ReaderSnapshot> baseline_;
  std::uint64_t pnp_state_ = 0;

  std::mutex mutex_;  // guards context_ and cancel_requested_ with cancelled_
  std::condition_variable cancelled_;
  std::shared_ptr<PcscContext> context_;
  bool cancel_requested_ = false;
};

}  // namespace kiosk::drivers::pcsc
