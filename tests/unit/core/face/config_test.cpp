// Face settings, model loading errors, score statistics, wiping.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "core/face/embedder.hpp"
#include "core/face/evaluation.hpp"
#include "core/face/face_config.hpp"
#include "core/face/face_error.hpp"
#include "core/face/face_verifier.hpp"
#include "core/face/wipe.hpp"
#include "tests/unit/core/face/face_test_support.hpp"

using namespace kiosk;

TEST_CASE("face config: settings by key, presets, validation") {
  core::face::FaceConfig c;
  core::face::apply_setting(c, "face.model_dir", "/opt/kiosk/faces");
  CHECK(c.model_dir == "/opt/kiosk/faces");
  CHECK(c.resolve("models/x.onnx") == std::filesystem::path("/opt/kiosk/faces/models/x.onnx"));
  CHECK(c.resolve("/abs/x.onnx") == std::filesystem::path("/abs/x.onnx"));
  core::face::apply_setting(c, "threshold", "0.42");
  CHECK(c.recognizer.threshold == Approx(0.42));
  core::face::apply_setting(c, "face.policy.attempt_budget_ms", "4500");
  CHECK(c.policy.attempt_budget == std::chrono::milliseconds(4500));
  core::face::apply_setting(c, "liveness.enabled", "false");
  CHECK_FALSE(c.liveness.enabled);
  core::face::apply_setting(c, "recognizer", "foamliu");
  CHECK(c.recognizer.kind == core::face::RecognizerKind::Foamliu);
  CHECK(c.recognizer.swap_rb);
  CHECK(c.recognizer.model == "models/mobilefacenet_foamliu_128d.onnx");
  c.validate();

  const auto bad = [&](const char* key, const char* value) {
    try {
      core::face::FaceConfig copy = c;
      core::face::apply_setting(copy, key, value);
      copy.validate();
      return false;
    } catch (const core::face::FaceError& e) {
      CHECK(e.kind() == core::face::FaceErrorKind::BadConfig);
      CHECK(std::string(e.what()).find("face.") != std::string::npos);
      return true;
    }
  };
  CHECK(bad("no.such.key", "1"));
  CHECK(bad("threshold", "high"));
  CHECK(bad("threshold", "1.5"));
  CHECK(bad("policy.max_attempts", "0"));
  CHECK(bad("recognizer", "resnet"));
  CHECK(bad("liveness.enabled", "maybe"));
  // The head-turn question's swing window: at least 100 ms, at most the time the second turn has.
  core::face::apply_setting(c, "liveness.challenge_span_window_ms", "700");
  CHECK(c.liveness.challenge_span_window == std::chrono::milliseconds(700));
  c.validate();
  CHECK(bad("liveness.challenge_span_window_ms", "50"));
  CHECK(bad("liveness.challenge_span_window_ms", "3000"));  // beyond challenge_second_max_ms (2200)
  CHECK_FALSE(bad("liveness.challenge_span_window_ms", "2200"));
  // The card photo's extra views: a fraction of the face's size, 0 for one view.
  core::face::apply_setting(c, "recognizer.card_scale_jitter", "0");
  c.validate();
  CHECK(bad("recognizer.card_scale_jitter", "0.5"));
  CHECK(bad("recognizer.card_scale_jitter", "-0.1"));
  CHECK(core::face::setting_keys().size() > 30);
}

TEST_CASE("face config: the model directory comes from KIOSK_FACES_DIR, else ../shared/faces") {
  const char* saved = std::getenv("KIOSK_FACES_DIR");
  const std::string keep = saved != nullptr ? saved : "";
  ::setenv("KIOSK_FACES_DIR", "/srv/faces", 1);
  CHECK(core::face::default_model_dir() == "/srv/faces");
  ::unsetenv("KIOSK_FACES_DIR");
  CHECK(core::face::default_model_dir() == "../shared/faces");
  if (saved != nullptr) ::setenv("KIOSK_FACES_DIR", keep.c_str(), 1);
}

TEST_CASE("face verifier: a missing or broken model is a typed error naming the file") {
  core::face::FaceConfig c = test::test_config();
  c.model_dir = "/nonexistent/faces";
  try {
    core::face::FaceVerifier v(c);
    FAIL("loaded models from nowhere");
  } catch (const core::face::FaceError& e) {
    CHECK(e.kind() == core::face::FaceErrorKind::ModelMissing);
    CHECK(std::string(e.what()).find("/nonexistent/faces/models/face_detection_yunet_2022mar.onnx") != std::string::npos);
  }
  c = test::test_config();
  c.recognizer.model = test::faces_dir() / "data" / "manifest.csv";  // a file, but no network
  try {
    core::face::FaceVerifier v(c);
    FAIL("loaded a CSV file as a network");
  } catch (const core::face::FaceError& e) {
    CHECK(e.kind() == core::face::FaceErrorKind::ModelInvalid);
  }
}

TEST_CASE("evaluation: FRR at FAR, EER") {
  // 1000 impostors at 0.000..0.999, genuine at 0.5..0.99 and two low ones.
  std::vector<double> impostor;
  for (int i = 0; i < 1000; ++i) impostor.push_back(i / 1000.0);
  std::vector<double> genuine{0.1, 0.2};
  for (int i = 0; i < 98; ++i) genuine.push_back(0.9995 + i * 0.000001);
  const auto s = core::face::summarize_scores(genuine, impostor, {0.01, 0.001});
  REQUIRE(s.points.size() == 2);
  CHECK(s.genuine == 100);
  CHECK(s.impostor == 1000);
  CHECK(s.points[0].false_accepts == 10);  // scores 0.990 .. 0.999
  CHECK(s.points[0].far == Approx(0.01));
  CHECK(s.points[0].threshold > 0.989);
  CHECK(s.points[0].threshold <= 0.990);
  CHECK(s.points[0].frr == Approx(0.02));
  CHECK(s.points[1].false_accepts == 1);
  CHECK(s.points[1].frr == Approx(0.02));
  CHECK(s.eer == Approx(0.02).margin(0.011));
}

