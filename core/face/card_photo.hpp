// The card's face photo (券面事項確認AP, JPEG 2000) as an image the face pipeline can use.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <optional>

#include "hal/bytes.hpp"

namespace kiosk::core::face {

// A card's photo is a few KB and a few hundred pixels a side; more is refused before decoding.
inline constexpr std::size_t kMaxCardPhotoBytes = 256 * 1024;
inline constexpr std::uint32_t kMaxCardPhotoSide = 2048;

struct DeclaredImage {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t components = 0;
};

// The image size a JPEG 2000 file (JP2 boxes: 'jp2h'/'ihdr') or codestream (SIZ) declares, read
// without decoding. Empty when no such header is found.
std::optional<DeclaredImage> declared_image(ByteView jp2);

// Decodes the JPEG 2000 bytes of CardFace::photo_jp2 (in memory: OpenCV 4.6 decodes JP2 from
// the buffer, no temporary file) to an 8-bit image (grey for a card; a colour photo stays
// BGR). Throws FaceError(CardPhotoUnreadable). The caller wipes the result.
cv::Mat decode_card_photo(ByteView jp2);

// The photo padded with a mid-grey margin of `fraction` of its size on every side: YuNet does
// not find faces that touch the image border (tight crops, photos cut close to the head).
cv::Mat pad_image(const cv::Mat& image, double fraction);

}  // namespace kiosk::core::face
