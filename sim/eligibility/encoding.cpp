#include "sim/eligibility/encoding.hpp"

#include <openssl/evp.h>

#include <climits>

#include "hal/calendar.hpp"

namespace kiosk::sim::eligibility {

std::string base64_encode(ByteView bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > static_cast<std::size_t>(INT_MAX)) return std::nullopt;
  if (text.empty()) return Bytes{};
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text[text.size() - 2] == '=') ++padding;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    const char c = text[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!ok) return std::nullopt;
  }
  Bytes out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

std::string iso_utc(TimePoint t) { return hal::calendar::format_iso8601_utc(t); }

std::optional<TimePoint> parse_iso_utc(std::string_view t) {
  if (t.size() != 20 || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z') return std::nullopt;
  const auto d = hal::calendar::parse_iso_date(t.substr(0, 10));
  if (!d) return std::nullopt;
  auto two = [&](std::size_t p) -> int {
    if (t[p] < '0' || t[p] > '9' || t[p + 1] < '0' || t[p + 1] > '9') return 99;
    return (t[p] - '0') * 10 + (t[p + 1] - '0');
  };
  const int h = two(11), m = two(14), s = two(17);
  if (h > 23 || m > 59 || s > 59) return std::nullopt;
  return std::chrono::sys_days{*d} + std::chrono::hours{h} + std::chrono::minutes{m} + std::chrono::seconds{s};
}

}  // namespace kiosk::sim::eligibility
