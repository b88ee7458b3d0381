// Value encodings of the protocol on the service side: base64 (RFC 4648, padded, strict) and
// ISO 8601 UTC instants ("2026-11-22T02:46:21Z").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hal/bytes.hpp"
#include "sim/eligibility/records.hpp"

namespace kiosk::sim::eligibility {

std::string base64_encode(ByteView bytes);
// Nothing when the text is not strict base64.
std::optional<Bytes> base64_decode(std::string_view text);

std::string iso_utc(TimePoint t);
std::optional<TimePoint> parse_iso_utc(std::string_view text);

}  // namespace kiosk::sim::eligibility
