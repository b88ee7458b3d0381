// The PC/SC error mapping (no pcscd needed).
#include <winscard.h>

#include <catch2/catch.hpp>
#include <string>

#include "drivers/pcsc/pcsc_error.hpp"

using kiosk::hal::CardErrorKind;
using kiosk::drivers::pcsc::error_kind;

namespace {

struct Expectation {
  long code;
  CardErrorKind kind;
  bool retryable;
};

}  // namespace

TEST_CASE("every PC/SC error named in the brief maps to the right kind") {
  const Expectation cases[] = {
      {SCARD_E_NO_SERVICE, CardErrorKind::NoService, true},
      {SCARD_E_SERVICE_STOPPED, CardErrorKind::NoService, true},
      {SCARD_F_COMM_ERROR, CardErrorKind::NoService, true},
      {SCARD_E_NO_READERS_AVAILABLE, CardErrorKind::NoReader, true},
      {SCARD_E_UNKNOWN_READER, CardErrorKind::NoReader, true},
      {SCARD_E_READER_UNAVAILABLE, CardErrorKind::ReaderGone, true},
      {SCARD_E_NO_SMARTCARD, CardErrorKind::NoCard, true},
      {SCARD_W_REMOVED_CARD, CardErrorKind::CardRemoved, true},
      {SCARD_E_TIMEOUT, CardErrorKind::Timeout, true},
      {SCARD_E_CANCELLED, CardErrorKind::Cancelled, true},
      {SCARD_E_SHARING_VIOLATION, CardErrorKind::SharingViolation, true},
      {SCARD_W_RESET_CARD, CardErrorKind::SharingViolation, true},
      {SCARD_W_UNRESPONSIVE_CARD, CardErrorKind::CardUnresponsive, true},
      {SCARD_W_UNPOWERED_CARD, CardErrorKind::CardUnresponsive, true},
      {SCARD_E_NOT_TRANSACTED, CardErrorKind::CardUnresponsive, true},
      {SCARD_E_PROTO_MISMATCH, CardErrorKind::Protocol, false},
      {SCARD_E_INVALID_ATR, CardErrorKind::Protocol, false},
      {SCARD_W_UNSUPPORTED_CARD, CardErrorKind::Protocol, false},
      {SCARD_E_INVALID_HANDLE, CardErrorKind::Internal, false},
      {SCARD_E_NO_MEMORY, CardErrorKind::Internal, false},
      {SCARD_E_INVALID_PARAMETER, CardErrorKind::Internal, false},
      {SCARD_E_INSUFFICIENT_BUFFER, CardErrorKind::Internal, false},
      {SCARD_F_INTERNAL_ERROR, CardErrorKind::Internal, false},
  };
  for (const auto& c : cases) {
    INFO(kiosk::drivers::pcsc::code_name(c.code));
    CHECK(error_kind(c.code) == c.kind);
    CHECK(kiosk::hal::is_retryable(error_kind(c.code)) == c.retryable);
  }
}

TEST_CASE("every code pcsc-lite defines has a name and a kind and unknown codes are internal") {
  for (long code = 0x80100001L; code <= 0x80100031L; ++code) {
    const std::string name = kiosk::drivers::pcsc::code_name(code);
    if (code == 0x80100022L) {  // not defined by pcsc-lite
      CHECK(name == "0x80100022");
      continue;
    }
    INFO(std::hex << code);
    CHECK(name.rfind("SCARD_", 0) == 0);
  }
  for (long code = 0x80100065L; code <= 0x8010006FL; ++code) {
    CHECK(kiosk::drivers::pcsc::code_name(code).rfind("SCARD_W_", 0) == 0);
  }
  CHECK(error_kind(0x12345678L) == CardErrorKind::Internal);
  CHECK(kiosk::drivers::pcsc::code_name(0x12345678L) == "0x12345678");
  CHECK(kiosk::drivers::pcsc::code_name(SCARD_S_SUCCESS) == "SCARD_S_SUCCESS");
}

TEST_CASE("a CardError from PC/SC names the call and the reader and the code and pcsc-lite's text") {
  const kiosk::hal::CardError e = kiosk::drivers::pcsc::make_error("SCardConnect", SCARD_E_NO_SMARTCARD, "Kiosk VPCD A 00 00");
  CHECK(e.kind() == CardErrorKind::NoCard);
  CHECK(e.native_code() == SCARD_E_NO_SMARTCARD);
  CHECK(e.retryable());
  const std::string what = e.what();
  CHECK_THAT(what, Catch::StartsWith("SCardConnect(Kiosk VPCD A 00 00) failed: "));
  CHECK_THAT(what, Catch::Contains(pcsc_stringify_error(SCARD_E_NO_SMARTCARD)));
  CHECK_THAT(what, Catch::EndsWith("(SCARD_E_NO_SMARTCARD 0x8010000C)"));
  CHECK(std::string(e.advice()) == "place the card on the reader");
}

TEST_CASE("check() throws only on failure") {
  CHECK_NOTHROW(kiosk::drivers::pcsc::check(SCARD_S_SUCCESS, "SCardTransmit"));
  try {
    kiosk::drivers::pcsc::check(SCARD_W_REMOVED_CARD, "SCardTransmit");
    FAIL("no exception");
  } catch (const kiosk::hal::CardError& e) {
    CHECK(e.kind() == CardErrorKind::CardRemoved);
    CHECK(e.native_code() == SCARD_W_REMOVED_CARD);
  }
}
