#include "core/eligibility/wire_format.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <cstdio>

#include "core/crypto/digest.hpp"
#include "hal/calendar.hpp"

namespace kiosk::core::eligibility {

namespace {

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

int digits(std::string_view text, std::size_t pos, std::size_t count) {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') throw CodecError("not a digit in '" + std::string(text) + "'");
    value = value * 10 + (c - '0');
  }
  return value;
}

Timestamp civil_time(std::string_view text, int y, int mo, int d, int h, int mi, int s) {
  using namespace std::chrono;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 59) throw CodecError("not a real date and time: '" + std::string(text) + "'");
  return sys_days{date} + hours{h} + minutes{mi} + seconds{s};
}

}  // namespace

std::string base64_encode(ByteView bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX / 4 * 3)) throw CodecError("too large to encode");
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

Bytes base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) throw CodecError("base64 length is not a multiple of 4");
  if (text.size() > static_cast<std::size_t>(INT_MAX)) throw CodecError("base64 text too large");
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    if (!is_base64_char(text[i])) throw CodecError("not base64: unexpected character at offset " + std::to_string(i));
  }
  if (text.empty()) return {};
  Bytes out(text.size() / 4 * 3);
  const int length = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                     static_cast<int>(text.size()));
  if (length < 0) throw CodecError("not base64");
  out.resize(static_cast<std::size_t>(length) - padding);
  return out;
}

std::string format_date(Date d) { return hal::calendar::format_yyyymmdd(d); }

Date parse_date(std::string_view text) {
  const auto d = hal::calendar::parse_yyyymmdd(text);
  if (!d) throw CodecError("not a YYYYMMDD date: '" + std::string(text) + "'");
  return *d;
}

std::string format_jst(Timestamp t) {
  using namespace std::chrono;
  const auto local = t + kJapanOffset;
  const auto day_start = floor<days>(local);
  const year_month_day date{day_start};
  const hh_mm_ss time{local - day_start};
  char out[32];
  std::snprintf(out, sizeof out, "%04d%02u%02u%02d%02d%02d", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return out;
}

Timestamp parse_jst(std::string_view text) {
  if (text.size() != 14) throw CodecError("not a YYYYMMDDHHMMSS time: '" + std::string(text) + "'");
  return civil_time(text, digits(text, 0, 4), digits(text, 4, 2), digits(text, 6, 2), digits(text, 8, 2),
                    digits(text, 10, 2), digits(text, 12, 2)) -
         kJapanOffset;
}

std::string format_utc(Timestamp t) { return hal::calendar::format_iso8601_utc(t); }

Timestamp parse_utc(std::string_view text) {
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z') {
    throw CodecError("not a YYYY-MM-DDTHH:MM:SSZ time: '" + std::string(text) + "'");
  }
  return civil_time(text, digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2), digits(text, 11, 2),
                    digits(text, 14, 2), digits(text, 17, 2));
}

Date japan_date(Timestamp t) { return Date{std::chrono::floor<std::chrono::days>(t + kJapanOffset)}; }

std::string sha256_hex(ByteView bytes) {
  std::string hex = to_hex(core::crypto::sha256(bytes), '\0');
  std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; });
  return hex;
}

}  // namespace kiosk::core::eligibility
