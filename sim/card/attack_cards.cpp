#include "sim/card/attack_cards.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "sim/ca/card_face_ca.hpp"
#include "sim/ca/rsa_key.hpp"
#include "sim/card/card_face_record.hpp"
#include "sim/card/card_factory.hpp"

namespace kiosk::sim::card {
namespace {

// The simulated CA's side of the card-face record (sim/ca/card_face_ca.hpp).
using ca::make_card_verifiable_certificate;
using ca::make_key_id;
using ca::RsaKey;
using ca::rsa_key_objects;
using ca::sign_card_face_groups;

// The attacker's own "J-LIS": a root and an issuer, fresh for every clone.
struct AttackerIssuer {
  RsaKey root = RsaKey::generate(2048);
  RsaKey issuer = RsaKey::generate(2048);
};

CardFaceSecurity attacker_record(const CardProfile& clone, const AttackerIssuer& a, ByteView claimed_root_id) {
  const RsaKey chip = RsaKey::generate(2048);
  CardFaceSecurity s;
  s.private_key_pem = chip.to_pem();
  s.record_card_key = rsa_key_objects(chip);
  s.certificate = make_card_verifiable_certificate(claimed_root_id, make_key_id("9131011"), a.issuer, a.root);
  s.name_png = printed_text_png(clone.holder_name, 32);
  s.address_png = printed_text_png(clone.address, 24);
  s.security_code_png = printed_text_png(clone.security_code, 24);
  s.municipality_code = "13101";
  CardProfile signed_profile = clone;
  signed_profile.card_face = s;
  s.record_signature = sign_card_face_groups(a.issuer, card_face_signed_groups(signed_profile));
  return s;
}

// The attacker's face on the card: their photo, or (none given) a silhouette that differs from
// the one a card gets without a photo, so that a forged record really changes the photo.
Bytes attacker_photo(const std::optional<std::filesystem::path>& photo) {
  if (photo) return make_card_photo_jp2(photo);
  const Bytes plain = make_card_photo_jp2(std::nullopt);
  cv::Mat image = cv::imdecode(plain, cv::IMREAD_GRAYSCALE);
  cv::rectangle(image, {70, 110}, {170, 135}, cv::Scalar(30), cv::FILLED);  // dark glasses
  std::vector<uchar> jp2;
  if (image.empty() || !cv::imencode(".jp2", image, jp2, {cv::IMWRITE_JPEG2000_COMPRESSION_X1000, 150})) {
    throw std::runtime_error("OpenCV cannot encode JPEG 2000");
  }
  return Bytes(jp2.begin(), jp2.end());
}

}  // namespace

const char* to_string(CloneVariant v) {
  switch (v) {
    case CloneVariant::ForeignRoot: return "foreign-root";
    case CloneVariant::ForgedCertificate: return "forged-certificate";
    case CloneVariant::ForgedRecord: return "forged-record";
    case CloneVariant::StolenRecord: return "stolen-record";
    case CloneVariant::OtherCard: return "other-card";
  }
  return "?";
}

CloneVariant clone_variant_from_name(const std::string& name) {
  for (CloneVariant v : {CloneVariant::ForeignRoot, CloneVariant::ForgedCertificate, CloneVariant::ForgedRecord,
                         CloneVariant::StolenRecord, CloneVariant::OtherCard}) {
    if (name == to_string(v)) return v;
  }
  throw std::invalid_argument("unknown clone variant '" + name +
                              "' (foreign-root, forged-certificate, forged-record, stolen-record, other-card)");
}

CardProfile make_cloned_card(const CardProfile& victim, const CloneOrder& order) {
  if (victim.token != TokenType::Card) throw std::invalid_argument("the victim's token is not a card");
  CardProfile clone = victim;
  // The victim's certificate, but not the victim's private keys: the attacker's own auth key.
  clone.auth.private_key_pem = RsaKey::generate(2048).to_pem();
  clone.auth.pin = PinSlot{order.pin, 3, 3};
  clone.sign.reset();
  clone.text_pin = PinSlot{order.pin, 3, 3};
  clone.code_b.tries_left = clone.code_b.max_tries;
  clone.generation = CardGeneration::Current;
  clone.attack = to_string(order.variant);  // declared in the file: its certificate is not its key's

  switch (order.variant) {
    case CloneVariant::ForeignRoot:
    case CloneVariant::ForgedCertificate: {
      clone.face_photo_jp2 = attacker_photo(order.photo);
      const AttackerIssuer attacker;
      const Bytes root_id =
          order.variant == CloneVariant::ForeignRoot ? make_key_id("9000023") : make_key_id("7000023");  // the J-LIS root's id
      clone.card_face = attacker_record(clone, attacker, root_id);
      break;
    }
    case CloneVariant::ForgedRecord:
      if (!victim.card_face) throw std::invalid_argument("the victim card has no card-face record to forge");
      clone.face_photo_jp2 = attacker_photo(order.photo);
      clone.card_face->private_key_pem = RsaKey::generate(2048).to_pem();  // DF24 and DF28 stay the victim's
      break;
    case CloneVariant::StolenRecord:
      if (!victim.card_face) throw std::invalid_argument("the victim card has no card-face record to copy");
      clone.card_face->private_key_pem = RsaKey::generate(2048).to_pem();  // everything else byte for byte
      break;
    case CloneVariant::OtherCard: {
      if (!order.attacker_card || !order.attacker_card->card_face) {
        throw std::invalid_argument("other-card needs the attacker's own card (with a card-face record)");
      }
      const CardProfile& a = *order.attacker_card;
      clone.birth_date = a.birth_date;
      clone.sex = a.sex;
      clone.holder_name = a.holder_name;
      clone.address = a.address;
      clone.card_expiry = a.card_expiry;
      clone.security_code = a.security_code;
      clone.face_photo_jp2 = a.face_photo_jp2;
      clone.card_face = a.card_face;
      clone.code_b = a.code_b;
      break;
    }
  }
  if (order.variant != CloneVariant::OtherCard) {
    clone.code_b = PinSlot{compute_code_b(clone.birth_date, clone.card_expiry, clone.security_code), 10, 10};
  }
  return clone;
}

}  // namespace kiosk::sim::card
