// Building BER-TLV objects of card files (FF20 records, the 7F21 certificate, 90/91 keys) with
// OpenSSL's ASN.1 header writer: the simulator's side of core/card/tlv.
#pragma once

#include "hal/bytes.hpp"

namespace kiosk::sim::ca {

enum class TagClass { Universal = 0x00, Application = 0x40, Context = 0x80, Private = 0xC0 };

// One object: tag (class, constructed, number; high numbers in the multi-byte form), DER length,
// the value. Throws std::length_error for values above 2 GB.
Bytes ber_tlv(TagClass tag_class, bool constructed, int number, ByteView value);

inline void append(Bytes& out, ByteView b) { out.insert(out.end(), b.begin(), b.end()); }

}  // namespace kiosk::sim::ca
