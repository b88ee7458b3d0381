// libFuzzer target: the card-face record (FF20 of the 券面事項確認AP) and its JPEG 2000 face
// photo, decoded as the face path decodes it (OpenCV / OpenJPEG). The riskiest parser of the
// kiosk: it runs on what the card sends before the card is proven genuine.
// The input is the record; a second run decodes the whole input as a photo.
#include <cstddef>
#include <cstdint>

#include "core/card/card_error.hpp"
#include "core/card/card_face_application.hpp"
#include "core/face/card_photo.hpp"
#include "core/face/face_error.hpp"

using namespace kiosk;

namespace {
void decode(ByteView jp2) {
  try {
    cv::Mat image = core::face::decode_card_photo(jp2);
    if (image.empty() || image.depth() != CV_8U) __builtin_trap();  // the documented result or an error
  } catch (const core::face::FaceError&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  try {
    const core::card::CardFace face = core::card::parse_card_face(input);
    if (face.birth_date.size() != 8 || face.photo_jp2.empty()) __builtin_trap();
    decode(face.photo_jp2);
  } catch (const core::card::CardProtocolError&) {
  }
  decode(input);
  return 0;
}
