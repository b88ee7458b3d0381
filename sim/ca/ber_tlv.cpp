#include "sim/ca/ber_tlv.hpp"

#include <openssl/asn1.h>

#include <climits>
#include <cstring>
#include <stdexcept>

namespace kiosk::sim::ca {

Bytes ber_tlv(TagClass tag_class, bool constructed, int number, ByteView value) {
  if (value.size() > static_cast<std::size_t>(INT_MAX / 2)) throw std::length_error("TLV too long");
  const int length = static_cast<int>(value.size());
  const int total = ASN1_object_size(constructed ? 1 : 0, length, number);
  if (total < 0) throw std::length_error("TLV too long");
  Bytes out(static_cast<std::size_t>(total));
  unsigned char* p = out.data();
  ASN1_put_object(&p, constructed ? 1 : 0, length, number, static_cast<int>(tag_class));
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  return out;
}

}  // namespace kiosk::sim::ca
