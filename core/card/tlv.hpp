// BER-TLV objects of card files (certificates, the card-face record), read with OpenSSL's
// ASN.1 header parser. Tags are returned as their raw bytes: 0x30, 0xFF20, 0xDF27.
#pragma once

#include <cstdint>
#include <vector>

#include "hal/bytes.hpp"

namespace kiosk::core::card {

struct TlvHeader {
  std::uint32_t tag = 0;
  bool constructed = false;
  std::size_t header_length = 0;
  std::size_t value_length = 0;
  std::size_t total_length() const noexcept { return header_length + value_length; }
};

struct Tlv {
  TlvHeader header;
  ByteView value;
};

// The header of the object at the start of `data`; the value may extend past `data` (used to
// learn a file's length from its first bytes). Throws CardProtocolError(MalformedData) on a
// malformed or indefinite-length header.
TlvHeader read_tlv_header(ByteView data);

// One complete object at the start of `data`. Throws when the value runs past the end.
Tlv read_tlv(ByteView data);

// The objects inside a constructed value, in order. Stops at trailing filler (a run of
// only 00 or only FF bytes).
std::vector<Tlv> read_tlv_children(ByteView value);

}  // namespace kiosk::core::card
