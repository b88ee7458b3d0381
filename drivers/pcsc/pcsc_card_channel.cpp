#include "drivers/pcsc/pcsc_card_channel.hpp"

#include <array>

#include "drivers/pcsc/pcsc_error.hpp"

namespace kiosk::drivers::pcsc {

namespace {

constexpr DWORD kProtocols = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
// Extended APDUs: up to 65536 response data bytes plus SW1 SW2 (pcsc-lite's own limit is a
// little larger).
constexpr std::size_t kReceiveBufferSize = MAX_BUFFER_SIZE_EXTENDED;
// pcscd polls a reader without hotplug support every 400 ms; a card that left the field during
// an exchange shows up as absent within that time.
constexpr DWORD kRemovalSettleMs = 1000;

const SCARD_IO_REQUEST* pci_for(DWORD protocol) {
  switch (protocol) {
    case SCARD_PROTOCOL_T0: return SCARD_PCI_T0;
    case SCARD_PROTOCOL_T1: return SCARD_PCI_T1;
    default: return SCARD_PCI_RAW;
  }
}

}  // namespace

PcscCardChannel::PcscCardChannel(std::string reader)
    : context_(std::make_unique<PcscContext>()), reader_(std::move(reader)) {
  check(SCardConnect(context_->handle(), reader_.c_str(), SCARD_SHARE_SHARED, kProtocols, &card_, &protocol_),
        "SCardConnect", reader_);
  try {
    refresh_atr();
  } catch (...) {
    (void)SCardDisconnect(card_, SCARD_LEAVE_CARD);
    throw;
  }
}

PcscCardChannel::~PcscCardChannel() {
  if (card_ != 0) (void)SCardDisconnect(card_, SCARD_RESET_CARD);
}

void PcscCardChannel::refresh_atr() {
  std::array<BYTE, MAX_ATR_SIZE> atr{};
  DWORD atr_len = atr.size();
  DWORD state = 0;
  DWORD protocol = 0;
  DWORD name_len = 0;
  // pcsc-lite: a null name buffer just reports the name length.
  const LONG rv = SCardStatus(card_, nullptr, &name_len, &state, &protocol, atr.data(), &atr_len);
  if (rv != SCARD_S_SUCCESS) fail("SCardStatus", rv);
  atr_.assign(atr.begin(), atr.begin() + static_cast<std::ptrdiff_t>(atr_len));
  if (protocol != 0) protocol_ = protocol;
}

bool PcscCardChannel::card_gone() {
  SCARD_READERSTATE state{};
  state.szReader = reader_.c_str();
  state.dwCurrentState = SCARD_STATE_UNAWARE;
  LONG rv = SCardGetStatusChange(context_->handle(), 0, &state, 1);
  if (rv != SCARD_S_SUCCESS) return rv == SCARD_E_UNKNOWN_READER;
  if ((state.dwEventState & (SCARD_STATE_EMPTY | SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE)) != 0) return true;
  // Still reported present: give pcscd one polling period to notice a card that is gone.
  state.dwCurrentState = state.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
  rv = SCardGetStatusChange(context_->handle(), kRemovalSettleMs, &state, 1);
  if (rv == SCARD_E_UNKNOWN_READER) return true;
  if (rv != SCARD_S_SUCCESS) return false;
  return (state.dwEventState & (SCARD_STATE_EMPTY | SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE)) != 0;
}

void PcscCardChannel::fail(const char* call, LONG rv) {
  if (rv == SCARD_W_RESET_CARD) {
    // Acknowledge the reset so that the handle works again, then report it.
    DWORD protocol = 0;
    const LONG again = SCardReconnect(card_, SCARD_SHARE_SHARED, kProtocols, SCARD_LEAVE_CARD, &protocol);
    if (again != SCARD_S_SUCCESS) fail("SCardReconnect", again);
    protocol_ = protocol;
    refresh_atr();
    throw make_error(call, rv, reader_ + ": reset by another application; reconnected, card state lost");
  }
  hal::CardError error = make_error(call, rv, reader_);
  switch (error.kind()) {
    case hal::CardErrorKind::NoCard:  // we were connected: the card went away
      throw hal::CardError(hal::CardErrorKind::CardRemoved, error.what(), rv);
    case hal::CardErrorKind::CardUnresponsive:
      if (card_gone()) {
        throw hal::CardError(hal::CardErrorKind::CardRemoved,
                             std::string(error.what()) + "; the card is no longer in the reader", rv);
      }
      throw error;
    default:
      throw error;
  }
}

Bytes PcscCardChannel::transmit(ByteView command_apdu) {
  if (command_apdu.size() < 4) {
    throw hal::CardError(hal::CardErrorKind::Internal,
                         "SCardTransmit(" + reader_ + "): a command APDU has at least 4 bytes, got " +
                             std::to_string(command_apdu.size()));
  }
  Bytes response(kReceiveBufferSize);
  DWORD response_len = static_cast<DWORD>(response.size());
  const LONG rv = SCardTransmit(card_, pci_for(protocol_), command_apdu.data(), static_cast<DWORD>(command_apdu.size()),
                                nullptr, response.data(), &response_len);
  if (rv != SCARD_S_SUCCESS) fail("SCardTransmit", rv);
  response.resize(response_len);
  if (response.size() < 2) {
    // vpcd (and some readers) report an exchange with a card that vanished as success with no data.
    const std::string what = "SCardTransmit(" + reader_ + "): response of " + std::to_string(response.size()) +
                             " bytes, no status word";
    if (card_gone()) throw hal::CardError(hal::CardErrorKind::CardRemoved, what + " (card removed)");
    throw hal::CardError(hal::CardErrorKind::CardUnresponsive, what);
  }
  return response;
}

void PcscCardChannel::reset() {
  DWORD protocol = 0;
  const LONG rv = SCardReconnect(card_, SCARD_SHARE_SHARED, kProtocols, SCARD_RESET_CARD, &protocol);
  if (rv != SCARD_S_SUCCESS) fail("SCardReconnect", rv);
  protocol_ = protocol;
  refresh_atr();
}

PcscCardChannel::Transaction PcscCardChannel::begin_transaction() {
  const LONG rv = SCardBeginTransaction(card_);
  if (rv != SCARD_S_SUCCESS) fail("SCardBeginTransaction", rv);
  return Transaction(card_);
}

std::unique_ptr<hal::CardHold> PcscCardChannel::hold() { return std::make_unique<Transaction>(begin_transaction()); }

PcscCardChannel::Transaction::Transaction(Transaction&& other) noexcept : hal::CardHold(), card_(other.card_) {
  other.card_ = 0;
}

PcscCardChannel::Transaction::~Transaction() {
  if (card_ != 0) (void)SCardEndTransaction(card_, reset_on_end() ? SCARD_RESET_CARD : SCARD_LEAVE_CARD);
}

}  // namespace kiosk::drivers::pcsc
