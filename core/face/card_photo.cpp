#include "core/face/card_photo.hpp"

#include <algorithm>
#include <climits>
#include <iterator>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/face/face_error.hpp"
#include "core/face/wipe.hpp"

namespace kiosk::core::face {

cv::Mat decode_card_photo(ByteView jp2) {
  static constexpr Byte kJp2Signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20};
  static constexpr Byte kJ2kCodestream[] = {0xFF, 0x4F, 0xFF, 0x51};
  const bool jp2_box = jp2.size() >= sizeof kJp2Signature &&
                       std::equal(std::begin(kJp2Signature), std::end(kJp2Signature), jp2.begin());
  const bool codestream = jp2.size() >= sizeof kJ2kCodestream &&
                          std::equal(std::begin(kJ2kCodestream), std::end(kJ2kCodestream), jp2.begin());
  if (!jp2_box && !codestream) {
    throw FaceError(FaceErrorKind::CardPhotoUnreadable,
                    "the card photo is not JPEG 2000 (" + std::to_string(jp2.size()) + " bytes)");
  }
  if (jp2.size() > static_cast<std::size_t>(INT_MAX)) {
    throw FaceError(FaceErrorKind::CardPhotoUnreadable, "the card photo is too large");
  }
  // imdecode only reads the buffer; the header does not copy it.
  const cv::Mat buffer(1, static_cast<int>(jp2.size()), CV_8UC1, const_cast<Byte*>(jp2.data()));
  cv::Mat image;
  try {
    image = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw FaceError(FaceErrorKind::CardPhotoUnreadable, std::string("the card photo does not decode: ") + e.what());
  }
  if (image.empty()) throw FaceError(FaceErrorKind::CardPhotoUnreadable, "the card photo does not decode");
  if (image.depth() != CV_8U) {
    cv::Mat eight;
    image.convertTo(eight, CV_8U, image.depth() == CV_16U ? 1.0 / 257.0 : 1.0);
    wipe(image);
    image = eight;
  }
  if (image.channels() == 4) {
    cv::Mat bgr;
    cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
    wipe(image);
    image = bgr;
  }
  if (image.channels() != 1 && image.channels() != 3) {
    throw FaceError(FaceErrorKind::CardPhotoUnreadable,
                    "the card photo has " + std::to_string(image.channels()) + " channels");
  }
  return image;
}

cv::Mat pad_image(const cv::Mat& image, double fraction) {
  const int mx = static_cast<int>(image.cols * fraction);
  const int my = static_cast<int>(image.rows * fraction);
  cv::Mat padded;
  cv::copyMakeBorder(image, padded, my, my, mx, mx, cv::BORDER_CONSTANT, cv::Scalar::all(128));
  return padded;
}

}  // namespace kiosk::core::face
