#include "sim/ca/openssl_util.hpp"

#include <openssl/err.h>

#include <array>
#include <climits>
#include <stdexcept>

namespace kiosk::sim::detail {

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

BioPtr memory_bio(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) throw std::length_error("input too large");
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw_openssl<std::runtime_error>("BIO_new_mem_buf");
  return bio;
}

BioPtr output_bio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throw_openssl<std::runtime_error>("BIO_new");
  return bio;
}

std::string bio_text(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  if (mem == nullptr || mem->data == nullptr) return {};
  return std::string(mem->data, mem->length);
}

void set_time(ASN1_TIME* field, std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  if (ASN1_TIME_set(field, seconds) == nullptr) throw_openssl<std::runtime_error>("ASN1_TIME_set");
}

std::string bignum_hex(const BIGNUM* bn) {
  OpensslString hex(BN_bn2hex(bn));
  if (!hex) throw_openssl<std::runtime_error>("BN_bn2hex");
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
  if (BN_hex2bn(&raw, digits.c_str()) == 0) throw_openssl<std::invalid_argument>("BN_hex2bn");
  BignumPtr bn(raw);
  return bignum_hex(bn.get());
}

}  // namespace kiosk::sim::detail
