#include "core/card/card_face_application.hpp"

#include <stdexcept>

#include "core/card/card_error.hpp"
#include "core/card/file_reader.hpp"
#include "core/card/tlv.hpp"
#include "hal/mynumber_card.hpp"

namespace kiosk::core::card {
namespace {
namespace card_face = hal::mynumber::card_face;

[[noreturn]] void malformed(const std::string& what) {
  throw CardProtocolError(CardFailure::MalformedData, "card-face record: " + what);
}

std::string digits(ByteView value, std::size_t length, const char* field) {
  if (value.size() != length) malformed(std::string(field) + " has " + std::to_string(value.size()) + " bytes");
  std::string out;
  for (Byte b : value) {
    if (b < '0' || b > '9') malformed(std::string(field) + " is not digits");
    out.push_back(static_cast<char>(b));
  }
  return out;
}

}  // namespace

CardFace::~CardFace() {
  secure_wipe(photo_jp2);
  for (Bytes& g : signed_groups) secure_wipe(g);
}

CardFace& CardFace::operator=(CardFace&& other) noexcept {
  if (this != &other) {
    secure_wipe(photo_jp2);  // the photo this one held goes away
    for (Bytes& g : signed_groups) secure_wipe(g);
    birth_date = std::move(other.birth_date);
    sex = other.sex;
    expiry_date = std::move(other.expiry_date);
    photo_jp2 = std::move(other.photo_jp2);
    card_key = std::move(other.card_key);
    record_signature = std::move(other.record_signature);
    signed_groups = std::move(other.signed_groups);
  }
  return *this;
}

CardFace parse_card_face(ByteView record) {
  const Tlv outer = read_tlv(record);
  if (outer.header.tag != card_face::kTagRecord) malformed("does not start with FF20");
  CardFace out;
  bool have_birth = false;
  bool have_sex = false;
  for (const Tlv& t : read_tlv_children(outer.value)) {
    // The object as written: the signature covers tags and lengths too.
    const ByteView element(t.value.data() - t.header.header_length, t.header.total_length());
    auto group = [&](std::size_t g) { out.signed_groups[g].insert(out.signed_groups[g].end(), element.begin(), element.end()); };
    switch (t.header.tag) {
      case card_face::kTagBirthDate:
      case card_face::kTagSex:
      case card_face::kTagPublicKey:
        group(0);
        break;
      case card_face::kTagNameImage:
      case card_face::kTagAddressImage:
        group(1);
        break;
      case card_face::kTagPhoto:
        group(2);
        break;
      default:
        break;
    }
    switch (t.header.tag) {
      case card_face::kTagBirthDate:
        out.birth_date = digits(t.value, 8, "birth date");
        have_birth = true;
        break;
      case card_face::kTagSex:
        if (t.value.size() != 1 || (t.value[0] != '0' && t.value[0] != '1' && t.value[0] != '2' && t.value[0] != '9')) {
          malformed("sex is not an ISO 5218 digit");
        }
        out.sex = static_cast<char>(t.value[0]);
        have_sex = true;
        break;
      case card_face::kTagExpiry:
        out.expiry_date = digits(t.value, 8, "expiry date");
        break;
      case card_face::kTagPhoto:
        // JP2 signature box: 00 00 00 0C 'j' 'P' ' ' ' '
        if (t.value.size() < 12 || t.value[4] != 'j' || t.value[5] != 'P' || t.value[6] != ' ' || t.value[7] != ' ') {
          malformed("the face photo is not a JPEG 2000 (JP2) image");
        }
        out.photo_jp2.assign(t.value.begin(), t.value.end());
        break;
      case card_face::kTagPublicKey:
        out.card_key.assign(t.value.begin(), t.value.end());
        break;
      case card_face::kTagSignature:
        out.record_signature.assign(t.value.begin(), t.value.end());
        break;
      default:
        break;  // offsets, images of name, address and security code: not used by the kiosk
    }
  }
  if (!have_birth) malformed("no birth date (DF22)");
  if (!have_sex) malformed("no sex (DF23)");
  if (out.photo_jp2.empty()) malformed("no face photo (DF27)");
  return out;
}

void CardFaceApplication::select() {
  const ResponseApdu r = session_.transmit(
      CommandApdu(0x00, 0xA4, 0x04, 0x0C, Bytes(hal::mynumber::kCardFaceAid.begin(), hal::mynumber::kCardFaceAid.end())));
  if (r.ok()) return;
  if (r.status_word == sw::kFileNotFound) {
    throw CardProtocolError(CardFailure::NotSupported, "this token has no card-face application (no face photo)",
                            r.status_word);
  }
  throw CardProtocolError(CardFailure::Unreadable,
                          "SELECT of the card-face application answered " + describe_status_word(r.status_word),
                          r.status_word);
}

RetryStatus CardFaceApplication::code_b_status() { return query_retries(session_, card_face::kCodeB); }

VerifyResult CardFaceApplication::verify_code_b(const Secret& code_b) {
  if (code_b.size() != 14 || !code_b.all_digits()) throw std::invalid_argument("照合番号B is 14 digits");
  return verify_reference_data(session_, card_face::kCodeB, code_b);
}

CardFace CardFaceApplication::read_card_face() {
  // The record holds more than the kiosk keeps (images of the name and address): wiped here.
  Bytes record = read_tlv_file(session_, card_face::kCardFace);
  const ScopedWipe wipe(record);
  return parse_card_face(record);
}

Bytes CardFaceApplication::read_certificate() { return read_tlv_file(session_, card_face::kCertificate); }

Bytes CardFaceApplication::get_challenge(std::size_t length) {
  if (length == 0 || length > CommandApdu::kMaxShortNe) throw std::invalid_argument("GET CHALLENGE asks 1..256 bytes");
  const ResponseApdu r = session_.transmit(CommandApdu(0x00, 0x84, 0x00, 0x00, {}, length));
  if (!r.ok()) {
    throw CardProtocolError(CardFailure::Unreadable, "GET CHALLENGE answered " + describe_status_word(r.status_word),
                            r.status_word);
  }
  if (r.data.size() != length) {
    throw CardProtocolError(CardFailure::MalformedData, "GET CHALLENGE returned " + std::to_string(r.data.size()) +
                                                            " bytes, asked " + std::to_string(length));
  }
  return r.data;
}

Bytes CardFaceApplication::sign(ByteView digest_info) {
  if (digest_info.empty() || digest_info.size() > 245) throw std::invalid_argument("a DigestInfo of 1..245 bytes is signed");
  const ResponseApdu r =
      session_.transmit(CommandApdu(0x80, 0x2A, 0x00, 0x00, Bytes(digest_info.begin(), digest_info.end()), 256));
  if (r.status_word == sw::kConditionsNotSatisfied || r.status_word == sw::kFileNotFound ||
      r.status_word == sw::kSecurityStatusNotSatisfied) {
    throw CardProtocolError(CardFailure::NotSupported,
                            "the card-face application has no key that signs (" + describe_status_word(r.status_word) + ")",
                            r.status_word);
  }
  if (!r.ok()) {
    throw CardProtocolError(CardFailure::Unreadable,
                            "COMPUTE DIGITAL SIGNATURE in the card-face application answered " +
                                describe_status_word(r.status_word),
                            r.status_word);
  }
  if (r.data.size() != 256) {
    throw CardProtocolError(CardFailure::MalformedData,
                            "the card returned a " + std::to_string(r.data.size()) + "-byte signature, expected 256");
  }
  return r.data;
}

}  // namespace kiosk::core::card
