#include "core/face/face_config.hpp"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <utility>

#include "core/face/face_error.hpp"

namespace kiosk::core::face {

std::filesystem::path default_model_dir() {
  const char* env = std::getenv("KIOSK_FACES_DIR");
  if (env != nullptr && *env != '\0') return env;
  return "../shared/faces";
}

const char* to_string(RecognizerKind kind) {
  switch (kind) {
    case RecognizerKind::PaddleX: return "paddlex";
    case RecognizerKind::Foamliu: return "foamliu";
    case RecognizerKind::SFace: return "sface";
    case RecognizerKind::Onnx: return "onnx";
  }
  return "unknown";
}

RecognizerKind recognizer_kind_from_name(std::string_view name) {
  if (name == "paddlex") return RecognizerKind::PaddleX;
  if (name == "foamliu") return RecognizerKind::Foamliu;
  if (name == "sface") return RecognizerKind::SFace;
  if (name == "onnx") return RecognizerKind::Onnx;
  throw FaceError(FaceErrorKind::BadConfig,
                  "face.recognizer: unknown recognizer '" + std::string(name) + "' (paddlex, foamliu, sface, onnx)");
}

RecognizerSettings RecognizerSettings::preset(RecognizerKind kind) {
  RecognizerSettings s;
  s.kind = kind;
  switch (kind) {
    case RecognizerKind::PaddleX:
      // Threshold: FAR 0.1% on ../shared/faces, card protocol (face-eval, docs/face-authentication.md;
      // 0.3374 there with card_scale_jitter and flip_average_live, kept: FAR 61 of 61,798 either way).
      s.model = "models/mobilefacenet_paddlex_128d.onnx";
      s.threshold = 0.3377;
      // With a score cohort: FAR 0.1% of the normalised scores, card protocol, each pair against
      // the set's other identities (face-eval accuracy --cohort; FRR 0.95% there).
      s.cohort_threshold = 0.3465;
      break;
    case RecognizerKind::Foamliu:
      s.model = "models/mobilefacenet_foamliu_128d.onnx";
      s.swap_rb = true;
      s.threshold = 0.3654;  // FAR 0.1%, card protocol; FRR 4.9% there: weaker than PaddleX
      break;
    case RecognizerKind::SFace:
      // Not measured here (the file is not on these machines): OpenCV's published cosine
      // threshold for SFace (0.363, opencv_zoo). Re-calibrate with face-eval before use.
      s.model = "models/face_recognition_sface_2021dec.onnx";
      s.scale = 1.0;
      s.mean = 0.0;
      s.swap_rb = true;
      s.threshold = 0.363;
      break;
    case RecognizerKind::Onnx:
      s.model = "models/embedder.onnx";
      s.threshold = 0.5;  // meaningless until calibrated with face-eval
      break;
  }
  return s;
}

std::filesystem::path FaceConfig::resolve(const std::filesystem::path& p) const {
  return p.is_absolute() ? p : model_dir / p;
}

namespace {

[[noreturn]] void bad(const std::string& what) { throw FaceError(FaceErrorKind::BadConfig, what); }

void check(bool ok, const char* key, const char* rule) {
  if (!ok) bad(std::string("face.") + key + " must be " + rule);
}

template <typename T>
T parse_number(std::string_view key, std::string_view value) {
  T out{};
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size()) {
    bad("face." + std::string(key) + ": '" + std::string(value) + "' is not a number");
  }
  return out;
}

bool parse_bool(std::string_view key, std::string_view value) {
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  bad("face." + std::string(key) + ": '" + std::string(value) + "' is not true/false");
}

using Setter = std::function<void(FaceConfig&, std::string_view key, std::string_view value)>;

// Helpers to bind a member of a settings group.
template <typename Group, typename T>
Setter set_double(Group FaceConfig::*group, T Group::*field) {
  return [group, field](FaceConfig& c, std::string_view k, std::string_view v) {
    (c.*group).*field = static_cast<T>(parse_number<double>(k, v));
  };
}
template <typename Group>
Setter set_int(Group FaceConfig::*group, int Group::*field) {
  return [group, field](FaceConfig& c, std::string_view k, std::string_view v) {
    (c.*group).*field = parse_number<int>(k, v);
  };
}
template <typename Group>
Setter set_bool(Group FaceConfig::*group, bool Group::*field) {
  return [group, field](FaceConfig& c, std::string_view k, std::string_view v) {
    (c.*group).*field = parse_bool(k, v);
  };
}
template <typename Group>
Setter set_ms(Group FaceConfig::*group, std::chrono::milliseconds Group::*field) {
  return [group, field](FaceConfig& c, std::string_view k, std::string_view v) {
    (c.*group).*field = std::chrono::milliseconds(parse_number<long>(k, v));
  };
}

const std::vector<std::pair<std::string, Setter>>& setters() {
  static const std::vector<std::pair<std::string, Setter>> table = {
      {"model_dir", [](FaceConfig& c, std::string_view, std::string_view v) { c.model_dir = std::string(v); }},
      {"detector.model", [](FaceConfig& c, std::string_view, std::string_view v) { c.detector.model = std::string(v); }},
      {"detector.score_threshold", set_double(&FaceConfig::detector, &DetectorSettings::score_threshold)},
      {"detector.nms_threshold", set_double(&FaceConfig::detector, &DetectorSettings::nms_threshold)},
      {"detector.detect_width", set_int(&FaceConfig::detector, &DetectorSettings::detect_width)},
      {"detector.max_face_px", set_int(&FaceConfig::detector, &DetectorSettings::max_face_px)},
      {"detector.refine_landmarks", set_bool(&FaceConfig::detector, &DetectorSettings::refine_landmarks)},
      {"recognizer", [](FaceConfig& c, std::string_view, std::string_view v) {
         c.recognizer = RecognizerSettings::preset(recognizer_kind_from_name(v));
       }},
      {"recognizer.model", [](FaceConfig& c, std::string_view, std::string_view v) { c.recognizer.model = std::string(v); }},
      {"recognizer.scale", set_double(&FaceConfig::recognizer, &RecognizerSettings::scale)},
      {"recognizer.mean", set_double(&FaceConfig::recognizer, &RecognizerSettings::mean)},
      {"recognizer.swap_rb", set_bool(&FaceConfig::recognizer, &RecognizerSettings::swap_rb)},
      {"recognizer.flip_average", set_bool(&FaceConfig::recognizer, &RecognizerSettings::flip_average)},
      {"recognizer.flip_average_live", set_bool(&FaceConfig::recognizer, &RecognizerSettings::flip_average_live)},
      {"recognizer.card_scale_jitter", set_double(&FaceConfig::recognizer, &RecognizerSettings::card_scale_jitter)},
      {"threshold", set_double(&FaceConfig::recognizer, &RecognizerSettings::threshold)},
      {"recognizer.cohort", [](FaceConfig& c, std::string_view, std::string_view v) { c.recognizer.cohort = std::string(v); }},
      {"cohort_threshold", set_double(&FaceConfig::recognizer, &RecognizerSettings::cohort_threshold)},
      {"quality.min_face_width", set_double(&FaceConfig::quality, &QualityLimits::min_face_width)},
      {"quality.max_face_width", set_double(&FaceConfig::quality, &QualityLimits::max_face_width)},
      {"quality.edge_margin", set_double(&FaceConfig::quality, &QualityLimits::edge_margin)},
      {"quality.max_yaw", set_double(&FaceConfig::quality, &QualityLimits::max_yaw)},
      {"quality.max_roll_degrees", set_double(&FaceConfig::quality, &QualityLimits::max_roll_degrees)},
      {"quality.min_brightness", set_double(&FaceConfig::quality, &QualityLimits::min_brightness)},
      {"quality.max_brightness", set_double(&FaceConfig::quality, &QualityLimits::max_brightness)},
      {"quality.min_contrast", set_double(&FaceConfig::quality, &QualityLimits::min_contrast)},
      {"quality.min_sharpness", set_double(&FaceConfig::quality, &QualityLimits::min_sharpness)},
      {"quality.second_face_ratio", set_double(&FaceConfig::quality, &QualityLimits::second_face_ratio)},
      {"liveness.enabled", set_bool(&FaceConfig::liveness, &LivenessSettings::enabled)},
      {"liveness.min_parallax", set_double(&FaceConfig::liveness, &LivenessSettings::min_parallax)},
      {"liveness.min_frames", set_int(&FaceConfig::liveness, &LivenessSettings::min_frames)},
      {"liveness.check_frame_edges", set_bool(&FaceConfig::liveness, &LivenessSettings::check_frame_edges)},
      {"liveness.edge_frame_fraction", set_double(&FaceConfig::liveness, &LivenessSettings::edge_frame_fraction)},
      {"liveness.check_periodic_pattern", set_bool(&FaceConfig::liveness, &LivenessSettings::check_periodic_pattern)},
      {"liveness.max_periodic_score", set_double(&FaceConfig::liveness, &LivenessSettings::max_periodic_score)},
      {"liveness.ignore_jpeg_grid", set_bool(&FaceConfig::liveness, &LivenessSettings::ignore_jpeg_grid)},
      {"liveness.artefact_min_frames", set_int(&FaceConfig::liveness, &LivenessSettings::artefact_min_frames)},
      {"liveness.head_turn_challenge", set_bool(&FaceConfig::liveness, &LivenessSettings::head_turn_challenge)},
      {"liveness.challenge_first_turn", set_double(&FaceConfig::liveness, &LivenessSettings::challenge_first_turn)},
      {"liveness.challenge_span", set_double(&FaceConfig::liveness, &LivenessSettings::challenge_span)},
      {"liveness.challenge_wrong_way", set_double(&FaceConfig::liveness, &LivenessSettings::challenge_wrong_way)},
      {"liveness.challenge_turn_frames", set_int(&FaceConfig::liveness, &LivenessSettings::challenge_turn_frames)},
      {"liveness.challenge_first_min_ms", set_ms(&FaceConfig::liveness, &LivenessSettings::challenge_first_min)},
      {"liveness.challenge_second_max_ms", set_ms(&FaceConfig::liveness, &LivenessSettings::challenge_second_max)},
      {"liveness.challenge_span_window_ms", set_ms(&FaceConfig::liveness, &LivenessSettings::challenge_span_window)},
      {"liveness.challenge_hold_min_ms", set_ms(&FaceConfig::liveness, &LivenessSettings::challenge_hold_min)},
      {"liveness.challenge_hold_max_ms", set_ms(&FaceConfig::liveness, &LivenessSettings::challenge_hold_max)},
      {"liveness.challenge_still_window_ms", set_ms(&FaceConfig::liveness, &LivenessSettings::challenge_still_window)},
      {"liveness.challenge_reaction_min_ms", set_ms(&FaceConfig::liveness, &LivenessSettings::challenge_reaction_min)},
      {"liveness.challenge_still", set_double(&FaceConfig::liveness, &LivenessSettings::challenge_still)},
      {"liveness.challenge_hold_drop", set_double(&FaceConfig::liveness, &LivenessSettings::challenge_hold_drop)},
      {"liveness.challenge_hold_floor", set_double(&FaceConfig::liveness, &LivenessSettings::challenge_hold_floor)},
      {"policy.attempt_budget_ms", set_ms(&FaceConfig::policy, &SessionPolicy::attempt_budget)},
      {"policy.no_face_budget_ms", set_ms(&FaceConfig::policy, &SessionPolicy::no_face_budget)},
      {"policy.max_attempts", set_int(&FaceConfig::policy, &SessionPolicy::max_attempts)},
      {"policy.match_frames", set_int(&FaceConfig::policy, &SessionPolicy::match_frames)},
      {"policy.reject_after_frames", set_int(&FaceConfig::policy, &SessionPolicy::reject_after_frames)},
      {"policy.reject_margin", set_double(&FaceConfig::policy, &SessionPolicy::reject_margin)},
      {"policy.turn_prompt_after_ms", set_ms(&FaceConfig::policy, &SessionPolicy::turn_prompt_after)},
      {"policy.challenge_identity_margin", set_double(&FaceConfig::policy, &SessionPolicy::challenge_identity_margin)},
      {"policy.greyscale_matching", set_bool(&FaceConfig::policy, &SessionPolicy::greyscale_matching)},
  };
  return table;
}

}  // namespace

