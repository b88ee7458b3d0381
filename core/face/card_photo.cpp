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

namespace {

std::uint32_t be32(ByteView b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

// The SIZ marker segment right after SOC (FF 4F FF 51): image size and components.
std::optional<DeclaredImage> codestream_size(ByteView c) {
  // FF4F FF51 Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4) XTsiz(4) YTsiz(4) XTOsiz(4) YTOsiz(4) Csiz(2)
  if (c.size() < 42 || c[0] != 0xFF || c[1] != 0x4F || c[2] != 0xFF || c[3] != 0x51) return std::nullopt;
  const std::uint32_t x = be32(c, 8), y = be32(c, 12), x0 = be32(c, 16), y0 = be32(c, 20);
  if (x <= x0 || y <= y0) return std::nullopt;
  return DeclaredImage{x - x0, y - y0, static_cast<std::uint32_t>((c[40] << 8) | c[41])};
}

}  // namespace

std::optional<DeclaredImage> declared_image(ByteView jp2) {
  if (jp2.size() >= 4 && jp2[0] == 0xFF && jp2[1] == 0x4F) return codestream_size(jp2);
  // JP2 boxes: LBox (4), TBox (4), [XLBox (8) when LBox is 1], content; LBox 0: to the end.
  // The image header box 'ihdr' (HEIGHT, WIDTH, NC) sits in the superbox 'jp2h'.
  auto find_box = [](ByteView in, std::uint32_t type) -> std::optional<ByteView> {
    std::size_t at = 0;
    while (in.size() - at >= 8) {
      std::uint64_t length = be32(in, at);
      const std::uint32_t box = be32(in, at + 4);
      std::size_t header = 8;
      if (length == 1) {
        if (in.size() - at < 16) return std::nullopt;
        length = (std::uint64_t{be32(in, at + 8)} << 32) | be32(in, at + 12);
        header = 16;
      } else if (length == 0) {
        length = in.size() - at;
      }
      if (length < header || length > in.size() - at) return std::nullopt;
      if (box == type) return in.subspan(at + header, static_cast<std::size_t>(length) - header);
      at += static_cast<std::size_t>(length);
    }
    return std::nullopt;
  };
  const auto jp2h = find_box(jp2, 0x6A703268);  // 'jp2h'
  if (!jp2h) return std::nullopt;
  const auto ihdr = find_box(*jp2h, 0x69686472);  // 'ihdr'
  if (!ihdr || ihdr->size() < 14) return std::nullopt;
  return DeclaredImage{be32(*ihdr, 4), be32(*ihdr, 0), static_cast<std::uint32_t>(((*ihdr)[8] << 8) | (*ihdr)[9])};
}

cv::Mat decode_card_photo(ByteView jp2) {
  // The whole JP2 signature box: length 12, type 'jP  ', content <CR><LF><0x87><LF>.
  static constexpr Byte kJp2Signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A};
  static constexpr Byte kJ2kCodestream[] = {0xFF, 0x4F, 0xFF, 0x51};
  const bool jp2_box = jp2.size() >= sizeof kJp2Signature &&
                       std::equal(std::begin(kJp2Signature), std::end(kJp2Signature), jp2.begin());
  const bool codestream = jp2.size() >= sizeof kJ2kCodestream &&
                          std::equal(std::begin(kJ2kCodestream), std::end(kJ2kCodestream), jp2.begin());
  if (!jp2_box && !codestream) {
    throw FaceError(FaceErrorKind::CardPhotoUnreadable,
                    "the card photo is not JPEG 2000 (" + std::to_string(jp2.size()) + " bytes)");
  }
  // cv::imdecode gives the data to the first decoder whose signature matches, and OpenCV's DICOM
  // decoder (GDCM, which aborts on some malformed files) is asked before the JPEG 2000 ones; it
  // claims any buffer with "DICM" at byte 128, whatever comes first. Every other decoder OpenCV
  // asks first looks at the first bytes, which the check above already pins to JPEG 2000. A real
  // photo carries these four bytes there by chance once in 2^32; the kiosk then offers the PIN.
  static constexpr Byte kDicomMagic[] = {'D', 'I', 'C', 'M'};
  static constexpr std::size_t kDicomMagicAt = 128;
  if (jp2.size() >= kDicomMagicAt + sizeof kDicomMagic &&
      std::equal(std::begin(kDicomMagic), std::end(kDicomMagic), jp2.begin() + kDicomMagicAt)) {
    throw FaceError(FaceErrorKind::CardPhotoUnreadable,
                    "the card photo carries a DICOM signature at byte 128: refused before any decoder sees it");
  }
  if (jp2.size() > kMaxCardPhotoBytes) {
    throw FaceError(FaceErrorKind::CardPhotoUnreadable,
                    "the card photo is " + std::to_string(jp2.size()) + " bytes, more than a card holds");
  }
  // What the header declares is checked before a decoder sees the data: the photo comes from a
  // card not yet proven genuine (issue 18).
  const auto declared = declared_image(jp2);
  if (!declared) throw FaceError(FaceErrorKind::CardPhotoUnreadable, "the card photo has no JPEG 2000 image header");
  if (declared->width == 0 || declared->height == 0 || declared->width > kMaxCardPhotoSide ||
      declared->height > kMaxCardPhotoSide || declared->components == 0 || declared->components > 4) {
    throw FaceError(FaceErrorKind::CardPhotoUnreadable,
                    "the card photo declares " + std::to_string(declared->width) + "x" + std::to_string(declared->height) +
                        " pixels in " + std::to_string(declared->components) + " components: not a card photo");
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
