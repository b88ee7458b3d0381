// simulated_board(): every member of the Board filled from the simulated world, and the world's
// controls acting on what the firmware sees through the hal interfaces.
#include <catch2/catch.hpp>

#include <sstream>

#include "core/board/board.hpp"
#include "sim/board/simulated_board.hpp"
#include "sim/world/demo_world.hpp"
#include "tests/support/demo_world.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/support/test_paths.hpp"

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

const sim::world::DemoWorld& world() { return test::shared_demo_world(); }

}  // namespace

TEST_CASE("simulated board: fills every member of the Board") {
  if (!std::filesystem::is_directory(test::faces_dir() / "models")) FAIL("the face set is missing: " << test::faces_dir());
  test::TempDir work;
  sim::board::SimulatedBoardOptions o;
  o.faces_dir = test::faces_dir();
  o.work_dir = work.path();
  sim::board::SimulatedBoard kiosk = sim::board::simulated_board(world(), {}, o);
  INFO("notes: " << (kiosk.board.notes.empty() ? std::string("none") : kiosk.board.notes.front()));
  CHECK(core::board::missing_members(kiosk.board).empty());
  CHECK(kiosk.board.face_ready());
  CHECK(kiosk.board.kind == "simulated");
  CHECK(kiosk.board.reader == sim::board::kSimulatedReader);
  CHECK(std::filesystem::exists(work.path() / "journal.sqlite"));
  CHECK(std::filesystem::is_directory(work.path() / "outbox"));
}

TEST_CASE("simulated board: without face models the face member stays empty, with a note") {
  test::TempDir work;
  sim::board::SimulatedBoardOptions o;
  o.faces_dir = work.path() / "no-such-faces";
  o.work_dir = work.path();
  sim::board::SimulatedBoard kiosk = sim::board::simulated_board(world(), {}, o);
  CHECK(core::board::missing_members(kiosk.board) == std::vector<std::string>{"face"});
  REQUIRE_FALSE(kiosk.board.notes.empty());
  CHECK(kiosk.board.notes.front().find("face authentication is off") != std::string::npos);
}

TEST_CASE("simulated board: the world's controls act on the hal devices the firmware uses") {
  test::TempDir work;
  sim::board::SimulatedBoardOptions o;
  o.face = false;
  o.work_dir = work.path();
  sim::board::SimulatedBoard kiosk = sim::board::simulated_board(world(), {}, o);
  core::board::Board& b = kiosk.board;

  // A card placed by a patient is seen by the board's reader service.
  kiosk.place_card(world().cards.front().file);
  bool present = false;
  for (const auto& s : b.readers->status()) present = present || (s.name == b.reader && s.card_present);
  CHECK(present);

  // The line to the service: a fault set on the world is what the firmware's transport meets.
  hal::HttpRequest health;
  health.path = "/v1/health";
  health.timeout = 3s;
  CHECK(b.eligibility->send(health).status == 200);
  sim::board::WorldFaults down;
  down.service_down = true;
  kiosk.set_service_faults(down);
  CHECK_THROWS_AS(b.eligibility->send(health), hal::TransportError);
  CHECK(b.service_probe->probe(1s).connect_failure == hal::TransportErrorKind::ConnectionRefused);
  kiosk.set_service_faults({});
  CHECK(b.eligibility->send(health).status == 200);
  CHECK(b.service_probe->probe(3s).handshake_ok);

  // A camera that is missing cannot be opened.
  kiosk.camera->set_condition(sim::world::CameraCondition::Missing);
  CHECK_THROWS_AS(b.cameras->open(b.face_camera, b.face_camera_mode), hal::CameraError);
  kiosk.camera->set_condition(sim::world::CameraCondition::Normal);
  CHECK(b.cameras->open(b.face_camera, b.face_camera_mode)->next_frame(2s).image.cols == 640);
}

TEST_CASE("simulated board: on virtual time each exchange with the service costs the timing model's latency") {
  test::TempDir work;
  sim::board::SimulatedBoardOptions o;
  o.face = false;
  o.work_dir = work.path();
  o.virtual_time = true;
  o.timing.service_latency = 250ms;
  sim::board::SimulatedBoard kiosk = sim::board::simulated_board(world(), {}, o);
  REQUIRE(kiosk.virtual_clock != nullptr);
  const auto before = kiosk.virtual_clock->elapsed();
  hal::HttpRequest health;
  health.path = "/v1/health";
  health.timeout = 3s;
  CHECK(kiosk.board.eligibility->send(health).status == 200);
  CHECK(kiosk.virtual_clock->elapsed() - before == std::chrono::microseconds(250000));
}
