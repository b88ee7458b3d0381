// The card photo's JPEG 2000 header is checked before any decoder sees the data (issue 18: the
// photo comes from a card not yet proven genuine; OpenJPEG is the riskiest parser on that path).
#include <catch2/catch.hpp>

#include "core/face/card_photo.hpp"
#include "core/face/face_error.hpp"
#include "tests/support/test_cards.hpp"

using namespace kiosk;

namespace {
void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<Byte>(v >> (24 - 8 * i));
}
std::string error_of(const Bytes& jp2) {
  try {
    core::face::decode_card_photo(jp2);
  } catch (const core::face::FaceError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("card photo: the declared size is read from the JP2 header without decoding") {
  const Bytes photo = test::test_card_profile().face_photo_jp2;
  const auto declared = core::face::declared_image(photo);
  REQUIRE(declared);
  CHECK(declared->width == 240);
  CHECK(declared->height == 320);
  CHECK(declared->components == 1);
  CHECK(error_of(photo) == "no error");
}

TEST_CASE("card photo: a header declaring a huge image, a photo too large or no header is refused before decoding") {
  Bytes photo = test::test_card_profile().face_photo_jp2;
  // Find the ihdr box and make it declare 60000 x 60000 pixels.
  const Bytes ihdr{'i', 'h', 'd', 'r'};
  const auto at = std::search(photo.begin(), photo.end(), ihdr.begin(), ihdr.end());
  REQUIRE(at != photo.end());
  const auto content = static_cast<std::size_t>(at - photo.begin()) + 4;
  Bytes huge = photo;
  put32(huge, content, 60000);
  put32(huge, content + 4, 60000);
  CHECK_THAT(error_of(huge), Catch::Contains("declares 60000x60000 pixels"));

  Bytes big = photo;
  big.resize(300 * 1024, 0);
  CHECK_THAT(error_of(big), Catch::Contains("more than a card holds"));

  Bytes headless(photo.begin(), photo.begin() + 12);  // the signature box only
  headless.resize(40, 0);
  CHECK_THAT(error_of(headless), Catch::Contains("no JPEG 2000 image header"));

  // A box whose length runs past the end.
  Bytes lying = photo;
  put32(lying, 12, 0x7FFFFFFF);
  CHECK_THAT(error_of(lying), Catch::Contains("no JPEG 2000 image header"));
}

TEST_CASE("card photo: a raw codestream's SIZ marker is read too") {
  Bytes c(48, 0);
  c[0] = 0xFF; c[1] = 0x4F; c[2] = 0xFF; c[3] = 0x51;
  put32(c, 8, 300);   // Xsiz
  put32(c, 12, 400);  // Ysiz
  c[41] = 1;          // Csiz
  const auto declared = core::face::declared_image(c);
  REQUIRE(declared);
  CHECK(declared->width == 300);
  CHECK(declared->height == 400);
  put32(c, 8, 100000);
  CHECK_THAT(error_of(c), Catch::Contains("declares 100000x400"));
}

TEST_CASE("card photo: a JPEG 2000 photo that OpenCV's DICOM decoder would claim is refused before decoding") {
  // Found by fuzz_card_face: GDCM (asked by cv::imdecode before OpenJPEG) aborted the process on
  // a codestream carrying "DICM" at byte 128.
  Bytes c(200, 0);
  c[0] = 0xFF; c[1] = 0x4F; c[2] = 0xFF; c[3] = 0x51;
  put32(c, 8, 240);
  put32(c, 12, 320);
  c[41] = 1;
  c[128] = 'D'; c[129] = 'I'; c[130] = 'C'; c[131] = 'M';
  CHECK_THAT(error_of(c), Catch::Contains("DICOM signature at byte 128"));

  Bytes photo = test::test_card_profile().face_photo_jp2;
  REQUIRE(photo.size() > 132);
  std::copy_n("DICM", 4, photo.begin() + 128);
  CHECK_THAT(error_of(photo), Catch::Contains("DICOM signature at byte 128"));

  // Only the first eight bytes of the JP2 signature box are not JPEG 2000.
  Bytes half = test::test_card_profile().face_photo_jp2;
  half[10] = 0x00;
  CHECK_THAT(error_of(half), Catch::Contains("not JPEG 2000"));
}
