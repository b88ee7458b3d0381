// face_bench: speed and memory of the face pipeline on this machine.
//   face_bench [faces-dir] [key=value]...   (faces-dir: default $KIOSK_FACES_DIR, else
//                                            <source>/../shared/faces; key=value: face settings)
// Prints: model load time and RSS; per-frame detection and embedding time on 640x480 frames
// of the virtual camera; the frame rate the pipeline sustains; the time from a face appearing
// in front of a real-time 30 fps virtual camera to the decision; peak RSS.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/face/face_error.hpp"
#include "core/face/face_session.hpp"
#include "core/face/liveness.hpp"
#include "sim/camera/face_scene.hpp"
#include "sim/camera/virtual_camera.hpp"
#include "sim/card/card_factory.hpp"

namespace {

using namespace kiosk;
using Clock = std::chrono::steady_clock;

// "VmRSS" / "VmHWM" of this process, in MiB.
double status_mib(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::strtod(line.c_str() + key.size() + 1, nullptr) / 1024.0;
  }
  return 0.0;
}

struct Stats {
  double median = 0;
  double p90 = 0;
  double mean = 0;
};

Stats stats(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.median = v[v.size() / 2];
  s.p90 = v[std::min(v.size() - 1, v.size() * 9 / 10)];
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  return s;
}

