// libFuzzer target: BER-TLV of card files (certificates, the card-face record), as the card
// layer reads it: the header alone (a file's length from its first bytes), one object, its
// children, and the DER size probe of a certificate.
#include <cstddef>
#include <cstdint>

#include "core/card/card_error.hpp"
#include "core/card/tlv.hpp"
#include "core/crypto/certificate.hpp"

using namespace kiosk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  try {
    const core::card::TlvHeader h = core::card::read_tlv_header(input);
    if (h.total_length() < h.header_length) __builtin_trap();  // the length cannot wrap
  } catch (const core::card::CardProtocolError&) {
  }
  try {
    const core::card::Tlv t = core::card::read_tlv(input);
    // The value lies inside the input.
    if (t.value.data() < input.data() || t.value.data() + t.value.size() > input.data() + input.size()) __builtin_trap();
    for (const core::card::Tlv& child : core::card::read_tlv_children(t.value)) {
      if (child.value.data() < t.value.data() || child.value.data() + child.value.size() > t.value.data() + t.value.size()) {
        __builtin_trap();
      }
    }
  } catch (const core::card::CardProtocolError&) {
  }
  try {
    // A size within reach of the input's length field: nothing past 4 length bytes.
    if (const auto n = core::crypto::der_object_size(input); n && *n < 2) __builtin_trap();
  } catch (const core::crypto::CertificateError&) {  // not DER: the documented refusal
  }
  return 0;
}
