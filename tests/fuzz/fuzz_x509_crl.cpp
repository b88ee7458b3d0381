// libFuzzer target: X.509 certificates (the card's, from the card; the JPKI CA's, from files)
// and CRLs (files the kiosk imports), parsed and inspected as the kiosk does, then offered to a
// trust store. The first byte picks what the rest is.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/crypto/certificate.hpp"
#include "core/crypto/errors.hpp"
#include "core/crypto/trust_store.hpp"

using namespace kiosk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView input(data + 1, size - 1);
  try {
    switch (data[0] % 4) {
      case 0: {
        const auto cert = core::crypto::Certificate::from_der(input);
        (void)cert.subject();
        (void)cert.issuer();
        (void)cert.serial_hex();
        (void)cert.not_before();
        (void)cert.not_after();
        (void)cert.is_ca();
        (void)cert.is_self_signed();
        (void)cert.public_key_bits();
        core::crypto::TrustStore store;
        store.add_ca(cert);
        break;
      }
      case 1: {
        const auto cert = core::crypto::Certificate::from_pem(
            std::string_view(reinterpret_cast<const char*>(input.data()), input.size()));
        (void)cert.subject();
        break;
      }
      default: {
        const auto crl = core::crypto::Crl::parse(input);
        (void)crl.issuer();
        (void)crl.this_update();
        (void)crl.next_update();
        (void)crl.revoked_serials();
        core::crypto::TrustStore store;
        store.add_crl(crl);
        break;
      }
    }
  } catch (const core::crypto::CryptoError&) {
  }
  return 0;
}
