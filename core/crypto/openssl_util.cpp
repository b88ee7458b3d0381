#include "core/crypto/openssl_util.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>

#include <array>
#include <climits>
#include <ctime>

#include "core/crypto/errors.hpp"

namespace kiosk::crypto::detail {

std::string take_openssl_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    if (!out.empty()) out += "; ";
    out += buffer.data();
  }
  return out.empty() ? std::string("no OpenSSL error reported") : out;
}

BioPtr memory_bio(ByteView bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) throw CryptoError("input too large");
  BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  if (!bio) throw_openssl<CryptoError>("BIO_new_mem_buf");
  return bio;
}

BioPtr memory_bio(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) throw CryptoError("input too large");
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw_openssl<CryptoError>("BIO_new_mem_buf");
  return bio;
}

BioPtr output_bio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throw_openssl<CryptoError>("BIO_new");
  return bio;
}

std::string bio_text(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  if (mem == nullptr || mem->data == nullptr) return {};
  return std::string(mem->data, mem->length);
}

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    throw_openssl<CertificateError>("invalid certificate time");
  }
  using namespace std::chrono;
  const year_month_day date{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                            day{static_cast<unsigned>(tm.tm_mday)}};
  if (!date.ok()) throw CertificateError("invalid certificate time: bad calendar date");
  const sys_seconds at = sys_days{date} + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec};
  return time_point_cast<system_clock::duration>(at);
}

}  // namespace kiosk::crypto::detail