TEST_CASE("cross-validation: each fold's threshold comes from the other folds only, each held-out pair counts once") {
  // 12 identities: genuine pairs score 0.7-0.9, impostor pairs 0-0.6, all different.
  constexpr std::size_t kIds = 12;
  std::vector<core::face::PairScore> pairs;
  for (std::size_t a = 0; a < kIds; ++a) {
    for (std::size_t b = 0; b < kIds; ++b) {
      for (int n = 0; n < 3; ++n) {
        const double jitter = static_cast<double>((a * 37 + b * 11 + static_cast<std::size_t>(n) * 5) % 97) / 97.0;
        pairs.push_back({a == b ? 0.7 + 0.2 * jitter : 0.6 * jitter, a, b});
      }
    }
  }
  const auto cv = core::face::cross_validate(pairs, kIds, 4, 0.01, 7);
  REQUIRE(cv.folds.size() == 4);
  REQUIRE(cv.fold_of_identity.size() == kIds);
  std::size_t held_out_identities = 0;
  std::size_t same_fold_impostors = 0;
  for (const auto& p : pairs) {
    if (!p.genuine() && cv.fold_of_identity[p.identity_a] == cv.fold_of_identity[p.identity_b]) ++same_fold_impostors;
  }
  for (std::size_t f = 0; f < cv.folds.size(); ++f) {
    INFO("fold " << f);
    held_out_identities += cv.folds[f].identities;
    CHECK(cv.folds[f].identities == 3);
    // The threshold a fold uses: at most 1% of the training impostors (no held-out side) reach it.
    std::vector<double> training;
    for (const auto& p : pairs) {
      if (!p.genuine() && cv.fold_of_identity[p.identity_a] != f && cv.fold_of_identity[p.identity_b] != f) training.push_back(p.score);
    }
    const auto reaching = std::count_if(training.begin(), training.end(), [&](double v) { return v >= cv.folds[f].threshold; });
    CHECK(static_cast<double>(reaching) <= 0.01 * static_cast<double>(training.size()));
    // ... and it is the lowest such: one step lower lets more than 1% through.
    const double lower = std::nextafter(cv.folds[f].threshold, -1.0);
    CHECK(static_cast<double>(std::count_if(training.begin(), training.end(), [&](double v) { return v >= lower; })) >
          0.01 * static_cast<double>(training.size()));
  }
  CHECK(held_out_identities == kIds);
  CHECK(cv.genuine == kIds * 3);  // every genuine pair has both sides in one fold
  CHECK(cv.impostor == same_fold_impostors);
  CHECK(cv.false_rejects == 0);   // genuine 0.7+ against thresholds near 0.6
  CHECK(cv.far() <= 0.05);
  CHECK_THROWS_AS(core::face::cross_validate(pairs, kIds, 1, 0.01, 7), std::invalid_argument);
  CHECK_THROWS_AS(core::face::cross_validate(pairs, 3, 4, 0.01, 7), std::invalid_argument);
}

TEST_CASE("wiping: frames and embeddings are overwritten, shared buffers too") {
  cv::Mat frame(48, 64, CV_8UC3, cv::Scalar(10, 20, 30));
  const cv::Mat alias = frame;  // another header on the same pixels
  core::face::wipe(frame);
  CHECK(frame.empty());
  CHECK(cv::countNonZero(alias.reshape(1)) == 0);

  cv::Mat big(40, 40, CV_8UC1, cv::Scalar(7));
  cv::Mat view = big(cv::Rect(10, 10, 5, 5));
  core::face::wipe(view);
  CHECK(big.at<unsigned char>(12, 12) == 0);
  CHECK(big.at<unsigned char>(0, 0) == 7);  // only the view

  std::vector<float> values{1.0f, 2.0f, 3.0f};
  const float* data = values.data();
  core::face::wipe(values);
  CHECK(values.empty());
  CHECK(data[0] == 0.0f);  // still the vector's storage (capacity kept), now zero

  core::face::Embedding a(std::vector<float>{3.0f, 4.0f});
  CHECK(a.cosine(a) == Approx(1.0));
  core::face::Embedding b = std::move(a);
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): moved-from embeddings are empty
  CHECK(b.size() == 2);
  CHECK(core::face::Embedding(std::vector<float>{0.0f, 0.0f}).empty());
}

TEST_CASE("embeddings: the mean of several views is normalised, empty and odd-sized views are left out") {
  std::vector<core::face::Embedding> views;
  views.emplace_back(std::vector<float>{1.0f, 0.0f});
  views.emplace_back(std::vector<float>{0.0f, 5.0f});  // normalised to (0, 1) first
  views.emplace_back();                                 // an empty view
  views.emplace_back(std::vector<float>{1.0f, 0.0f, 0.0f});
  const core::face::Embedding mean = core::face::Embedding::mean_of(views);
  REQUIRE(mean.size() == 2);
  CHECK(mean.cosine(core::face::Embedding(std::vector<float>{1.0f, 1.0f})) == Approx(1.0));
  CHECK(mean.cosine(mean) == Approx(1.0));
  CHECK(core::face::Embedding::mean_of({}).empty());
  // Views that cancel out give no embedding (nothing to match), not a random direction.
  std::vector<core::face::Embedding> opposite;
  opposite.emplace_back(std::vector<float>{1.0f, 0.0f});
  opposite.emplace_back(std::vector<float>{-1.0f, 0.0f});
  CHECK(core::face::Embedding::mean_of(opposite).empty());
}
