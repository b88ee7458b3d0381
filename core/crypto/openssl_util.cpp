#include "core/crypto/openssl_util.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>

#include <array>
#include <climits>
#include <ctime>

#include "core/crypto/errors.hpp"

namespace kiosk::core::crypto::detail {

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    throw_error<CertificateError>("invalid certificate time");
  }
  using namespace std::chrono;
  const year_month_day date{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                            day{static_cast<unsigned>(tm.tm_mday)}};
  if (!date.ok()) throw CertificateError("invalid certificate time: bad calendar date");
  const sys_seconds at = sys_days{date} + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec};
  return time_point_cast<system_clock::duration>(at);
}

}  // namespace kiosk::core::crypto::detail
