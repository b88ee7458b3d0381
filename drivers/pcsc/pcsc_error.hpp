// PC/SC return codes -> hal::CardError.
//
// Every PC/SC call of the driver goes through check(): a failure becomes a hal::CardError whose
// kind says whether trying again can help, whose native_code() is the PC/SC LONG, and whose
// message names the call, the code's symbolic name and pcsc_stringify_error().
#pragma once

#include <string>
#include <string_view>

#include "hal/card_reader.hpp"

namespace kiosk::drivers::pcsc {

// The kind of a PC/SC error code (SCARD_E_*, SCARD_W_*, SCARD_F_*, SCARD_P_*). Unknown codes
// and SCARD_S_SUCCESS give Internal.
hal::CardErrorKind error_kind(long code) noexcept;

// "SCARD_E_NO_SMARTCARD" for 0x8010000C; "0x8010xxxx" for a code pcsc-lite does not define.
std::string code_name(long code);

// The error for `call` (e.g. "SCardConnect") failing with `code`:
// "SCardConnect(\"Virtual PCD 00 00\") failed: Card is not inserted. (SCARD_E_NO_SMARTCARD 0x8010000C)".
hal::CardError make_error(std::string_view call, long code, std::string_view detail = {});

// Throws make_error(call, code, detail) unless code is SCARD_S_SUCCESS.
void check(long code, std::string_view call, std::string_view detail = {});

}  // namespace kiosk::drivers::pcsc
