// kiosk-sim camera record: what the simulator's cameras see, written as image files, so that the
// field binary (`kiosk run`, drivers/camera) can be run on it through a "dir:" camera source:
//   --person IMG        the face camera: a person (or an attack) before the kiosk (sim/camera
//                       Scene, as the simulated board renders it);
//   --card-front CARD   the card-tray camera: the printed front of a card file's card
//                       (sim/camera CardTrayCamera, in the layout of the card's generation).
// The frames are personal data when the image is a real face: write them outside the repository.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <opencv2/imgcodecs.hpp>

#include "firmware/kiosk_sim/commands.hpp"
#include "sim/camera/card_tray_camera.hpp"
#include "sim/camera/face_scene.hpp"
#include "sim/card/card_profile.hpp"

namespace kiosk::firmware::kiosk_sim {
namespace {

struct RecordOptions {
  std::string person;
  std::string presentation = "live";
  std::string card_front;
  std::string out;
  double seconds = 3.0;
  double fps = 10.0;
  unsigned seed = 1;
};

sim::camera::Presentation presentation_from(const std::string& name) {
  if (const auto p = sim::camera::presentation_from_name(name)) return *p;
  throw CLI::ValidationError("unknown --presentation '" + name + "'");
}

void write_frame(const std::filesystem::path& dir, int index, const cv::Mat& image) {
  char name[32];
  std::snprintf(name, sizeof name, "frame-%04d.png", index);
  if (!cv::imwrite((dir / name).string(), image)) throw std::runtime_error("cannot write " + (dir / name).string());
}

// Throws CLI::ValidationError for options that do not fit together, std::exception otherwise.
void record(const RecordOptions& o) {
  if (o.person.empty() == o.card_front.empty()) throw CLI::ValidationError("give either --person or --card-front");
  const double count = o.seconds * o.fps;
  if (!(count >= 1 && count <= 10'000)) throw CLI::ValidationError("--seconds x --fps must make 1 to 10000 frames");
  const int frames = static_cast<int>(count + 0.5);
  const std::filesystem::path dir(o.out);
  std::filesystem::create_directories(dir);
  if (!o.person.empty()) {
    sim::camera::SceneSettings settings;
    settings.fps = o.fps;
    settings.seed = o.seed;
    sim::camera::Scene scene(sim::camera::FaceSource::image(o.person),
                             {sim::camera::Segment{presentation_from(o.presentation),
                                                   sim::camera::Condition::Normal, o.seconds}},
                             settings);
    for (int i = 0; i < frames; ++i) write_frame(dir, i, scene.render(i / o.fps, static_cast<std::uint64_t>(i)));
  } else {
    sim::camera::CardTrayCamera::Settings settings;
    settings.fps = o.fps;
    settings.seed = o.seed;
    sim::camera::CardTrayCamera tray(settings);
    tray.place(sim::card::CardProfile::load(o.card_front));
    for (int i = 0; i < frames; ++i) write_frame(dir, i, tray.next_frame(std::chrono::seconds(5)).image);
  }
  std::cout << "wrote " << frames << " frames to " << dir.string() << " (use the camera source \"dir:"
            << dir.string() << "/?fps=" << o.fps << "\")\n";
}

}  // namespace

void register_camera_commands(CLI::App& app) {
  CLI::App* camera = app.add_subcommand("camera", "What the simulator's cameras see, as image files (for \"dir:\" camera sources)");
  camera->require_subcommand(1);
  auto* rec = camera->add_subcommand(
      "record",
      "Write the frames of the face camera (--person) or of the card-tray camera (--card-front) into a directory, "
      "for `kiosk run` with face.camera / face.scanner_camera set to \"dir:DIR/\"");
  auto options = std::make_shared<RecordOptions>();
  RecordOptions& o = *options;
  rec->add_option("--person", o.person, "Image of a face (a tight crop, as in ../shared/faces/data)");
  rec->add_option("--presentation", o.presentation,
                  "live | printed-photo | life-size-photo | screen-replay | close-screen-replay | nobody")
      ->capture_default_str();
  rec->add_option("--card-front", o.card_front, "Card file (kiosk-sim card issue): its printed front on the tray");
  rec->add_option("--out", o.out, "Directory to write frame-NNNN.png into")->required();
  rec->add_option("--seconds", o.seconds, "Length of the recording")->capture_default_str();
  rec->add_option("--fps", o.fps, "Frames per second")->capture_default_str();
  rec->add_option("--seed", o.seed, "Random seed (sway, noise, card position)")->capture_default_str();
  rec->callback([options] { record(*options); });
}

}  // namespace kiosk::firmware::kiosk_sim
