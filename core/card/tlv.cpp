#include "core/card/tlv.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>

#include <climits>
#include <string>

#include "core/card/card_error.hpp"

namespace kiosk::core::card {
namespace {

std::uint32_t raw_tag(int tag_class, bool constructed, long number) {
  const auto first = static_cast<std::uint32_t>(tag_class) | (constructed ? 0x20u : 0u);
  if (number < 0x1F) return first | static_cast<std::uint32_t>(number);
  // High tag number: 1F then base-128 digits (the card uses one: FF20, DF21...).
  std::uint32_t out = first | 0x1Fu;
  int shift = 28;
  while (shift > 0 && ((static_cast<unsigned long>(number) >> shift) & 0x7F) == 0) shift -= 7;
  for (; shift > 0; shift -= 7) out = (out << 8) | 0x80u | ((static_cast<std::uint32_t>(number) >> shift) & 0x7Fu);
  return (out << 8) | (static_cast<std::uint32_t>(number) & 0x7Fu);
}

[[noreturn]] void malformed(const std::string& what) {
  throw CardProtocolError(CardFailure::MalformedData, "malformed TLV: " + what);
}

}  // namespace

TlvHeader read_tlv_header(ByteView data) {
  if (data.empty()) malformed("no data");
  const unsigned char* p = data.data();
  long length = 0;
  int tag = 0;
  int tag_class = 0;
  const long available = data.size() > LONG_MAX ? LONG_MAX : static_cast<long>(data.size());
  ERR_set_mark();
  const int flags = ASN1_get_object(&p, &length, &tag, &tag_class, available);
  ERR_pop_to_mark();
  const auto header_length = static_cast<std::size_t>(p - data.data());
  // On a malformed header OpenSSL leaves the pointer where it was; on a value longer than the
  // data it advances past the header and sets 0x80 (fine here: the rest is still to be read).
  if (header_length == 0) malformed("bad header at " + to_hex(data.first(data.size() < 4 ? data.size() : 4)));
  if ((flags & 0x01) != 0) malformed("indefinite length");
  TlvHeader h;
  h.tag = raw_tag(tag_class, (flags & V_ASN1_CONSTRUCTED) != 0, tag);
  h.constructed = (flags & V_ASN1_CONSTRUCTED) != 0;
  h.header_length = header_length;
  h.value_length = static_cast<std::size_t>(length);
  return h;
}

Tlv read_tlv(ByteView data) {
  const TlvHeader h = read_tlv_header(data);
  if (h.value_length > data.size() - h.header_length) {
    malformed("value of tag " + std::to_string(h.tag) + " is " + std::to_string(h.value_length) +
              " bytes, only " + std::to_string(data.size() - h.header_length) + " present");
  }
  return Tlv{h, data.subspan(h.header_length, h.value_length)};
}

std::vector<Tlv> read_tlv_children(ByteView value) {
  auto only_filler = [](ByteView rest) {
    for (Byte b : rest) {
      if (b != rest[0]) return false;
    }
    return rest[0] == 0x00 || rest[0] == 0xFF;
  };
  std::vector<Tlv> out;
  while (!value.empty() && !only_filler(value)) {
    Tlv t = read_tlv(value);
    value = value.subspan(t.header.total_length());
    out.push_back(t);
  }
  return out;
}

}  // namespace kiosk::core::card
