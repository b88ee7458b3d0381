#include "drivers/pcsc/pcsc_error.hpp"

#include <winscard.h>

#include <array>
#include <cstdio>

namespace kiosk::drivers::pcsc {

namespace {

using hal::CardErrorKind;

struct CodeInfo {
  LONG code;
  const char* name;
  CardErrorKind kind;
};

// One table: the symbolic name and the kind of every code pcsc-lite 1.9 defines.
// SCARD_E_UNEXPECTED and SCARD_E_UNSUPPORTED_FEATURE share 0x8010001F in pcsc-lite.
constexpr std::array kCodes{
    // The service itself.
    CodeInfo{SCARD_E_NO_SERVICE, "SCARD_E_NO_SERVICE", CardErrorKind::NoService},
    CodeInfo{SCARD_E_SERVICE_STOPPED, "SCARD_E_SERVICE_STOPPED", CardErrorKind::NoService},
    CodeInfo{SCARD_F_COMM_ERROR, "SCARD_F_COMM_ERROR", CardErrorKind::NoService},
    CodeInfo{SCARD_P_SHUTDOWN, "SCARD_P_SHUTDOWN", CardErrorKind::NoService},
    CodeInfo{SCARD_E_SERVER_TOO_BUSY, "SCARD_E_SERVER_TOO_BUSY", CardErrorKind::NoService},
    // Readers.
    CodeInfo{SCARD_E_NO_READERS_AVAILABLE, "SCARD_E_NO_READERS_AVAILABLE", CardErrorKind::NoReader},
    CodeInfo{SCARD_E_UNKNOWN_READER, "SCARD_E_UNKNOWN_READER", CardErrorKind::NoReader},
    CodeInfo{SCARD_E_DUPLICATE_READER, "SCARD_E_DUPLICATE_READER", CardErrorKind::NoReader},
    CodeInfo{SCARD_E_READER_UNAVAILABLE, "SCARD_E_READER_UNAVAILABLE", CardErrorKind::ReaderGone},
    // The card's presence.
    CodeInfo{SCARD_E_NO_SMARTCARD, "SCARD_E_NO_SMARTCARD", CardErrorKind::NoCard},
    CodeInfo{SCARD_W_REMOVED_CARD, "SCARD_W_REMOVED_CARD", CardErrorKind::CardRemoved},
    // The card does not answer (mute, unpowered, coupling lost during an exchange).
    CodeInfo{SCARD_W_UNRESPONSIVE_CARD, "SCARD_W_UNRESPONSIVE_CARD", CardErrorKind::CardUnresponsive},
    CodeInfo{SCARD_W_UNPOWERED_CARD, "SCARD_W_UNPOWERED_CARD", CardErrorKind::CardUnresponsive},
    CodeInfo{SCARD_E_NOT_READY, "SCARD_E_NOT_READY", CardErrorKind::CardUnresponsive},
    CodeInfo{SCARD_E_COMM_DATA_LOST, "SCARD_E_COMM_DATA_LOST", CardErrorKind::CardUnresponsive},
    // pcsc-lite returns NOT_TRANSACTED when the reader driver fails an exchange (IFD_COMMUNICATION_ERROR),
    // which on a contactless reader mostly means the card left the field or coupled badly.
    CodeInfo{SCARD_E_NOT_TRANSACTED, "SCARD_E_NOT_TRANSACTED", CardErrorKind::CardUnresponsive},
    // Time and cancellation.
    CodeInfo{SCARD_E_TIMEOUT, "SCARD_E_TIMEOUT", CardErrorKind::Timeout},
    CodeInfo{SCARD_F_WAITED_TOO_LONG, "SCARD_F_WAITED_TOO_LONG", CardErrorKind::Timeout},
    CodeInfo{SCARD_E_CANCELLED, "SCARD_E_CANCELLED", CardErrorKind::Cancelled},
    CodeInfo{SCARD_E_SYSTEM_CANCELLED, "SCARD_E_SYSTEM_CANCELLED", CardErrorKind::Cancelled},
    CodeInfo{SCARD_W_CANCELLED_BY_USER, "SCARD_W_CANCELLED_BY_USER", CardErrorKind::Cancelled},
    // Another application.
    CodeInfo{SCARD_E_SHARING_VIOLATION, "SCARD_E_SHARING_VIOLATION", CardErrorKind::SharingViolation},
    // Another application reset the card: our volatile card state (selected application,
    // verified PIN) is gone. The channel reconnects and reports it; the sequence must restart.
    CodeInfo{SCARD_W_RESET_CARD, "SCARD_W_RESET_CARD", CardErrorKind::SharingViolation},
    // The card or reader speaks something else.
    CodeInfo{SCARD_E_PROTO_MISMATCH, "SCARD_E_PROTO_MISMATCH", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_INVALID_ATR, "SCARD_E_INVALID_ATR", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_UNKNOWN_CARD, "SCARD_E_UNKNOWN_CARD", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_CARD_UNSUPPORTED, "SCARD_E_CARD_UNSUPPORTED", CardErrorKind::Protocol},
    CodeInfo{SCARD_W_UNSUPPORTED_CARD, "SCARD_W_UNSUPPORTED_CARD", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_READER_UNSUPPORTED, "SCARD_E_READER_UNSUPPORTED", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_UNEXPECTED, "SCARD_E_UNEXPECTED", CardErrorKind::Protocol},
    CodeInfo{SCARD_W_SECURITY_VIOLATION, "SCARD_W_SECURITY_VIOLATION", CardErrorKind::Protocol},
    CodeInfo{SCARD_W_WRONG_CHV, "SCARD_W_WRONG_CHV", CardErrorKind::Protocol},
    CodeInfo{SCARD_W_CHV_BLOCKED, "SCARD_W_CHV_BLOCKED", CardErrorKind::Protocol},
    CodeInfo{SCARD_W_EOF, "SCARD_W_EOF", CardErrorKind::Protocol},
    CodeInfo{SCARD_W_CARD_NOT_AUTHENTICATED, "SCARD_W_CARD_NOT_AUTHENTICATED", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_ICC_INSTALLATION, "SCARD_E_ICC_INSTALLATION", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_ICC_CREATEORDER, "SCARD_E_ICC_CREATEORDER", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_DIR_NOT_FOUND, "SCARD_E_DIR_NOT_FOUND", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_FILE_NOT_FOUND, "SCARD_E_FILE_NOT_FOUND", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_NO_DIR, "SCARD_E_NO_DIR", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_NO_FILE, "SCARD_E_NO_FILE", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_NO_ACCESS, "SCARD_E_NO_ACCESS", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_WRITE_TOO_MANY, "SCARD_E_WRITE_TOO_MANY", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_BAD_SEEK, "SCARD_E_BAD_SEEK", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_INVALID_CHV, "SCARD_E_INVALID_CHV", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_NO_SUCH_CERTIFICATE, "SCARD_E_NO_SUCH_CERTIFICATE", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_CERTIFICATE_UNAVAILABLE, "SCARD_E_CERTIFICATE_UNAVAILABLE", CardErrorKind::Protocol},
    CodeInfo{SCARD_E_NO_KEY_CONTAINER, "SCARD_E_NO_KEY_CONTAINER", CardErrorKind::Protocol},
    // Bugs and resources in our process or the stack.
    CodeInfo{SCARD_E_INVALID_HANDLE, "SCARD_E_INVALID_HANDLE", CardErrorKind::Internal},
    CodeInfo{SCARD_E_NO_MEMORY, "SCARD_E_NO_MEMORY", CardErrorKind::Internal},
    CodeInfo{SCARD_F_INTERNAL_ERROR, "SCARD_F_INTERNAL_ERROR", CardErrorKind::Internal},
    CodeInfo{SCARD_F_UNKNOWN_ERROR, "SCARD_F_UNKNOWN_ERROR", CardErrorKind::Internal},
    CodeInfo{SCARD_E_INVALID_PARAMETER, "SCARD_E_INVALID_PARAMETER", CardErrorKind::Internal},
    CodeInfo{SCARD_E_INVALID_TARGET, "SCARD_E_INVALID_TARGET", CardErrorKind::Internal},
    CodeInfo{SCARD_E_INVALID_VALUE, "SCARD_E_INVALID_VALUE", CardErrorKind::Internal},
    CodeInfo{SCARD_E_INSUFFICIENT_BUFFER, "SCARD_E_INSUFFICIENT_BUFFER", CardErrorKind::Internal},
    CodeInfo{SCARD_E_PCI_TOO_SMALL, "SCARD_E_PCI_TOO_SMALL", CardErrorKind::Internal},
    CodeInfo{SCARD_E_CANT_DISPOSE, "SCARD_E_CANT_DISPOSE", CardErrorKind::Internal},
    CodeInfo{SCARD_E_UNKNOWN_RES_MNG, "SCARD_E_UNKNOWN_RES_MNG", CardErrorKind::Internal},
};

const CodeInfo* find(long code) noexcept {
  for (const auto& info : kCodes) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

std::string hex_code(long code) {
  std::array<char, 24> buf{};
  std::snprintf(buf.data(), buf.size(), "0x%08lX", static_cast<unsigned long>(code) & 0xFFFFFFFFUL);
  return buf.data();
}

}  // namespace

hal::CardErrorKind error_kind(long code) noexcept {
  const CodeInfo* info = find(code);
  return info != nullptr ? info->kind : CardErrorKind::Internal;
}

std::string code_name(long code) {
  if (code == SCARD_S_SUCCESS) return "SCARD_S_SUCCESS";
  const CodeInfo* info = find(code);
  return info != nullptr ? std::string(info->name) : hex_code(code);
}

hal::CardError make_error(std::string_view call, long code, std::string_view detail) {
  std::string what(call);
  if (!detail.empty()) {
    what += "(";
    what += detail;
    what += ")";
  }
  what += " failed: ";
  what += pcsc_stringify_error(static_cast<LONG>(code));
  what += " (";
  what += code_name(code);
  if (find(code) != nullptr) {
    what += " ";
    what += hex_code(code);
  }
  what += ")";
  return hal::CardError(error_kind(code), what, code);
}

void check(long code, std::string_view call, std::string_view detail) {
  if (code != SCARD_S_SUCCESS) throw make_error(call, code, detail);
}

}  // namespace kiosk::drivers::pcsc
