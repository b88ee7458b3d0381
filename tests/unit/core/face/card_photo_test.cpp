// The card photo: read from a simulated card issued by the card factory (照合番号B from the
// simulated card-surface scanner, 券面事項確認AP over a card channel), decoded and matched.
#include <catch2/catch.hpp>

#include "core/card/card_face_application.hpp"
#include "core/card/card_session.hpp"
#include "core/face/card_photo.hpp"
#include "core/face/face_error.hpp"
#include "core/face/face_session.hpp"
#include "sim/ca/jpki_ca.hpp"
#include "sim/camera/face_scene.hpp"
#include "sim/camera/simulated_card_surface_scanner.hpp"
#include "sim/camera/virtual_camera.hpp"
#include "sim/card/card_factory.hpp"
#include "sim/card/simulated_readers.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/unit/core/face/face_test_support.hpp"

using namespace kiosk;
using namespace std::chrono_literals;

TEST_CASE("card photo: issued from a face-set image, unlocked with the scanned 照合番号B, matches the holder") {
  const auto config = test::test_config();
  test::TempDir dir;
  auto ca = sim::ca::SimulatedJpkiCa::create(dir.path() / "ca", std::chrono::system_clock::now());
  sim::card::CardOrder order;
  order.holder_name = "顔認\u3000花子";
  order.birth_date = "19850412";
  order.sex = '2';
  order.address = "東京都千代田区";
  order.security_code = "4711";
  order.photo = test::face_image("Daniel_Radcliffe", 0);
  const sim::card::CardProfile profile = sim::card::issue_card(ca, order);

  // The card surface gives 照合番号B.
  sim::camera::SimulatedCardSurfaceScanner scanner(profile);
  core::card::Secret code_b;
  scanner.scan_code_b(1s, [&](std::string_view digits) { code_b = core::card::Secret(digits); });
  REQUIRE(code_b.size() == 14);
  CHECK(std::equal(code_b.bytes().begin(), code_b.bytes().end(), profile.code_b.value->begin()));

  // The card face application gives the photo.
  sim::card::SimulatedReaders readers;
  readers.attach_reader("Face Reader 0");
  readers.place_card("Face Reader 0", test::make_card(profile));
  auto channel = readers.connect("Face Reader 0");
  core::card::CardSession card_session(*channel);
  core::card::CardFaceApplication application(card_session);
  application.select();
  REQUIRE(application.verify_code_b(code_b).outcome == core::card::VerifyOutcome::Verified);
  const core::card::CardFace face_record = application.read_card_face();

  const cv::Mat photo = core::face::decode_card_photo(face_record.photo_jp2);
  CHECK(photo.cols == 240);
  CHECK(photo.rows == 320);
  CHECK(photo.channels() == 1);

  core::face::FaceVerifier verifier(config);
  core::face::FaceSession session(verifier, face_record.photo_jp2);
  sim::camera::SceneSettings s;
  s.fps = 10.0;
  sim::camera::VirtualCamera cam(sim::camera::Scene(sim::camera::FaceSource::image(test::face_image("Daniel_Radcliffe", 2)), {}, s));
  core::face::CameraLoopOptions options;  // the holder follows the head-turn question
  options.on_progress = [&cam](const core::face::Progress& p) { cam.read_guidance(core::face::to_string(p.guidance)); };
  const core::face::Decision d = core::face::run_attempt(session, cam, options);
  INFO(d.reason);
  CHECK(d.authenticated());
  CHECK(d.score >= d.threshold);
}

TEST_CASE("card photo: unusable photos are typed errors") {
  core::face::FaceVerifier verifier(test::test_config());
  SECTION("not JPEG 2000") {
    const Bytes garbage{0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x00};
    try {
      core::face::FaceSession session(verifier, garbage);
      FAIL("accepted garbage as a card photo");
    } catch (const core::face::FaceError& e) {
      CHECK(e.kind() == core::face::FaceErrorKind::CardPhotoUnreadable);
    }
  }
  SECTION("a JPEG 2000 header with a broken body") {
    Bytes truncated = sim::card::make_card_photo_jp2(test::face_image("Daniel_Radcliffe", 0));
    truncated.resize(60);
    CHECK_THROWS_AS(core::face::decode_card_photo(truncated), core::face::FaceError);
  }
  SECTION("a photo without a face (the card factory's drawn silhouette)") {
    const Bytes silhouette = sim::card::make_card_photo_jp2(std::nullopt);
    CHECK(core::face::decode_card_photo(silhouette).cols == 240);
    try {
      core::face::FaceSession session(verifier, silhouette);
      FAIL("enrolled a face from a silhouette");
    } catch (const core::face::FaceError& e) {
      CHECK(e.kind() == core::face::FaceErrorKind::CardPhotoNoFace);
      CHECK(std::string(e.advice()).find("PIN") != std::string::npos);
    }
  }
}

TEST_CASE("card-surface scanner: no card, smartphone, faults") {
  sim::camera::SimulatedCardSurfaceScanner scanner;
  int calls = 0;
  const auto sink = [&](std::string_view) { ++calls; };
  try {
    scanner.scan_code_b(10ms, sink);
    FAIL("scanned without a card");
  } catch (const hal::SurfaceScanError& e) {
    CHECK(e.kind() == hal::SurfaceScanErrorKind::NoCard);
  }
  scanner.place(test::smartphone_profile());
  try {
    scanner.scan_code_b(10ms, sink);
    FAIL("scanned a smartphone");
  } catch (const hal::SurfaceScanError& e) {
    CHECK(e.kind() == hal::SurfaceScanErrorKind::NotPrinted);
  }
  scanner.place(test::test_card_profile());
  scanner.inject_fault(hal::SurfaceScanErrorKind::Unreadable);
  CHECK_THROWS_AS(scanner.scan_code_b(10ms, sink), hal::SurfaceScanError);
  scanner.inject_fault(std::nullopt);
  std::string seen;
  scanner.scan_code_b(10ms, [&](std::string_view d) {
    ++calls;
    seen = d;
  });
  CHECK(calls == 1);
  CHECK(seen == *test::test_card_profile().code_b.value);
  scanner.remove();
  CHECK_THROWS_AS(scanner.scan_code_b(10ms, sink), hal::SurfaceScanError);
}
