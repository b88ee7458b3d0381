// RAII for a PC/SC resource-manager context (SCardEstablishContext / SCardReleaseContext).
#pragma once

#include <winscard.h>

#include <string>
#include <vector>

namespace kiosk::drivers::pcsc {

// The pseudo-reader whose state changes when a reader is attached or detached.
inline constexpr const char* kPnpNotification = "\\\\?PnP?\\Notification";

class PcscContext {
 public:
  // SCardEstablishContext(SCARD_SCOPE_SYSTEM). Throws hal::CardError (NoService when pcscd is
  // not running).
  PcscContext();
  ~PcscContext();
  PcscContext(const PcscContext&) = delete;
  PcscContext& operator=(const PcscContext&) = delete;
  PcscContext(PcscContext&&) = delete;
  PcscContext& operator=(PcscContext&&) = delete;

  SCARDCONTEXT handle() const noexcept { return handle_; }

  // SCardIsValidContext: false once pcscd went away (the context must then be replaced).
  bool valid() const noexcept;

  // SCardListReaders; an empty list when there is no reader (SCARD_E_NO_READERS_AVAILABLE).
  std::vector<std::string> list_readers() const;

  // SCardCancel: makes an SCardGetStatusChange blocked on this context return SCARD_E_CANCELLED.
  // The one call pcsc-lite allows from another thread. Returns the PC/SC code.
  long cancel() const noexcept;

 private:
  SCARDCONTEXT handle_ = 0;
};

}  // namespace kiosk::drivers::pcsc
