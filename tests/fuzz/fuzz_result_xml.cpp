// libFuzzer target: the result XML writer's inputs. The OQS result comes from the service's
// answer (untrusted text in every field); the kiosk writes it as the XML file the clinic's
// reception system reads. Whatever the answer held, the file must be well-formed XML that reads
// back to the same element names: a file the reception system cannot parse is a lost patient.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <pugixml.hpp>

#include "core/bounded/json.hpp"
#include "core/eligibility/codec.hpp"
#include "core/eligibility/errors.hpp"
#include "core/eligibility/result_file.hpp"

using namespace kiosk;
namespace codec = kiosk::core::eligibility::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (core::bounded::shape_problem(body, {1 << 20, 24})) return 0;
  core::eligibility::Confirmation c;
  try {
    c = codec::decode_confirmation(body);
  } catch (const core::eligibility::CodecError&) {
    return 0;
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  if (!c.result) return 0;
  const std::string xml = core::eligibility::render_result_xml(*c.result);
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) __builtin_trap();  // the reception system could not read this file
  if (!doc.child("XmlMsg").child("MessageBody").child("ProcessingResultStatus")) __builtin_trap();
  return 0;
}
