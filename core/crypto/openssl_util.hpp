// OpenSSL helpers of core/crypto; the RAII handles come from hal/openssl_handles.hpp.
#pragma once

#include <chrono>

#include "hal/openssl_handles.hpp"

namespace kiosk::core::crypto::detail {

using namespace kiosk::hal::openssl;

// ASN1_TIME (UTCTime or GeneralizedTime, always UTC) to a time point.
std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* time);

}  // namespace kiosk::core::crypto::detail
