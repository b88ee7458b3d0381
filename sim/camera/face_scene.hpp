// What the virtual camera sees: a person (or an attack) in front of a kiosk, rendered into
// camera-sized frames, with scripted conditions. Deterministic for a given seed.
//
// The face set holds tight crops; a crop is composed into a camera frame on a synthetic
// background. A still crop of a live person is animated: the head sways and turns, and the
// turn is rendered with a depth map (face ellipsoid plus nose), so the nose moves against the
// eyes and mouth as on a real head (3-D parallax). Attacks are rendered from the same person:
//  - PrintedPhoto: the photo printed on a sheet held up by hand: rigid and planar (one
//    homography per frame: tremor, tilt), white paper margin with straight edges, printing
//    contrast and tint, paper grain, halftone aliasing, glare; no parallax, no expression.
//  - LifeSizePhoto: a life-size print cut out along the head and held over a face: rigid and
//    planar like PrintedPhoto, but no straight paper edge in view.
//  - ScreenReplay: a video of the live person (with its parallax) on a tablet held up: bezel,
//    pixel-grid aliasing (moiré, colour fringes), rolling refresh bands, raised black level
//    and blue tint, glare; the tablet itself moves rigidly.
//  - CloseScreenReplay: the same screen held so close that it fills the view (no bezel).
// The pixel grid and halftone are modelled physically: the pattern at the screen/print
// resolution integrated over each camera pixel (first harmonic), so how visible the moiré is
// depends on the density ratio, as with a real camera.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

namespace kiosk::sim::camera {

// The person's appearance: a still image, an image sequence or a video.
class FaceSource {
 public:
  enum class Framing {
    Crop,   // a tight face crop: composed into the frame (scaled, moved, on a background)
    Frame,  // already a camera view: letterboxed into the frame as it is
  };

  // Throws std::runtime_error for an unreadable file.
  static FaceSource image(const std::filesystem::path& file, Framing framing = Framing::Crop);
  static FaceSource image(cv::Mat bgr, Framing framing = Framing::Crop);
  static FaceSource sequence(const std::vector<std::filesystem::path>& files, double fps,
                             Framing framing = Framing::Frame);
  static FaceSource video(const std::filesystem::path& file, Framing framing = Framing::Frame);

  FaceSource(FaceSource&&) noexcept;
  FaceSource& operator=(FaceSource&&) noexcept;
  ~FaceSource();

  // The image to show at `seconds` into the scene (sequences and videos loop).
  cv::Mat at(double seconds);
  // The first image (what a printed photo shows).
  const cv::Mat& first() const { return first_; }
  Framing framing() const { return framing_; }
  // Sequences and videos move by themselves: no synthetic head motion is added.
  bool animated() const { return !files_.empty() || capture_ != nullptr; }

 private:
  FaceSource() = default;

  Framing framing_ = Framing::Crop;
  cv::Mat first_;
  std::vector<std::filesystem::path> files_;
  double fps_ = 30.0;
  std::filesystem::path video_;
  std::unique_ptr<cv::VideoCapture> capture_;
  double video_fps_ = 30.0;
  long video_index_ = -1;
  long video_length_ = 0;  // frames, once the end was reached
  cv::Mat current_;
};

enum class Presentation {
  Live,
  PrintedPhoto,
  LifeSizePhoto,
  ScreenReplay,
  CloseScreenReplay,
  Nobody,  // an empty scene
};

enum class Condition {
  Normal,
  TwoFaces,  // a second person beside the first
  TooDark,
  Blurred,   // out of focus and moving
  TooNear,
  TooFar,
};

const char* to_string(Presentation p);
// The presentation named as to_string() names it; nullopt for another name.
std::optional<Presentation> presentation_from_name(std::string_view name);
const char* to_string(Condition c);

struct Segment {
  Presentation presentation = Presentation::Live;
  Condition condition = Condition::Normal;
  double seconds = 10.0;
};

struct SceneSettings {
  cv::Size frame{640, 480};
  double fps = 30.0;
  double face_width = 0.34;    // face crop width / frame width at a normal distance
  double yaw_degrees = 9.0;    // live head: yaw sway amplitude
  double pitch_degrees = 5.0;  // live head: nod amplitude
  double sway_period = 2.2;    // seconds per yaw sway
  // A recording made to pause: instead of swaying, the head turns from one side to the other in
  // half a second and stays there this many seconds before turning back (0: a smooth sway).
  double sway_pause = 0.0;
  double noise_sigma = 2.0;    // sensor noise (grey levels)
  // Screen replay: screen pixels per camera pixel (about 2.3 for a laptop or an older
  // tablet, 5 for a current high-density tablet at the same distance).
  double screen_density = 2.3;
  // A live person asked to turn the head (Scene::ask_to_turn): reaction time, how far, how
  // long the turn is held before the face comes back to the front. Each person (seed) varies
  // around these: reaction +-0.2 s, angle +-4 degrees.
  double turn_reaction = 0.6;
  double turn_degrees = 24.0;
  double turn_hold = 1.2;
  std::uint32_t seed = 1;
};

// The side a person is asked to turn the head to, as the person sees it.
enum class HeadTurn { Left, Right };

class Scene {
 public:
  // `script` plays in order; after its end the last segment goes on. An empty script is one
  // Live segment.
  Scene(FaceSource person, std::vector<Segment> script, SceneSettings settings = {});
  Scene(Scene&&) noexcept;
  Scene& operator=(Scene&&) noexcept;
  ~Scene();

  // Another person for Condition::TwoFaces (default: the first person mirrored).
  Scene& with_companion(FaceSource other);
  // The camera vanishes (unplugged) this many seconds into the scene.
  Scene& vanish_after(double seconds);
  // The camera stops delivering frames (stalls) this many seconds into the scene.
  Scene& stall_after(double seconds);

  const SceneSettings& settings() const { return settings_; }
  std::optional<double> vanish_time() const { return vanish_; }
  std::optional<double> stall_time() const { return stall_; }
  const Segment& segment_at(double seconds) const;
  // When (seconds) the first segment with a face starts, if any.
  std::optional<double> first_face_time() const;

  // The person reads "turn your head to your left/right" on the kiosk screen at `seconds`: a
  // live person turns that way after a reaction time, holds, and comes back (or turns on to
  // the next side asked). A replayed video, a photo or nobody does not answer. A repeated
  // request for the same side while the turn is under way or held changes nothing.
  void ask_to_turn(HeadTurn side, double seconds);
  // The person reads "hold your head there" at `seconds`: a live person still turned keeps the
  // turn until the next request (up to 5 s); one who already came back does nothing.
  void ask_to_hold(double seconds);

  // The camera frame at `seconds` (8-bit BGR, settings().frame). `index` seeds the noise.
  cv::Mat render(double seconds, std::uint64_t index);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  SceneSettings settings_;
  std::optional<double> vanish_;
  std::optional<double> stall_;
};

}  // namespace kiosk::sim::camera
