// The Board aggregate: which members a board lacks, and which of them no reception can do without.
#include <catch2/catch.hpp>

#include "core/board/board.hpp"

using namespace kiosk;

TEST_CASE("board: an empty board lacks every member, five of them essential") {
  core::board::Board b;
  CHECK(core::board::missing_members(b) == std::vector<std::string>{"clock", "readers", "cameras", "scanner", "documents", "usb", "service_manager", "eligibility",
                                                                       "service_probe", "terminal", "trust", "journal", "results",
                                                                       "face", "card_face_anchors"});
  CHECK(core::board::missing_essentials(b) == std::vector<std::string>{"clock", "readers", "trust", "journal", "results"});
  CHECK_FALSE(b.face_ready());
}

TEST_CASE("board: a note says what is missing and why") {
  core::board::Board b;
  core::board::note(b, "eligibility service", "not configured");
  REQUIRE(b.notes.size() == 1);
  CHECK(b.notes.front() == "eligibility service: not configured");
}
