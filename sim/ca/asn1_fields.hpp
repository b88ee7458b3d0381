// OpenSSL helpers of the simulated CA; the RAII handles come from hal/openssl_handles.hpp.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "hal/openssl_handles.hpp"

namespace kiosk::sim::ca::detail {

using namespace kiosk::hal::openssl;

// Sets an ASN1_TIME field (UTCTime up to 2049, GeneralizedTime after, as RFC 5280 wants).
void set_time(ASN1_TIME* field, std::chrono::system_clock::time_point t);

// "1A2B" upper-case hex of a non-negative big number, without leading zeros ("01" for 1).
std::string bignum_hex(const BIGNUM* bn);
// Canonical form of a hex serial ("0x01a" / "001A" -> "1A"). Throws std::invalid_argument.
std::string normalize_serial_hex(std::string_view hex);

}  // namespace kiosk::sim::ca::detail
