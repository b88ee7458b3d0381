#include "drivers/card_surface/second_opinion.hpp"

#include <algorithm>

namespace kiosk::drivers::card_surface {

namespace {

// `shorter` is `text` with one or more of its characters left out (in order).
bool dropped_from(std::string_view shorter, std::string_view text) {
  if (shorter.size() >= text.size()) return false;
  std::size_t at = 0;
  for (const char c : text) {
    if (at < shorter.size() && shorter[at] == c) ++at;
  }
  return at == shorter.size();
}

}  // namespace

std::optional<std::string_view> consensus(std::span<const Reading> readings, const VoteRule& rule) {
  if (rule.agree < 1) return std::nullopt;
  const auto confident = [&](const Reading& r) { return !r.text.empty() && r.min_confidence >= rule.min_confidence; };
  for (const Reading& candidate : readings) {
    if (!confident(candidate)) continue;
    int agreeing = 0;
    int other = 0;          // another text, nothing, or the same text without confidence
    int contradicting = 0;  // another text, read with confidence
    for (const Reading& r : readings) {
      if (r.text == candidate.text && confident(r)) {
        ++agreeing;
      } else {
        ++other;
        // A reading that is the candidate with digits left out ("1" for "11": a glyph an
        // engine dropped) does not say other digits are there.
        if (confident(r) && !dropped_from(r.text, candidate.text)) ++contradicting;
      }
    }
    if (agreeing >= rule.agree && other <= rule.dissent) return candidate.text;
    // An engine that found no digit there, or was unsure, speaks against it less than one
    // that read another: with nobody contradicting, one agreeing reading fewer is enough.
    if (contradicting == 0 && agreeing >= std::max(2, rule.agree - 1)) return candidate.text;
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
