// Score normalisation against a cohort (S-norm): the arithmetic, the cohort's checks, its file.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

#include "core/face/face_error.hpp"
#include "core/face/evaluation.hpp"
#include "core/face/score_cohort.hpp"

using namespace kiosk;
using core::face::Embedding;
using core::face::FaceError;
using core::face::FaceErrorKind;
using core::face::ScoreCohort;

namespace {

constexpr int kDims = 16;

std::vector<float> random_unit(std::mt19937& rng) {
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> v(kDims);
  for (float& x : v) x = n(rng);
  return v;
}

// `people` identities, `per_person` faces each: every face is its person's direction plus noise.
struct CohortData {
  cv::Mat card;
  cv::Mat camera;
  std::vector<int> identity;
};
CohortData make_data(int people, int per_person, std::uint32_t seed = 1) {
  std::mt19937 rng(seed);
  CohortData d;
  for (int p = 0; p < people; ++p) {
    const std::vector<float> base = random_unit(rng);
    for (int k = 0; k < per_person; ++k) {
      for (auto* side : {&d.card, &d.camera}) {
        std::vector<float> noise = random_unit(rng);
        std::vector<float> v(kDims);
        for (int i = 0; i < kDims; ++i) v[static_cast<std::size_t>(i)] = base[static_cast<std::size_t>(i)] + 0.6f * noise[static_cast<std::size_t>(i)];
        const Embedding e(v);
        side->push_back(cv::Mat(1, kDims, CV_32F, const_cast<float*>(e.values().data())));
      }
      d.identity.push_back(p);
    }
  }
  return d;
}
ScoreCohort make_cohort(int people, int per_person, std::uint32_t seed = 1) {
  CohortData d = make_data(people, per_person, seed);
  return ScoreCohort(d.card, d.camera, d.identity);
}

FaceErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const FaceError& e) {
    return e.kind();
  }
  FAIL("no FaceError");
  return FaceErrorKind::BadConfig;
}

}  // namespace

TEST_CASE("score cohort: spread and the S-norm formula") {
  const std::vector<double> scores{0.1, 0.2, 0.3};
  const auto s = core::face::spread_of(scores);
  CHECK(s.mean == Approx(0.2));
  CHECK(s.deviation == Approx(std::sqrt(2.0 / 300.0)));
  CHECK(core::face::spread_of(std::vector<double>{0.5, 0.5}).deviation == Approx(1e-3));  // never zero
  const core::face::ScoreSpread cohort{0.05, 0.1};
  // Sides that look like the cohort leave the score as it is.
  CHECK(core::face::normalised_score(0.4, cohort, cohort, cohort) == Approx(0.4));
  // A card photo that resembles everyone (high mean) has its score lowered; one that resembles
  // nobody (low mean, e.g. an old photo) raised.
  CHECK(core::face::normalised_score(0.4, {0.15, 0.1}, cohort, cohort) == Approx(0.35));
  CHECK(core::face::normalised_score(0.4, {-0.05, 0.1}, cohort, cohort) == Approx(0.45));
  // A side whose scores spread wide counts a given distance from its mean as less.
  CHECK(core::face::normalised_score(0.45, {0.05, 0.2}, cohort, cohort) == Approx(0.05 + 0.1 * 0.5 * (2.0 + 4.0)));
}

