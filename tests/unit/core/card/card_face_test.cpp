#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/card/card_error.hpp"
#include "core/card/card_face_application.hpp"
#include "tests/unit/core/card/rig.hpp"

using namespace kiosk;
using namespace kiosk::core::card;
using kiosk::test::CardRig;
using Script = std::vector<std::string>;

TEST_CASE("card face: 照合番号B opens the record, photo, birth date, sex, expiry are read") {
  const auto profile = test::test_card_profile();
  REQUIRE(*profile.code_b.value == "550217" + profile.card_expiry.substr(0, 4) + "2285");  // 昭和55
  CardRig rig(profile);
  CardFaceApplication face(*rig.session);
  face.select();
  CHECK(face.code_b_status().tries_left == 10);
  CHECK(face.verify_code_b(Secret(*profile.code_b.value)).outcome == VerifyOutcome::Verified);
  const CardFace record = face.read_card_face();
  CHECK(record.birth_date == "19800217");
  CHECK(record.sex == '1');
  CHECK(record.expiry_date == profile.card_expiry);
  CHECK(record.photo_jp2 == profile.face_photo_jp2);
  const cv::Mat photo = cv::imdecode(record.photo_jp2, cv::IMREAD_UNCHANGED);
  CHECK(photo.cols == 240);
  CHECK(photo.rows == 320);
  CHECK(photo.channels() == 1);
  CHECK(rig.script() == Script{"00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02 -> 90 00", "00 20 00 92 -> 63 CA",
                               "00 20 00 92 0E ** ** ** ** ** ** ** ** ** ** ** ** ** ** -> 90 00",
                               "00 B0 82 00 00 00 00 -> 90 00"});
}

TEST_CASE("card face: the record stays closed without 照合番号B, a wrong one costs a try") {
  auto card = test::make_card(test::test_card_profile());
  CardRig rig(card);
  CardFaceApplication face(*rig.session);
  face.select();
  try {
    face.read_card_face();
    FAIL("read the face without 照合番号B");
  } catch (const CardProtocolError& e) {
    CHECK(e.failure() == CardFailure::SecurityStatusNotSatisfied);
  }
  const VerifyResult v = face.verify_code_b(Secret("00000000000000"));
  CHECK(v.outcome == VerifyOutcome::Wrong);
  CHECK(v.tries_left == 9);
  CHECK_THROWS_AS(face.verify_code_b(Secret("1234")), std::invalid_argument);  // not 14 digits: not sent
  CHECK(card->profile().code_b.tries_left == 9);
}

TEST_CASE("card face: a smartphone has no card-face application") {
  CardRig rig(test::smartphone_profile());
  CardFaceApplication face(*rig.session);
  try {
    face.select();
    FAIL("selected");
  } catch (const CardProtocolError& e) {
    CHECK(e.failure() == CardFailure::NotSupported);
  }
}

TEST_CASE("card face records that are incomplete or wrong are rejected") {
  const Bytes good_photo = from_hex("00 00 00 0C 6A 50 20 20 0D 0A 87 0A");
  auto record = [](const std::string& children_hex) {
    Bytes c = from_hex(children_hex);
    Bytes r{0xFF, 0x20, static_cast<Byte>(c.size())};
    r.insert(r.end(), c.begin(), c.end());
    return r;
  };
  const std::string birth = "DF 22 08 31 39 38 30 30 32 31 37 ";
  const std::string sex = "DF 23 01 31 ";
  const std::string photo = "DF 27 0C " + to_hex(good_photo) + " ";
  CHECK(parse_card_face(record(birth + sex + photo)).sex == '1');
  CHECK_THROWS_AS(parse_card_face(record(sex + photo)), CardProtocolError);                       // no birth date
  CHECK_THROWS_AS(parse_card_face(record(birth + photo)), CardProtocolError);                     // no sex
  CHECK_THROWS_AS(parse_card_face(record(birth + sex)), CardProtocolError);                       // no photo
  CHECK_THROWS_AS(parse_card_face(record(birth + "DF 23 01 37 " + photo)), CardProtocolError);    // sex 7
  CHECK_THROWS_AS(parse_card_face(record("DF 22 08 31 39 38 30 30 32 33 58 " + sex + photo)), CardProtocolError);
  CHECK_THROWS_AS(parse_card_face(record(birth + sex + "DF 27 04 FF D8 FF E0 ")), CardProtocolError);  // JPEG, not JP2
  CHECK_THROWS_AS(parse_card_face(from_hex("FF 10 03 DF 11 00")), CardProtocolError);            // another record
}
