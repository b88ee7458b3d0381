// Several frames must agree before the card-surface scanner releases 照合番号B.
#include <catch2/catch.hpp>

#include "drivers/card_surface/read_agreement.hpp"

using namespace kiosk;
using namespace kiosk::drivers::card_surface;
using Verdict = ReadAgreement::Verdict;

namespace {

SurfaceRead read_of(const char* code, int expiry_year = 2030) {
  SurfaceRead r;
  r.status = ReadStatus::Read;
  r.generation = hal::CardGeneration::Current;
  REQUIRE(r.code_b.assign(hal::calendar::EraDate{hal::calendar::Era::Showa, 55, 2, 17}, expiry_year, code));
  return r;
}

SurfaceRead refused(ReadStatus status, hal::SurfaceScanHint hint = hal::SurfaceScanHint::None) {
  SurfaceRead r;
  r.status = status;
  r.hint = hint;
  r.reason = "test";
  return r;
}

}  // namespace

TEST_CASE("card surface agreement: 照合番号B is era YYMMDD + expiry year + code") {
  CodeB code;
  CHECK(code.assign(hal::calendar::EraDate{hal::calendar::Era::Showa, 55, 2, 17}, 2030, "1234"));
  CHECK(code.view() == "55021720301234");
  CodeB moved(std::move(code));
  CHECK(code.empty());  // NOLINT(bugprone-use-after-move): moving wipes the source
  CHECK(moved.view() == "55021720301234");
  CodeB bad;
  CHECK_FALSE(bad.assign(hal::calendar::EraDate{hal::calendar::Era::Showa, 55, 2, 17}, 2030, "12x4"));
  CHECK(bad.empty());
}

TEST_CASE("card surface agreement: identical reads release the code, unreadable frames in between do not break the run") {
  ReadAgreement agreement(3);
  auto a = read_of("1234");
  CHECK(agreement.add(a) == Verdict::Pending);
  auto glare = refused(ReadStatus::Unreadable, hal::SurfaceScanHint::Glare);
  CHECK(agreement.add(glare) == Verdict::Pending);
  auto b = read_of("1234");
  CHECK(agreement.add(b) == Verdict::Pending);
  auto c = read_of("1234");
  CHECK(agreement.add(c) == Verdict::Agreed);
  CHECK(agreement.code().view() == "55021720301234");
  CHECK(agreement.generation() == hal::CardGeneration::Current);
  CHECK(agreement.agreeing() == 3);
  CHECK(agreement.frames() == 4);
}

TEST_CASE("card surface agreement: two different certain reads of the card contradict: refused") {
  ReadAgreement agreement(2);
  auto a = read_of("1234");
  CHECK(agreement.add(a) == Verdict::Pending);
  auto b = read_of("1284");
  CHECK(agreement.add(b) == Verdict::Contradicted);
  CHECK(agreement.code().empty());
  CHECK(agreement.last_failure().hint == hal::SurfaceScanHint::Uncertain);
}

TEST_CASE("card surface agreement: a frame without a card starts over (another card may come)") {
  ReadAgreement agreement(2);
  auto a = read_of("1234");
  CHECK(agreement.add(a) == Verdict::Pending);
  auto gone = refused(ReadStatus::NoCard);
  CHECK(agreement.add(gone) == Verdict::Pending);
  CHECK(agreement.agreeing() == 0);
  auto b = read_of("5678");
  CHECK(agreement.add(b) == Verdict::Pending);
  auto c = read_of("5678");
  CHECK(agreement.add(c) == Verdict::Agreed);
  CHECK(agreement.code().view() == "55021720305678");
}

TEST_CASE("card surface agreement: the most telling refusal is kept for the error") {
  ReadAgreement agreement(2);
  auto none = refused(ReadStatus::NoCard);
  agreement.add(none);
  CHECK_FALSE(agreement.card_seen());
  auto cut = refused(ReadStatus::Unreadable, hal::SurfaceScanHint::CardCutOff);
  agreement.add(cut);
  auto none2 = refused(ReadStatus::NoCard);
  agreement.add(none2);
  CHECK(agreement.card_seen());
  CHECK(agreement.last_failure().hint == hal::SurfaceScanHint::CardCutOff);
}
