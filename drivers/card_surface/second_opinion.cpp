#include "drivers/card_surface/second_opinion.hpp"

namespace kiosk::drivers::card_surface {

std::optional<std::string_view> consensus(std::span<const Reading> readings, const VoteRule& rule) {
  if (rule.agree < 1) return std::nullopt;
  for (const Reading& candidate : readings) {
    if (candidate.text.empty() || candidate.min_confidence < rule.min_confidence) continue;
    int agreeing = 0;
    int other = 0;
    for (const Reading& r : readings) {
      if (r.text == candidate.text && r.min_confidence >= rule.min_confidence) {
        ++agreeing;
      } else {
        ++other;  // another text, nothing, or the same text without confidence
      }
    }
    if (agreeing >= rule.agree && other <= rule.dissent) return candidate.text;
    // No other candidate can win: it would need this one's readings among its dissent.
    if (agreeing > rule.dissent) return std::nullopt;
  }
  return std::nullopt;
}

SecondOpinions::SecondOpinions(const std::vector<std::string>& models, const std::filesystem::path& tessdata) {
  for (const std::string& model : models) {
    try {
      engines_.push_back(std::make_unique<TesseractLine>(model, "0123456789", tessdata));
      members_.push_back(model);
    } catch (const OcrSetupError&) {
      missing_.push_back(model);
    }
  }
}

std::vector<OcrLine> SecondOpinions::read(const cv::Mat& image) {
  std::vector<OcrLine> lines;
  lines.reserve(engines_.size());
  for (auto& engine : engines_) lines.push_back(engine->read(image));
  return lines;
}

}  // namespace kiosk::drivers::card_surface
