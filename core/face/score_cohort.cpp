#include "core/face/score_cohort.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "core/face/face_error.hpp"

namespace kiosk::core::face {

namespace {
constexpr double kMinDeviation = 1e-3;
}  // namespace

ScoreSpread ScoreSums::spread() const noexcept {
  if (count == 0.0) return {};
  const double mean = sum / count;
  return {mean, std::max(kMinDeviation, std::sqrt(std::max(0.0, squares / count - mean * mean)))};
}

ScoreSpread spread_of(std::span<const double> scores) {
  ScoreSums sums;
  for (double s : scores) sums.add(s);
  return sums.spread();
}

double normalised_score(double cosine, ScoreSpread card, ScoreSpread live, ScoreSpread cohort) {
  const double z_card = (cosine - card.mean) / card.deviation;
  const double z_live = (cosine - live.mean) / live.deviation;
  return cohort.mean + cohort.deviation * 0.5 * (z_card + z_live);
}

ScoreCohort::ScoreCohort(cv::Mat card_side, cv::Mat camera_side, std::vector<int> identity)
    : card_side_(std::move(card_side)), camera_side_(std::move(camera_side)), identity_(std::move(identity)) {
  const auto bad = [](const std::string& what) {
    throw FaceError(FaceErrorKind::BadConfig, "score cohort: " + what);
  };
  if (card_side_.type() != CV_32F || camera_side_.type() != CV_32F) bad("embeddings must be 32-bit floats");
  if (card_side_.size() != camera_side_.size() || static_cast<std::size_t>(card_side_.rows) != identity_.size()) {
    bad("card side, camera side and identities disagree in size");
  }
  if (card_side_.rows < kMinFaces) bad(std::to_string(card_side_.rows) + " faces, at least " + std::to_string(kMinFaces) + " needed");
  if (identities() < 2) bad("all faces belong to one person");
  for (const cv::Mat* m : {&card_side_, &camera_side_}) {
    for (int r = 0; r < m->rows; ++r) {
      const double n = cv::norm(m->row(r));
      if (!std::isfinite(n) || std::abs(n - 1.0) > 1e-2) bad("row " + std::to_string(r) + " is not an L2-normalised embedding");
    }
  }
  const cv::Mat cosines = card_side_ * camera_side_.t();
  std::vector<double> strangers;
  strangers.reserve(static_cast<std::size_t>(cosines.rows) * static_cast<std::size_t>(cosines.cols));
  for (int i = 0; i < cosines.rows; ++i) {
    for (int j = 0; j < cosines.cols; ++j) {
      if (identity_[static_cast<std::size_t>(i)] != identity_[static_cast<std::size_t>(j)]) {
        strangers.push_back(cosines.at<float>(i, j));
      }
    }
  }
  cohort_ = spread_of(strangers);
}

ScoreCohort ScoreCohort::of_faces(const std::vector<Embedding>& card_side, const std::vector<Embedding>& camera_side,
                                  std::vector<int> identity) {
  const auto rows = [](const std::vector<Embedding>& faces) {
    cv::Mat m;
    for (const Embedding& e : faces) {
      if (e.empty() || (!m.empty() && static_cast<int>(e.size()) != m.cols)) {
        throw FaceError(FaceErrorKind::BadConfig, "score cohort: an empty embedding or embeddings of different sizes");
      }
      m.push_back(cv::Mat(1, static_cast<int>(e.size()), CV_32F, const_cast<float*>(e.values().data())));  // copied
    }
    return m;
  };
  return ScoreCohort(rows(card_side), rows(camera_side), std::move(identity));
}

int ScoreCohort::identities() const noexcept {
  return static_cast<int>(std::set<int>(identity_.begin(), identity_.end()).size());
}

ScoreSpread ScoreCohort::against(const cv::Mat& side, const Embedding& e) const {
  if (e.empty() || static_cast<int>(e.size()) != side.cols) {
    throw FaceError(FaceErrorKind::BadConfig, "score cohort: an embedding of " + std::to_string(e.size()) +
                                                  " values against a cohort of " + std::to_string(side.cols) +
                                                  " (was the cohort made with another recognizer?)");
  }
  const cv::Mat v(side.cols, 1, CV_32F, const_cast<float*>(e.values().data()));
  const cv::Mat cosines = side * v;
  std::vector<double> scores(cosines.begin<float>(), cosines.end<float>());
  return spread_of(scores);
}

ScoreSpread ScoreCohort::of_card(const Embedding& card) const { return against(camera_side_, card); }
ScoreSpread ScoreCohort::of_live(const Embedding& live) const { return against(card_side_, live); }

void ScoreCohort::save(const std::filesystem::path& file) const {
  cv::FileStorage fs(file.string(), cv::FileStorage::WRITE);
  if (!fs.isOpened()) throw FaceError(FaceErrorKind::ModelInvalid, "cannot write the score cohort " + file.string());
  fs << "format" << "kiosk-score-cohort-1";
  fs << "card_side" << card_side_;
  fs << "camera_side" << camera_side_;
  fs << "identity" << cv::Mat(identity_, true);
}

ScoreCohort ScoreCohort::load(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw FaceError(FaceErrorKind::ModelMissing, "no score cohort at " + file.string());
  }
  cv::Mat card_side;
  cv::Mat camera_side;
  cv::Mat identity;
  try {
    cv::FileStorage fs(file.string(), cv::FileStorage::READ);
    if (!fs.isOpened()) throw FaceError(FaceErrorKind::ModelInvalid, "the score cohort " + file.string() + " does not open");
    std::string format;
    fs["format"] >> format;
    if (format != "kiosk-score-cohort-1") {
      throw FaceError(FaceErrorKind::ModelInvalid, "the score cohort " + file.string() + " is not a kiosk score cohort (format '" + format + "')");
    }
    fs["card_side"] >> card_side;
    fs["camera_side"] >> camera_side;
    fs["identity"] >> identity;
  } catch (const cv::Exception& e) {
    throw FaceError(FaceErrorKind::ModelInvalid, "the score cohort " + file.string() + " does not parse: " + e.what());
  }
  if (identity.type() != CV_32S || (identity.cols != 1 && !identity.empty())) {
    throw FaceError(FaceErrorKind::ModelInvalid, "the score cohort " + file.string() + " has no identity column");
  }
  try {
    return ScoreCohort(std::move(card_side), std::move(camera_side),
                       std::vector<int>(identity.begin<int>(), identity.end<int>()));
  } catch (const FaceError& e) {
    throw FaceError(FaceErrorKind::ModelInvalid, file.string() + ": " + e.what());
  }
}

}  // namespace kiosk::core::face
