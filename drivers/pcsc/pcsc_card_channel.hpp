// hal::CardChannel on a PC/SC card handle (pcsc-lite).
#pragma once

#include <winscard.h>

#include <memory>
#include <string>

#include "drivers/pcsc/pcsc_context.hpp"
#include "hal/card_reader.hpp"

namespace kiosk::drivers::pcsc {

class PcscCardChannel final : public hal::CardChannel {
 public:
  // SCardConnect(reader, SCARD_SHARE_SHARED, T=0|T=1) on a context of its own, so that the
  // channel can be used in one thread while a PcscReaderService waits for events in another.
  // Throws hal::CardError: NoCard, NoReader, SharingViolation, CardUnresponsive, NoService, ...
  explicit PcscCardChannel(std::string reader);
  // SCardDisconnect(SCARD_RESET_CARD): the card forgets a verified PIN and its selections, so
  // no other application finds it open after the session. Then the context is released.
  ~PcscCardChannel() override;

  // SCardTransmit with the PCI of the active protocol; takes extended APDUs (up to 65536 data
  // bytes each way). Errors:
  // - the card left the reader (also when detected only by a failed or empty exchange): CardRemoved;
  // - the reader was unplugged: ReaderGone;
  // - another application reset the card (SCARD_W_RESET_CARD): the channel reconnects, refreshes
  //   the ATR and throws SharingViolation; the caller must restart its APDU sequence.
  Bytes transmit(ByteView command_apdu) override;
  Bytes atr() const override { return atr_; }
  // SCardReconnect(SCARD_RESET_CARD); the channel stays usable and atr() is refreshed.
  void reset() override;
  const std::string& reader_name() const override { return reader_; }

  // SCARD_PROTOCOL_T0 or SCARD_PROTOCOL_T1.
  DWORD active_protocol() const noexcept { return protocol_; }

  // Exclusive access to the card for a multi-APDU sequence (SCardBeginTransaction), ended by
  // the destructor (SCardEndTransaction with SCARD_RESET_CARD, or SCARD_LEAVE_CARD after
  // release_untouched()). While it lasts, pcscd refuses other
  // applications' commands and resets with SCARD_E_SHARING_VIOLATION.
  class Transaction final : public hal::CardHold {
   public:
    ~Transaction() override;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;

   private:
    friend class PcscCardChannel;
    explicit Transaction(SCARDHANDLE card) : card_(card) {}
    SCARDHANDLE card_;
  };
  Transaction begin_transaction();
  // A Transaction.
  std::unique_ptr<hal::CardHold> hold() override;

 private:
  void refresh_atr();
  // Turns a failed call into the error to throw, after finding out whether the card is gone.
  [[noreturn]] void fail(const char* call, LONG rv);
  // True when the reader reports no card (waits a little for pcscd to notice a card that
  // left the field during an exchange).
  bool card_gone();

  std::unique_ptr<PcscContext> context_;
  std::string reader_;
  SCARDHANDLE card_ = 0;
  DWORD protocol_ = 0;
  Bytes atr_;
};

}  // namespace kiosk::drivers::pcsc
