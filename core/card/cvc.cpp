#include "core/card/cvc.hpp"

#include <algorithm>
#include <optional>

#include "core/card/card_error.hpp"
#include "core/card/tlv.hpp"

namespace kiosk::core::card {
namespace {
namespace card_face = hal::mynumber::card_face;

[[noreturn]] void malformed(const std::string& what) {
  throw CardProtocolError(CardFailure::MalformedData, "card-verifiable certificate: " + what);
}

bool digits(ByteView b) {
  for (Byte c : b) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

KeyId KeyId::parse(ByteView raw) {
  if (raw.size() != card_face::kKeyIdLength) {
    throw CardProtocolError(CardFailure::MalformedData,
                            "a key identifier has 16 bytes, not " + std::to_string(raw.size()));
  }
  if (!digits(raw.first(7)) || !digits(raw.subspan(9, 3))) {
    throw CardProtocolError(CardFailure::MalformedData, "a key identifier has no digits where they belong: " + to_hex(raw));
  }
  KeyId id;
  std::copy(raw.begin(), raw.end(), id.bytes.begin());
  return id;
}

std::string KeyId::text() const {
  return std::string(bytes.begin(), bytes.begin() + 7) + "/" + std::string(bytes.begin() + 9, bytes.begin() + 12);
}

RsaKeyComponents parse_rsa_key_components(ByteView objects) {
  std::optional<Bytes> exponent;
  std::optional<Bytes> modulus;
  for (const Tlv& t : read_tlv_children(objects)) {
    if (t.header.tag == card_face::kTagRsaExponent) exponent.emplace(t.value.begin(), t.value.end());
    if (t.header.tag == card_face::kTagRsaModulus) modulus.emplace(t.value.begin(), t.value.end());
  }
  if (!exponent || exponent->empty()) {
    throw CardProtocolError(CardFailure::MalformedData, "RSA public key: no exponent (tag 90)");
  }
  if (!modulus || modulus->empty()) {
    throw CardProtocolError(CardFailure::MalformedData, "RSA public key: no modulus (tag 91)");
  }
  return {std::move(*modulus), std::move(*exponent)};
}

CardVerifiableCertificate parse_cvc(ByteView ef0004) {
  if (ef0004.empty()) malformed("no data");
  const Tlv outer = read_tlv(ef0004);
  if (outer.header.tag != card_face::kTagCvc) malformed("does not start with 7F21");
  std::optional<ByteView> body;
  std::optional<ByteView> signature;
  for (const Tlv& t : read_tlv_children(outer.value)) {
    if (t.header.tag == card_face::kTagCvcBody) body = t.value;
    if (t.header.tag == card_face::kTagCvcSignature) signature = t.value;
  }
  if (!body) malformed("no body (5F4E)");
  if (!signature || signature->empty()) malformed("no signature (5F37)");
  if (body->size() != card_face::kCvcBodyLength) {
    malformed("the body has " + std::to_string(body->size()) + " bytes, not " + std::to_string(card_face::kCvcBodyLength));
  }
  CardVerifiableCertificate c;
  c.authority = KeyId::parse(body->first(card_face::kKeyIdLength));
  c.holder = KeyId::parse(body->subspan(card_face::kKeyIdLength, card_face::kKeyIdLength));
  c.public_key = parse_rsa_key_components(body->subspan(2 * card_face::kKeyIdLength));
  c.body.assign(body->begin(), body->end());
  c.signature.assign(signature->begin(), signature->end());
  return c;
}

}  // namespace kiosk::core::card