std::vector<std::filesystem::path> people(const std::filesystem::path& data, std::size_t count) {
  std::vector<std::filesystem::path> dirs;
  for (const auto& e : std::filesystem::directory_iterator(data)) {
    if (e.is_directory()) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  if (dirs.size() > count) dirs.resize(count);
  return dirs;
}

std::vector<std::filesystem::path> images_of(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// A camera that plays a recording at its frame rate, as JPEG (like an MJPEG webcam): the frames
// cost the pipeline what a real camera's frames cost, not the simulator's rendering. As in the
// V4L2 driver (drivers/camera/live_capture.hpp), a capture thread decodes each frame when it is
// due and keeps only the newest, so decoding overlaps the pipeline's work on the frame before;
// frames the pipeline was too slow for are dropped.
class RecordedCamera final : public hal::Camera {
 public:
  RecordedCamera(sim::camera::Scene& scene, double seconds) : fps_(scene.settings().fps) {
    const auto frames = static_cast<std::uint64_t>(seconds * fps_);
    for (std::uint64_t i = 0; i < frames; ++i) {
      std::vector<uchar> jpeg;
      cv::imencode(".jpg", scene.render(static_cast<double>(i) / fps_, i), jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
      recording_.push_back(std::move(jpeg));
    }
    info_.name = "recording";
    info_.mode = {scene.settings().frame.width, scene.settings().frame.height, fps_};
  }
  void start() {
    const auto start = Clock::now();
    capture_ = std::jthread([this, start](std::stop_token stop) {
      const auto period = std::chrono::duration<double>(1.0 / fps_);
      for (std::uint64_t i = 0; i < recording_.size() && !stop.stop_requested(); ++i) {
        const auto due = start + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(i));
        std::this_thread::sleep_until(due);
        cv::Mat frame = cv::imdecode(recording_[i], cv::IMREAD_COLOR);
        std::lock_guard lock(mutex_);
        latest_ = {std::move(frame), due, i};
        fresh_ = true;
        ready_.notify_all();
      }
      std::lock_guard lock(mutex_);
      ended_ = true;
      ready_.notify_all();
    });
  }
  const hal::CameraInfo& info() const override { return info_; }
  hal::CameraFrame next_frame(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [this] { return fresh_ || ended_; })) {
      throw hal::CameraError(hal::CameraErrorKind::Timeout, "no frame from the recording");
    }
    if (!fresh_) throw hal::CameraError(hal::CameraErrorKind::Disconnected, "end of the recording");
    fresh_ = false;
    hal::CameraFrame frame = std::move(latest_);
    latest_ = {};
    return frame;
  }

 private:
  double fps_;
  std::vector<std::vector<uchar>> recording_;
  hal::CameraInfo info_;
  std::mutex mutex_;
  std::condition_variable ready_;
  hal::CameraFrame latest_;
  bool fresh_ = false;  // latest_ not handed out yet
  bool ended_ = false;
  std::jthread capture_;  // last: stopped and joined before the members it uses go
};

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir;
  std::vector<std::string> settings;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.find('=') != std::string::npos) {
      settings.push_back(arg);
    } else {
      dir = arg;
    }
  }
  if (dir.empty()) {
    const char* env = std::getenv("KIOSK_FACES_DIR");
    dir = env != nullptr && *env != '\0' ? std::filesystem::path(env)
                                         : std::filesystem::path(KIOSK_SOURCE_DIR) / ".." / "shared" / "faces";
  }
  std::printf("face_bench (%s build; OpenCV %s, %d threads, %u cores)\n", KIOSK_BUILD_TYPE, CV_VERSION,
              cv::getNumThreads(), std::thread::hardware_concurrency());
  const double rss_before = status_mib("VmRSS");
  try {
    core::face::FaceConfig config;
    config.model_dir = dir;
    // A recording cannot answer the head-turn question: this measures the pipeline (frames, the
    // match, passive liveness). The time a patient takes to turn is face-eval attacks' figure.
    config.liveness.head_turn_challenge = false;
    for (const auto& kv : settings) {
      core::face::apply_setting(config, kv.substr(0, kv.find('=')), kv.substr(kv.find('=') + 1));
      std::printf("  setting %s\n", kv.c_str());
    }
    const auto t_load = Clock::now();
    core::face::FaceVerifier verifier(config);
    const double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_load).count();
    const double rss_models = status_mib("VmRSS");
    std::printf("  models loaded in %.0f ms from %s; RSS %.1f MiB -> %.1f MiB (+%.1f MiB)\n", load_ms,
                dir.string().c_str(), rss_before, rss_models, rss_models - rss_before);

    // 1. Per-frame cost on 640x480 frames of live people (10 people, 30 frames each).
    std::vector<double> detect;
    std::vector<double> embed;
    std::vector<double> liveness;
    std::vector<double> total;
    int usable = 0;
    for (const auto& person : people(dir / "data", 10)) {
      sim::camera::Scene scene(sim::camera::FaceSource::image(images_of(person).at(1)), {sim::camera::Segment{}});
      core::face::LivenessAnalyzer analyzer(config.liveness);
      for (int i = 0; i < 30; ++i) {
        const cv::Mat frame = scene.render(i / 30.0, static_cast<std::uint64_t>(i));
        const auto t0 = Clock::now();
        const core::face::FrameAnalysis a = verifier.analyse(frame);
        const auto t1 = Clock::now();
        if (a.quality.usable) analyzer.observe(frame, a.faces.front());
        const auto t2 = Clock::now();
        total.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
        detect.push_back(a.detect_ms);
        if (a.quality.usable) {
          embed.push_back(a.embed_ms);
          liveness.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
          ++usable;
        }
      }
    }
    const Stats d = stats(detect);
    const Stats e = stats(embed);
    const Stats l = stats(liveness);
    const Stats t = stats(total);
    std::printf("  per 640x480 frame (%zu frames, %d with a usable face):\n", total.size(), usable);
    std::printf("    detection (YuNet at 320x240 + landmark refinement): median %.1f ms, p90 %.1f ms\n", d.median, d.p90);
    std::printf("    align + quality + embedding (%s%s):   median %.1f ms, p90 %.1f ms\n",
                core::face::to_string(config.recognizer.kind), config.recognizer.flip_average_live ? ", face + mirror" : "",
                e.median, e.p90);
    std::printf("    liveness measures (planarity, edges, spectrum):       median %.1f ms, p90 %.1f ms\n", l.median,
                l.p90);
    std::printf("    whole frame: median %.1f ms, mean %.1f ms -> %.1f frames per second (target >= 20, Release)\n",
                t.median, t.mean, 1000.0 / t.mean);

    // 2. Real time: a 30 fps camera, nobody for 1 s, then the card holder steps in.
    std::vector<double> to_decision;
    std::vector<double> fps;
    int accepted = 0;
    int sessions = 0;
    for (const auto& person : people(dir / "data", 8)) {
      const auto files = images_of(person);
      const Bytes jp2 = sim::card::make_card_photo_jp2(files.at(0));
      core::face::FaceSession session(verifier, jp2);
      sim::camera::Scene scene(sim::camera::FaceSource::image(files.at(1)),
                       {sim::camera::Segment{sim::camera::Presentation::Nobody, sim::camera::Condition::Normal, 1.0},
                        sim::camera::Segment{sim::camera::Presentation::Live, sim::camera::Condition::Normal, 30.0}});
      RecordedCamera camera(scene, 4.0);
      camera.start();
      const auto opened = Clock::now();
      int frames = 0;  // processed while the face is in view
      core::face::CameraLoopOptions options;
      options.on_progress = [&](const core::face::Progress&) {
        if (Clock::now() - opened >= std::chrono::seconds(1)) ++frames;
      };
      const core::face::Decision decision = core::face::run_attempt(session, camera, options);
      const auto decided = Clock::now();
      ++sessions;
      const double seconds = std::chrono::duration<double>(decided - opened).count() - 1.0;
      if (seconds > 0.0) fps.push_back(frames / seconds);
      if (decision.authenticated()) {
        ++accepted;
        // From the moment the face stepped in (1 s after the camera opened) to the decision.
        to_decision.push_back(std::chrono::duration<double, std::milli>(decided - opened).count() - 1000.0);
      } else {
        std::printf("    %s: not accepted: %s\n", person.filename().string().c_str(), decision.reason.c_str());
      }
    }
    const Stats r = stats(to_decision);
    const Stats f = stats(fps);
    std::printf("  real time (a 30 fps MJPEG recording played at its pace, decoded on a capture thread as the V4L2 "
                "driver does; frames the pipeline is too slow for are dropped; head-turn question off):\n");
    std::printf("    frames processed per second with the face in view: median %.1f\n", f.median);
    std::printf("    face appearing -> decision: median %.0f ms, p90 %.0f ms over %d accepted of %d sessions "
                "(target <= 500 ms)\n",
                r.median, r.p90, accepted, sessions);
    std::printf("  peak RSS (VmHWM) with models loaded, after all sessions: %.1f MiB\n", status_mib("VmHWM"));
    return 0;
  } catch (const core::face::FaceError& e) {
    std::fprintf(stderr, "face_bench: %s\n  %s\n", e.what(), e.advice());
    return 1;
  }
}