TEST_CASE("score cohort: a card photo that resembles everyone loses its advantage") {
  const CohortData d = make_data(12, 3);
  const ScoreCohort cohort(d.card, d.camera, d.identity);
  CHECK(cohort.faces() == 36);
  CHECK(cohort.identities() == 12);
  CHECK(cohort.dimensions() == kDims);
  CHECK(std::abs(cohort.cohort().mean) < 0.2);
  // The mean direction of the cohort's camera faces: close to every one of them.
  cv::Mat centre;
  cv::reduce(d.camera, centre, 0, cv::REDUCE_SUM);
  const Embedding everyone(std::vector<float>(centre.begin<float>(), centre.end<float>()));
  std::mt19937 rng(99);
  const Embedding plain(random_unit(rng));
  const auto everyone_spread = cohort.of_card(everyone);
  const auto plain_spread = cohort.of_card(plain);
  CHECK(everyone_spread.mean > plain_spread.mean + 0.2);
  // The same cosine is worth less for the card photo that resembles everyone.
  const Embedding live(random_unit(rng));
  const auto live_spread = cohort.of_live(live);
  CHECK(live_spread.deviation > 0.05);
  CHECK(cohort.normalise(0.4, everyone_spread, live_spread) < cohort.normalise(0.4, plain_spread, live_spread));
  // of_card compares with the camera side, of_live with the card side.
  cv::Mat card_centre;
  cv::reduce(d.card, card_centre, 0, cv::REDUCE_SUM);
  const Embedding cards(std::vector<float>(card_centre.begin<float>(), card_centre.end<float>()));
  CHECK(cohort.of_live(cards).mean > cohort.of_live(plain).mean + 0.2);
}

TEST_CASE("score cohort: what is not a cohort is refused") {
  CHECK(kind_of([] { make_cohort(1, 30); }) == FaceErrorKind::BadConfig);  // one person
  CHECK(kind_of([] { make_cohort(5, 3); }) == FaceErrorKind::BadConfig);   // 15 faces
  cv::Mat card(30, kDims, CV_32F, cv::Scalar(0.25f));                    // rows of norm 1
  cv::Mat camera = card.clone();
  std::vector<int> identity(30);
  for (int i = 0; i < 30; ++i) identity[static_cast<std::size_t>(i)] = i % 3;
  CHECK_NOTHROW(ScoreCohort(card, camera, identity));
  cv::Mat unnormalised = card.clone();
  unnormalised.at<float>(4, 0) = 3.0f;
  CHECK(kind_of([&] { ScoreCohort(unnormalised, camera, identity); }) == FaceErrorKind::BadConfig);
  CHECK(kind_of([&] { ScoreCohort(card, camera.rowRange(0, 29).clone(), identity); }) == FaceErrorKind::BadConfig);
  cv::Mat doubles;
  card.convertTo(doubles, CV_64F);
  CHECK(kind_of([&] { ScoreCohort(doubles, camera, identity); }) == FaceErrorKind::BadConfig);
  const ScoreCohort cohort(card, camera, identity);
  CHECK(kind_of([&] { cohort.of_card(Embedding(std::vector<float>(8, 1.0f))); }) == FaceErrorKind::BadConfig);
  CHECK(kind_of([&] { cohort.of_live(Embedding()); }) == FaceErrorKind::BadConfig);
  // From embeddings: the same checks, and empty or mixed-size embeddings refused.
  std::vector<Embedding> faces;
  std::vector<Embedding> views;
  for (int i = 0; i < 30; ++i) {
    faces.emplace_back(std::vector<float>(kDims, 0.25f));
    views.emplace_back(std::vector<float>(kDims, 0.25f));
  }
  CHECK(ScoreCohort::of_faces(faces, views, identity).faces() == 30);
  views[7] = Embedding(std::vector<float>(8, 1.0f));
  CHECK(kind_of([&] { ScoreCohort::of_faces(faces, views, identity); }) == FaceErrorKind::BadConfig);
  views[7] = Embedding();
  CHECK(kind_of([&] { ScoreCohort::of_faces(faces, views, identity); }) == FaceErrorKind::BadConfig);
}

