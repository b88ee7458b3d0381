// libFuzzer target: the eligibility service's answers as the kiosk's client takes them: the
// bound on size and nesting (core/bounded, applied by the client before anything is decoded),
// then each decoder of the protocol (codec.cpp) and the value formats (wire_format.cpp).
// The first byte picks the decoder; the rest is the body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bounded/json.hpp"
#include "core/eligibility/codec.hpp"
#include "core/eligibility/errors.hpp"
#include "core/eligibility/wire_format.hpp"

using namespace kiosk;
namespace codec = kiosk::core::eligibility::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  // As the client does (core/eligibility/client.cpp): refused before decoding when too big or deep.
  if (core::bounded::shape_problem(body, {1 << 20, 24})) return 0;
  try {
    switch (data[0] % 7) {
      case 0: (void)codec::decode_confirmation(body); break;
      case 1: (void)codec::decode_challenge(body); break;
      case 2: (void)codec::decode_health(body); break;
      case 3: (void)codec::decode_error(body); break;
      case 4: (void)core::eligibility::parse_date(body); break;
      case 5: (void)core::eligibility::parse_jst(body); break;
      default: (void)core::eligibility::parse_utc(body); (void)core::eligibility::base64_decode(body); break;
    }
  } catch (const core::eligibility::CodecError&) {
  } catch (const nlohmann::json::exception&) {  // the client turns these into a malformed answer
  }
  return 0;
}
