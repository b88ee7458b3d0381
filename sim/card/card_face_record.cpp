#include "sim/card/card_face_record.hpp"

#include <opencv2/freetype.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <memory>
#include <mutex>

#include "sim/ca/ber_tlv.hpp"

namespace kiosk::sim::card {
namespace {

using ca::append;
using ca::ber_tlv;
using ca::TagClass;

Bytes ascii(const std::string& s) { return Bytes(s.begin(), s.end()); }

// The font, loaded once per process; nullptr without one.
cv::freetype::FreeType2* font() {
  static std::once_flag once;
  static cv::Ptr<cv::freetype::FreeType2> loaded;
  std::call_once(once, [] {
    for (const char* path : {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                             "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
                             "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"}) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) continue;
      try {
        cv::Ptr<cv::freetype::FreeType2> f = cv::freetype::createFreeType2();
        f->loadFontData(path, 0);
        loaded = f;
        return;
      } catch (const cv::Exception&) {
        continue;
      }
    }
  });
  return loaded.get();
}

}  // namespace

Bytes private_tlv(bool constructed, int number, ByteView value) {
  return ber_tlv(TagClass::Private, constructed, number, value);
}

Bytes record_with_offsets(int record_number, int offsets_number, const std::vector<Bytes>& children) {
  std::size_t rest = 0;
  for (const Bytes& c : children) rest += c.size();
  const Bytes offsets_placeholder(2 * children.size(), 0);
  const std::size_t offsets_size = private_tlv(false, offsets_number, offsets_placeholder).size();
  const std::size_t inner = offsets_size + rest;
  const std::size_t header = private_tlv(true, record_number, Bytes(inner, 0)).size() - inner;
  Bytes offsets;
  std::size_t at = header + offsets_size;
  for (const Bytes& c : children) {
    offsets.push_back(static_cast<Byte>(at >> 8));
    offsets.push_back(static_cast<Byte>(at & 0xFF));
    at += c.size();
  }
  Bytes value = private_tlv(false, offsets_number, offsets);
  for (const Bytes& c : children) append(value, c);
  return private_tlv(true, record_number, value);
}

std::array<Bytes, 3> card_face_signed_groups(const CardProfile& p) {
  std::array<Bytes, 3> g;
  g[0] = private_tlv(false, 0x22, ascii(p.birth_date));
  append(g[0], private_tlv(false, 0x23, Bytes{static_cast<Byte>(p.sex)}));
  if (p.card_face) {
    append(g[0], private_tlv(false, 0x24, p.card_face->record_card_key));
    g[1] = private_tlv(false, 0x25, p.card_face->name_png);
    append(g[1], private_tlv(false, 0x26, p.card_face->address_png));
  }
  g[2] = private_tlv(false, 0x27, p.face_photo_jp2);
  return g;
}

Bytes card_face_record(const CardProfile& p) {
  std::vector<Bytes> children{private_tlv(false, 0x22, ascii(p.birth_date)),
                              private_tlv(false, 0x23, Bytes{static_cast<Byte>(p.sex)})};
  if (p.card_face) {
    children.push_back(private_tlv(false, 0x24, p.card_face->record_card_key));
    children.push_back(private_tlv(false, 0x25, p.card_face->name_png));
    children.push_back(private_tlv(false, 0x26, p.card_face->address_png));
  }
  children.push_back(private_tlv(false, 0x27, p.face_photo_jp2));
  if (p.card_face) children.push_back(private_tlv(false, 0x28, p.card_face->record_signature));
  children.push_back(private_tlv(false, 0x29, ascii(p.card_expiry)));
  if (p.card_face) children.push_back(private_tlv(false, 0x2A, p.card_face->security_code_png));
  return record_with_offsets(0x20, 0x21, children);
}

Bytes printed_text_png(const std::string& utf8, int height_px) {
  cv::freetype::FreeType2* f = font();
  int baseline = 0;
  const cv::Size size = f != nullptr ? f->getTextSize(utf8, height_px, -1, &baseline)
                                     : cv::Size(height_px * static_cast<int>(utf8.size()) / 3, height_px);
  // freetype draws on 3-channel images only.
  cv::Mat colour(std::max(1, size.height + baseline + 4), std::max(1, size.width + 4), CV_8UC3, cv::Scalar(255, 255, 255));
  if (f != nullptr) f->putText(colour, utf8, {2, 2}, height_px, cv::Scalar(0, 0, 0), -1, cv::LINE_8, false);
  cv::Mat image;
  cv::cvtColor(colour, image, cv::COLOR_BGR2GRAY);
  cv::threshold(image, image, 128, 255, cv::THRESH_BINARY);
  std::vector<uchar> png;
  cv::imencode(".png", image, png, {cv::IMWRITE_PNG_BILEVEL, 1});
  return Bytes(png.begin(), png.end());
}

}  // namespace kiosk::sim::card