TEST_CASE("score cohort: saved and loaded, and a missing, foreign or broken file says so") {
  const auto dir = std::filesystem::temp_directory_path() / ("kiosk-cohort-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const ScoreCohort cohort = make_cohort(8, 4);
  for (const char* name : {"cohort.yml", "cohort.yml.gz"}) {
    cohort.save(dir / name);
    const ScoreCohort loaded = ScoreCohort::load(dir / name);
    CHECK(loaded.faces() == cohort.faces());
    CHECK(loaded.identities() == 8);
    CHECK(loaded.cohort().mean == Approx(cohort.cohort().mean).epsilon(1e-5));
    std::mt19937 rng(3);
    const Embedding e(random_unit(rng));
    CHECK(loaded.of_card(e).mean == Approx(cohort.of_card(e).mean).epsilon(1e-5));
  }
  CHECK(kind_of([&] { ScoreCohort::load(dir / "absent.yml"); }) == FaceErrorKind::ModelMissing);
  {
    std::ofstream(dir / "garbage.yml") << "%YAML:1.0\n---\nformat: \"something else\"\n";
    std::ofstream(dir / "noise.yml") << "\x01\x02 not yaml {{{";
  }
  CHECK(kind_of([&] { ScoreCohort::load(dir / "garbage.yml"); }) == FaceErrorKind::ModelInvalid);
  CHECK(kind_of([&] { ScoreCohort::load(dir / "noise.yml"); }) == FaceErrorKind::ModelInvalid);
  std::filesystem::remove_all(dir);
}

TEST_CASE("score cohort over a labelled set: each pair normalised against the cohort less its own two identities") {
  // 5 identities, 2 images each; cosines made up but distinct.
  constexpr std::size_t kIds = 5;
  constexpr std::size_t kImages = 10;
  std::vector<std::size_t> identity(kImages);
  for (std::size_t i = 0; i < kImages; ++i) identity[i] = i / 2;
  std::vector<std::vector<double>> cosine(kImages, std::vector<double>(kImages));
  for (std::size_t i = 0; i < kImages; ++i) {
    for (std::size_t j = 0; j < kImages; ++j) {
      cosine[i][j] = identity[i] == identity[j] ? 0.6 + 0.01 * static_cast<double>(i + j)
                                                : 0.05 * static_cast<double>((i * 7 + j * 3) % 9) - 0.1;
    }
  }
  const core::face::SetCohortScorer scorer(cosine, identity, kIds);
  const std::vector<bool> cohort_ids{true, true, true, false, true};  // identity 3 held out
  const auto pairs = scorer.pairs(cohort_ids);
  REQUIRE(pairs.size() == kImages * (kImages - 1));
  // The cohort's own spread: cosines between its images of different people.
  std::vector<double> strangers;
  for (std::size_t c = 0; c < kImages; ++c) {
    for (std::size_t d = 0; d < kImages; ++d) {
      if (cohort_ids[identity[c]] && cohort_ids[identity[d]] && identity[c] != identity[d]) strangers.push_back(cosine[c][d]);
    }
  }
  const auto cohort = core::face::spread_of(strangers);
  std::size_t k = 0;
  for (std::size_t i = 0; i < kImages; ++i) {
    for (std::size_t j = 0; j < kImages; ++j) {
      if (i == j) continue;
      const auto& p = pairs[k++];
      REQUIRE(p.identity_a == identity[i]);
      REQUIRE(p.identity_b == identity[j]);
      std::vector<double> card;
      std::vector<double> live;
      for (std::size_t c = 0; c < kImages; ++c) {
        const std::size_t id = identity[c];
        if (!cohort_ids[id] || id == identity[i] || id == identity[j]) continue;
        card.push_back(cosine[i][c]);
        live.push_back(cosine[c][j]);
      }
      const double expected =
          core::face::normalised_score(cosine[i][j], core::face::spread_of(card), core::face::spread_of(live), cohort);
      INFO("pair " << i << "," << j);
      CHECK(p.score == Approx(expected).epsilon(1e-9));
    }
  }
  CHECK_THROWS_AS(scorer.pairs(std::vector<bool>(3, true)), std::invalid_argument);
  CHECK_THROWS_AS(core::face::SetCohortScorer(cosine, std::vector<std::size_t>(kImages, 7), kIds), std::invalid_argument);
}
