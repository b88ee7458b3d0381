// Reading transparent EFs with as few APDUs as the card and reader allow:
// READ BINARY with a short EF identifier (no SELECT) and an extended Le (the whole file in one
// response); falling back to SELECT + READ BINARY and to 256-byte chunks when the card or the
// reader refuses. What works is remembered in the CardSession.
#pragma once

#include <cstdint>

#include "core/card/card_session.hpp"

namespace kiosk::core::card {

// An EF holding one BER-TLV object (a certificate, the card-face record). Returns exactly the
// object, without filler. Throws CardProtocolError: FileNotFound, SecurityStatusNotSatisfied,
// MalformedData (the file is shorter than its header says, or answers inconsistently),
// Unreadable (unexpected status words).
Bytes read_tlv_file(CardSession& session, std::uint16_t file_id);

// The first `length` (1..256) bytes of an EF, or fewer if the file is shorter.
Bytes read_file_prefix(CardSession& session, std::uint16_t file_id, std::size_t length);

}  // namespace kiosk::core::card
