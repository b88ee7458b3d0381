// Value formats of the eligibility protocol and the OQS result file: base64 for binary fields,
// "YYYYMMDD" dates, "YYYYMMDDHHMMSS" Japan-time timestamps (as OQS writes them), and ISO 8601
// UTC instants for the protocol's own expiry times.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "core/eligibility/result.hpp"
#include "hal/bytes.hpp"

namespace kiosk::core::eligibility {

// A value on the wire does not have the protocol's form (bad base64, impossible date, wrong
// type, missing field). The client reports it as ErrorKind::MalformedReply.
class CodecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Japan Standard Time is UTC+9 all year (no daylight saving).
inline constexpr std::chrono::hours kJapanOffset{9};

// RFC 4648 base64 with padding.
std::string base64_encode(ByteView bytes);
// Strict: only the base64 alphabet, correct padding, no whitespace. Throws CodecError.
Bytes base64_decode(std::string_view text);

std::string format_date(Date d);                   // "20251202"
Date parse_date(std::string_view text);            // throws CodecError
std::string format_jst(Timestamp t);               // "20251202093015" (Japan time)
Timestamp parse_jst(std::string_view text);        // throws CodecError
std::string format_utc(Timestamp t);               // "2025-12-02T00:30:15Z"
Timestamp parse_utc(std::string_view text);        // exactly that form; throws CodecError
// The calendar date in Japan at that instant.
Date japan_date(Timestamp t);

// Lower-case hex of SHA-256(bytes): how the service and attestations name a card certificate.
std::string sha256_hex(ByteView bytes);

}  // namespace kiosk::core::eligibility
