// Settings of face authentication: where the models are, how frames are pre-processed, the
// matching threshold, quality limits, liveness and the session policy (time budget, attempts).
//
// Every figure here has a stated origin; the matching thresholds were measured with face-eval
// on ../shared/faces (docs/face-authentication.md gives the tables). A kiosk configuration
// overrides any of them with apply_setting("face.<key>", "<value>").
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::core::face {

// The face models: never in the repository. Looked up in this order: --model-dir / config key
// face.model_dir, $KIOSK_FACES_DIR, ../shared/faces (relative to the working directory).
std::filesystem::path default_model_dir();

enum class RecognizerKind {
  PaddleX,  // mobilefacenet_paddlex_128d.onnx (default): BGR, (x - 127.5) / 127.5
  Foamliu,  // mobilefacenet_foamliu_128d.onnx: RGB, same scaling; weaker
  SFace,    // face_recognition_sface_2021dec.onnx through cv::FaceRecognizerSF (not shipped here)
  Onnx,     // any other 112x112 ONNX embedder: input scaling and channel order from the settings
};

const char* to_string(RecognizerKind kind);
// "paddlex", "foamliu", "sface", "onnx"; throws FaceError(BadConfig).
RecognizerKind recognizer_kind_from_name(std::string_view name);

struct RecognizerSettings {
  RecognizerKind kind = RecognizerKind::PaddleX;
  std::filesystem::path model;  // relative to the model directory unless absolute
  // cv::dnn input: blob = (pixel - mean) * scale, channels swapped to RGB when swap_rb.
  // Ignored for SFace (cv::FaceRecognizerSF does its own pre-processing).
  double scale = 1.0 / 127.5;
  double mean = 127.5;
  bool swap_rb = false;
  // Cosine similarity at or above which two faces are the same person. The presets are
  // calibrated for FAR 0.1% (face-eval, card protocol, ../shared/faces).
  double threshold = 0.0;
  // Embed the face and its mirror image and average them (test-time augmentation): better
  // accuracy for twice the embedding time. For the card photo (once per session) and, with
  // flip_average_live, for every camera frame too.
  bool flip_average = true;
  bool flip_average_live = true;
  // The card photo is enrolled once a session, so it can afford more views: its face is also
  // aligned this much smaller and larger (landmarks scaled about their centre) and the three
  // views averaged. 0: one view. FRR at FAR 0.1% on held-out identities (face-eval accuracy,
  // three fold seeds): 1.79 / 1.89 / 1.89% with neither, 1.47 / 1.58 / 1.79% with 0.08 and
  // flip_average_live.
  double card_scale_jitter = 0.08;
  // Score normalisation (core/face/score_cohort.hpp): a cohort file made by `face-eval cohort`
  // (relative to the model directory unless absolute; empty: none, scores are plain cosines).
  // With a cohort, a face matches when its normalised score reaches cohort_threshold.
  std::filesystem::path cohort;
  double cohort_threshold = 0.0;

  // The settings for a known model (model file, pre-processing, calibrated threshold).
  static RecognizerSettings preset(RecognizerKind kind);
};

struct DetectorSettings {
  std::filesystem::path model = "models/face_detection_yunet_2022mar.onnx";
  float score_threshold = 0.6f;  // faces README: about 0.6
  float nms_threshold = 0.3f;
  // Frames are scaled down to this width before detection (YuNet costs ~56 ms on 640x480 and
  // ~10 ms on 320x240 on the 2-core reference machine). Alignment uses the full-size frame.
  int detect_width = 320;
  // YuNet-2022mar misplaces landmarks on faces of ~500 px and more: images are scaled down
  // further until the face is at most this wide at detection.
  int max_face_px = 300;
  // Detect the main face again in a full-resolution window around it, for precise landmarks
  // (better alignment: FRR at FAR 0.1% 2.0% -> 1.7% on ../shared/faces) for ~10 ms more.
  bool refine_landmarks = true;
};

// Limits of a usable frame; outside them the patient gets guidance.
struct QualityLimits {
  double min_face_width = 0.20;    // face box width / frame width; smaller: move closer
  double max_face_width = 0.62;    // larger: move back
  double edge_margin = 0.02;       // the face box must keep this fraction of the frame from each edge
  double max_yaw = 0.40;           // |nose offset from the eye midline| / eye distance (~35 degrees): look at the camera
  double max_roll_degrees = 20.0;  // tilt of the eye line
  double min_brightness = 55.0;    // mean grey level of the face (0-255): more light
  double max_brightness = 215.0;   // over-exposed face: avoid direct light
  double min_contrast = 14.0;      // grey standard deviation of the face: more light
  double min_sharpness = 60.0;     // variance of the Laplacian of the aligned 112x112 face: hold still
  double second_face_ratio = 0.55; // another face at least this wide (relative): one person only
};

struct LivenessSettings {
  bool enabled = true;
  // 3-D parallax: how far the motion of the face's textured points is from one plane (80th
  // percentile of a homography's reprojection errors, in eye distances), sustained over three
  // frames. Simulated flat photos stay at 0.001-0.005 however they move; simulated live heads
  // pass 0.010 within ~0.2 s and reach 0.03-0.08 (face-eval attacks, docs/face-authentication.md).
  double min_parallax = 0.010;
  int min_frames = 4;              // usable frames before a verdict
  // Screen or photo edge: a straight-edged frame close around the face on at least 3 sides,
  // seen in at least this fraction of the usable frames (and at least artefact_min_frames).
  bool check_frame_edges = true;
  double edge_frame_fraction = 0.5;
  // Periodic pattern (screen pixel grid / halftone moiré) in the face: the strongest isolated
  // spectral peak over its local spectral background, median over the usable frames
  // (simulated live faces 3.8-5.0, screens at 2.3 screen pixels per camera pixel 13-60).
  bool check_periodic_pattern = true;
  double max_periodic_score = 9.0;
  bool ignore_jpeg_grid = true;    // MJPEG cameras put 8x8 block harmonics into every frame
  int artefact_min_frames = 8;  // about half a second: a still face by a door frame is not a bezel
  // Active challenge (core/face/head_turn_challenge.hpp): once the face looks like the card's
  // person, the patient is asked to turn the head to a side chosen at random (their own left or
  // right), then to the other side. A recording (a screen replay, a video file) does not follow.
  // Yaw is the nose's offset from the eye midline in eye distances (quality.yaw): real faces
  // give about 0.5 x sin(angle); on the simulator's rendered heads turns of +-24 degrees span
  // 0.17-1.34 (median 0.31), sways of +-9 degrees 0.05-0.20. The second turn is therefore judged
  // by its speed as well: the span must be covered within challenge_span_window (a sway of ~2 s
  // a cycle covers less than half of its range in 0.5 s). challenge_span was chosen on the first
  // 27 identities of ../shared/faces (face-eval attacks --verbose, the question set never to
  // pass): the largest span within 500 ms was 0.20-0.42 for live patients, 0.13-0.46 for slow
  // approaches, 0.04-0.14 for high-density screen replays; 0.16 sits between.
  bool head_turn_challenge = true;
  double challenge_first_turn = 0.03;  // toward the first side, from the least yaw that way since the question
  double challenge_wrong_way = 0.15;   // the other way first, from the yaw at the question: failed
  double challenge_span = 0.16;        // from the first side's furthest yaw (within the window) over to the other side
  std::chrono::milliseconds challenge_span_window{500};
  int challenge_turn_frames = 2;       // consecutive frames past each mark
  // The first side is asked at least this long (the patient reads, reacts and turns); the
  // second turn must follow within challenge_second_max, else the challenge fails.
  std::chrono::milliseconds challenge_first_min{1000};
  std::chrono::milliseconds challenge_second_max{2200};
  // Between the two sides the patient is asked to hold the first turn ("hold it there"). The
  // hold counts from the moment the head is seen still (the yaw's range within
  // challenge_still_window at most challenge_still of the first turn) and lasts a random time
  // in [challenge_hold_min, challenge_hold_max], drawn per question; only then is the other
  // side asked. A face that comes back by more than challenge_hold_drop of its first turn before
  // that, or within challenge_reaction_min after the second question (nobody reads and reacts
  // faster), fails: a recording that sways is never still but at the end of a swing, and then
  // comes straight back. Both tolerances are at least challenge_hold_floor (landmark noise).
  // The head must be seen still within challenge_second_max of the first turn. A
  // challenge_hold_max of 0 asks the second side as soon as the first turn is seen (no hold).
  // Chosen on the first 27 identities of ../shared/faces (face-eval attacks --verbose with the
  // drop tolerance set never to fail): live patients came back by up to 0.10 (slow approach
  // 0.13, up to 0.56 of their first turn) while holding; a recording of +-26 degree sways looks
  // held for about half a second at each end (the landmark yaw of a face turned that far hardly
  // changes), so a hold of 0.4-1.0 s let 8 of 27 through, 0.8-1.6 s 1 of 27.
  std::chrono::milliseconds challenge_hold_min{800};
  std::chrono::milliseconds challenge_hold_max{1600};
  std::chrono::milliseconds challenge_still_window{250};
  std::chrono::milliseconds challenge_reaction_min{200};
  double challenge_still = 0.15;
  double challenge_hold_drop = 0.60;
  double challenge_hold_floor = 0.12;
};

struct SessionPolicy {
  // Per attempt, from the first frame in which a face was found: a patient who needs time to
  // step in front of the camera still gets the whole budget.
  std::chrono::milliseconds attempt_budget{6000};
  // Until a face is found, from the attempt's first frame; then NoFace.
  std::chrono::milliseconds no_face_budget{15000};
  int max_attempts = 3;          // then the kiosk offers the PIN
  int match_frames = 3;          // usable frames before the attempt's mean score can decide
  // Early rejection: this many usable frames and a mean score below threshold - margin.
  int reject_after_frames = 15;
  double reject_margin = 0.12;
  // With a matching face but no liveness evidence yet, ask the patient to turn the head
  // slightly after this long.
  std::chrono::milliseconds turn_prompt_after{1000};
  // Frames count for the head-turn challenge while their score is at least threshold - this
  // (a face turned 15-25 degrees scores lower than a frontal one; someone else's face scores
  // far lower still).
  double challenge_identity_margin = 0.20;
  // Compare grey with grey: the card photo is greyscale, so the live face is too.
  bool greyscale_matching = true;
};

struct FaceConfig {
  std::filesystem::path model_dir = default_model_dir();
  DetectorSettings detector;
  RecognizerSettings recognizer = RecognizerSettings::preset(RecognizerKind::PaddleX);
  QualityLimits quality;
  LivenessSettings liveness;
  SessionPolicy policy;

  // `p` relative to model_dir unless absolute.
  std::filesystem::path resolve(const std::filesystem::path& p) const;
  // Throws FaceError(BadConfig) naming the first setting out of range.
  void validate() const;
};

// Applies one "face.<key>" setting from the kiosk configuration (the "face." prefix is
// optional). Throws FaceError(BadConfig) for an unknown key or a bad value. Setting
// face.recognizer applies that model's preset (model, pre-processing, threshold); set the
// others after it.
void apply_setting(FaceConfig& config, std::string_view key, std::string_view value);
// The keys apply_setting() knows, for --help and diagnostics.
std::vector<std::string> setting_keys();

}  // namespace kiosk::core::face