void apply_setting(FaceConfig& config, std::string_view key, std::string_view value) {
  if (key.substr(0, 5) == "face.") key.remove_prefix(5);
  for (const auto& [name, setter] : setters()) {
    if (name == key) {
      setter(config, key, value);
      return;
    }
  }
  bad("unknown setting face." + std::string(key));
}

std::vector<std::string> setting_keys() {
  std::vector<std::string> out;
  for (const auto& entry : setters()) out.push_back("face." + entry.first);
  return out;
}

void FaceConfig::validate() const {
  check(detector.score_threshold > 0.0f && detector.score_threshold < 1.0f, "detector.score_threshold", "in (0, 1)");
  check(detector.nms_threshold > 0.0f && detector.nms_threshold < 1.0f, "detector.nms_threshold", "in (0, 1)");
  check(detector.detect_width >= 160 && detector.detect_width <= 1920, "detector.detect_width", "160-1920");
  check(detector.max_face_px >= 64 && detector.max_face_px <= 480, "detector.max_face_px", "64-480");
  check(recognizer.threshold > -1.0 && recognizer.threshold < 1.0, "threshold", "a cosine in (-1, 1)");
  check(recognizer.cohort_threshold > -1.0 && recognizer.cohort_threshold < 1.0, "cohort_threshold",
        "in (-1, 1) (a normalised score on the scale of a cosine)");
  check(recognizer.scale > 0.0, "recognizer.scale", "positive");
  check(recognizer.card_scale_jitter >= 0.0 && recognizer.card_scale_jitter <= 0.2, "recognizer.card_scale_jitter",
        "0-0.2 (a fraction of the face's size)");
  check(quality.min_face_width > 0.0 && quality.min_face_width < quality.max_face_width && quality.max_face_width <= 1.0,
        "quality.min_face_width", "below quality.max_face_width (fractions of the frame width)");
  check(quality.min_brightness < quality.max_brightness, "quality.min_brightness", "below quality.max_brightness");
  check(liveness.min_parallax > 0.0, "liveness.min_parallax", "positive");
  check(liveness.min_frames >= 2, "liveness.min_frames", "at least 2");
  check(liveness.edge_frame_fraction > 0.0 && liveness.edge_frame_fraction <= 1.0, "liveness.edge_frame_fraction",
        "in (0, 1]");
  check(liveness.artefact_min_frames >= 1, "liveness.artefact_min_frames", "at least 1");
  check(liveness.challenge_first_turn > 0.0 && liveness.challenge_first_turn < liveness.challenge_span,
        "liveness.challenge_first_turn", "positive and below liveness.challenge_span");
  check(liveness.challenge_span > 0.0 && liveness.challenge_span < 2.0 * quality.max_yaw, "liveness.challenge_span",
        "positive and below twice quality.max_yaw (turned faces must stay usable)");
  check(liveness.challenge_wrong_way > 0.0 && liveness.challenge_wrong_way < 1.0, "liveness.challenge_wrong_way", "in (0, 1)");
  check(liveness.challenge_turn_frames >= 1 && liveness.challenge_turn_frames <= 30, "liveness.challenge_turn_frames", "1-30");
  check(liveness.challenge_first_min.count() >= 0 && liveness.challenge_first_min < policy.attempt_budget,
        "liveness.challenge_first_min_ms", "in [0, policy.attempt_budget_ms)");
  check(liveness.challenge_second_max.count() > 0, "liveness.challenge_second_max_ms", "positive");
  check(liveness.challenge_span_window.count() >= 100 && liveness.challenge_span_window <= liveness.challenge_second_max,
        "liveness.challenge_span_window_ms", "in [100, liveness.challenge_second_max_ms]");
  check(liveness.challenge_hold_min.count() >= 0 && liveness.challenge_hold_min <= liveness.challenge_hold_max,
        "liveness.challenge_hold_min_ms", "in [0, liveness.challenge_hold_max_ms]");
  check(liveness.challenge_hold_max.count() >= 0 && liveness.challenge_hold_max.count() <= 3000,
        "liveness.challenge_hold_max_ms", "in [0, 3000]");
  check(liveness.challenge_still_window.count() >= 100 && liveness.challenge_still_window.count() <= 1000,
        "liveness.challenge_still_window_ms", "in [100, 1000]");
  check(liveness.challenge_reaction_min.count() >= 0 && liveness.challenge_reaction_min.count() <= 500,
        "liveness.challenge_reaction_min_ms", "in [0, 500]");
  check(liveness.challenge_still > 0.0 && liveness.challenge_still < 1.0, "liveness.challenge_still", "in (0, 1)");
  check(liveness.challenge_hold_drop > 0.0 && liveness.challenge_hold_drop < 1.0, "liveness.challenge_hold_drop", "in (0, 1)");
  check(liveness.challenge_hold_floor >= 0.0 && liveness.challenge_hold_floor < liveness.challenge_span,
        "liveness.challenge_hold_floor", "in [0, liveness.challenge_span)");
  check(policy.attempt_budget.count() > 0, "policy.attempt_budget_ms", "positive");
  check(policy.no_face_budget.count() > 0, "policy.no_face_budget_ms", "positive");
  check(policy.max_attempts >= 1, "policy.max_attempts", "at least 1");
  check(policy.match_frames >= 1, "policy.match_frames", "at least 1");
  check(policy.reject_after_frames >= policy.match_frames, "policy.reject_after_frames", "at least policy.match_frames");
  check(policy.challenge_identity_margin >= 0.0 && policy.challenge_identity_margin < 1.0,
        "policy.challenge_identity_margin", "in [0, 1)");
}

}  // namespace kiosk::core::face
