#include "sim/ca/asn1_fields.hpp"

#include <openssl/err.h>

#include <array>
#include <climits>
#include <stdexcept>

namespace kiosk::sim::ca::detail {

void set_time(ASN1_TIME* field, std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  if (ASN1_TIME_set(field, seconds) == nullptr) throw_error<std::runtime_error>("ASN1_TIME_set");
}

std::string bignum_hex(const BIGNUM* bn) {
  String hex(BN_bn2hex(bn));
  if (!hex) throw_error<std::runtime_error>("BN_bn2hex");
  return std::string(hex.get());
}

std::string normalize_serial_hex(std::string_view hex) {
  if (hex.size() > 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
  std::string digits;
  for (char c : hex) {
    if (c == ':' || c == ' ') continue;
    const bool is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!is_hex) throw std::invalid_argument("not a hex serial number: '" + std::string(hex) + "'");
    digits.push_back(c);
  }
  if (digits.empty() || digits.size() > 40) {
    throw std::invalid_argument("not a hex serial number: '" + std::string(hex) + "'");
  }
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, digits.c_str()) == 0) throw_error<std::invalid_argument>("BN_hex2bn");
  BignumPtr bn(raw);
  return bignum_hex(bn.get());
}

}  // namespace kiosk::sim::ca::detail
