// ISO/IEC 7816-4 command and response APDUs, short and extended length.
#pragma once

#include <cstdint>
#include <string>

#include "hal/bytes.hpp"

namespace kiosk::core::card {

namespace sw {
inline constexpr std::uint16_t kOk = 0x9000;
inline constexpr std::uint16_t kEndOfFileWarning = 0x6282;
inline constexpr std::uint16_t kWrongLength = 0x6700;
inline constexpr std::uint16_t kCommandIncompatible = 0x6981;
inline constexpr std::uint16_t kSecurityStatusNotSatisfied = 0x6982;
inline constexpr std::uint16_t kAuthMethodBlocked = 0x6983;
inline constexpr std::uint16_t kReferenceDataNotUsable = 0x6984;
inline constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
inline constexpr std::uint16_t kNoCurrentEf = 0x6986;
inline constexpr std::uint16_t kFunctionNotSupported = 0x6A81;
inline constexpr std::uint16_t kFileNotFound = 0x6A82;
inline constexpr std::uint16_t kIncorrectP1P2 = 0x6A86;
inline constexpr std::uint16_t kWrongP1P2 = 0x6B00;
inline constexpr std::uint16_t kInsNotSupported = 0x6D00;
inline constexpr std::uint16_t kClaNotSupported = 0x6E00;
}  // namespace sw

// A short English description of a status word ("63 C2: verification failed, 2 tries left").
std::string describe_status_word(std::uint16_t status_word);

struct CommandApdu {
  static constexpr std::size_t kMaxShortNe = 256;
  static constexpr std::size_t kMaxExtendedNe = 65536;

  Byte cla = 0x00;
  Byte ins = 0x00;
  Byte p1 = 0x00;
  Byte p2 = 0x00;
  Bytes data;
  // Ne: the number of response bytes expected. 0 = no Le field; 256 (short) or 65536
  // (extended) = "as many as there are".
  std::size_t ne = 0;
  // The data is a PIN or another secret: it is wiped on destruction and redacted in traces.
  bool sensitive = false;

  CommandApdu() = default;
  CommandApdu(Byte cla_, Byte ins_, Byte p1_, Byte p2_, Bytes data_ = {}, std::size_t ne_ = 0);
  ~CommandApdu();
  CommandApdu(const CommandApdu& other);
  CommandApdu& operator=(const CommandApdu& other);
  CommandApdu(CommandApdu&&) noexcept;
  CommandApdu& operator=(CommandApdu&&) noexcept;

  bool is_extended() const noexcept { return data.size() > 255 || ne > kMaxShortNe; }
  // The bytes on the wire. Throws std::length_error when data or Ne exceed what an APDU carries.
  Bytes encode() const;
  // "00 20 00 98 04 ** ** ** **" for sensitive commands.
  std::string to_trace_string() const;

 private:
  void wipe() noexcept;  // overwrite sensitive data before it is released
};

struct ResponseApdu {
  Bytes data;
  std::uint16_t status_word = 0;

  // Throws CardProtocolError(Unreadable) when fewer than the two status bytes came back.
  static ResponseApdu parse(ByteView raw);

  Byte sw1() const noexcept { return static_cast<Byte>(status_word >> 8); }
  Byte sw2() const noexcept { return static_cast<Byte>(status_word & 0xFF); }
  bool ok() const noexcept { return status_word == sw::kOk; }
};

}  // namespace kiosk::core::card
