#include "core/eligibility/card_face_proof.hpp"

#include <stdexcept>
#include <string_view>

#include "core/crypto/digest.hpp"

namespace kiosk::core::eligibility {

Bytes card_face_signed_message(ByteView nonce, ByteView card_challenge, ByteView certificate_der) {
  if (nonce.empty() || nonce.size() > 0xFFFF) throw std::invalid_argument("the service nonce is 1..65535 bytes");
  if (card_challenge.size() != kCardChallengeLength) throw std::invalid_argument("the card challenge is 16 bytes");
  if (certificate_der.empty()) throw std::invalid_argument("the proof is bound to a certificate");
  constexpr std::string_view kDomain = "kiosk-card-face-proof/1";
  Bytes m(kDomain.begin(), kDomain.end());
  m.push_back(0x00);
  m.push_back(static_cast<Byte>(nonce.size() >> 8));
  m.push_back(static_cast<Byte>(nonce.size() & 0xFF));
  m.insert(m.end(), nonce.begin(), nonce.end());
  m.insert(m.end(), card_challenge.begin(), card_challenge.end());
  const Bytes certificate_hash = core::crypto::sha256(certificate_der);
  m.insert(m.end(), certificate_hash.begin(), certificate_hash.end());
  return m;
}

}  // namespace kiosk::core::eligibility
