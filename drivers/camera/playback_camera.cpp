#include "drivers/camera/playback_camera.hpp"

#include <algorithm>
#include <cctype>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "drivers/camera/live_capture.hpp"

namespace kiosk::drivers::camera {

namespace {

using Clock = std::chrono::steady_clock;

bool is_image(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* e : {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pnm", ".jp2"}) {
    if (ext == e) return true;
  }
  return false;
}

cv::Mat to_bgr(cv::Mat m) {
  if (m.empty()) return m;
  if (m.depth() != CV_8U) {
    cv::Mat eight;
    m.convertTo(eight, CV_8U, m.depth() == CV_16U ? 1.0 / 257.0 : 1.0);
    wipe_frame(m);
    m = eight;
  }
  if (m.channels() == 3) return m;
  cv::Mat bgr;
  cv::cvtColor(m, bgr, m.channels() == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_BGRA2BGR);
  wipe_frame(m);
  return bgr;
}

}  // namespace

PlaybackCamera::PlaybackCamera(const CameraSource& source) : source_(source) {
  const std::string name = source.describe();
  std::error_code ec;
  cv::Mat first;
  if (source.kind == CameraSource::Kind::ImageDirectory) {
    if (!std::filesystem::is_directory(source.location, ec)) {
      throw hal::CameraError(hal::CameraErrorKind::NotFound, name + ": no such directory");
    }
    for (const auto& entry : std::filesystem::directory_iterator(source.location, ec)) {
      if (entry.is_regular_file(ec) && is_image(entry.path())) images_.push_back(entry.path());
    }
    if (images_.empty()) throw hal::CameraError(hal::CameraErrorKind::NotFound, name + ": no images in the directory");
    std::sort(images_.begin(), images_.end(),
              [](const auto& a, const auto& b) { return a.filename().string() < b.filename().string(); });
    first = decode_image(0);
    if (first.empty()) {
      throw hal::CameraError(hal::CameraErrorKind::Unsupported, name + ": cannot decode " + images_.front().string());
    }
    info_.mode.fps = source.fps > 0 ? source.fps : 10.0;
  } else if (source.kind == CameraSource::Kind::VideoFile) {
    if (!std::filesystem::is_regular_file(source.location, ec)) {
      throw hal::CameraError(hal::CameraErrorKind::NotFound, name + ": no such file");
    }
    // FFmpeg only: with CAP_ANY OpenCV falls back to GStreamer, whose typefinding loads every
    // plugin to guess what a broken file is (slow, and some plugins leak at load). Pipelines
    // have their own source kind ("gst:").
    video_ = std::make_unique<cv::VideoCapture>(source.location, cv::CAP_FFMPEG);
    if (!video_->isOpened() || !video_->read(first) || first.empty()) {
      throw hal::CameraError(hal::CameraErrorKind::Unsupported, name + ": not a video OpenCV can decode");
    }
    first = to_bgr(first);
    video_->set(cv::CAP_PROP_POS_FRAMES, 0);
    const double file_fps = video_->get(cv::CAP_PROP_FPS);
    info_.mode.fps = source.fps > 0 ? source.fps : (file_fps > 0 && file_fps <= 240 ? file_fps : 25.0);
  } else {
    throw hal::CameraError(hal::CameraErrorKind::Internal, name + ": not a recorded source");
  }
  info_.name = name + " (recorded, " + (source.loop ? "looping" : "once") + ")";
  info_.mode.width = first.cols;
  info_.mode.height = first.rows;
  wipe_frame(first);
  start_ = Clock::now();
}

PlaybackCamera::~PlaybackCamera() {
  if (video_) video_->release();
}

cv::Mat PlaybackCamera::decode_image(std::size_t i) const {
  return to_bgr(cv::imread(images_[i].string(), cv::IMREAD_UNCHANGED));
}

cv::Mat PlaybackCamera::frame_at(std::uint64_t index) {
  if (!images_.empty()) {
    const std::uint64_t n = images_.size();
    if (index >= n && !source_.loop) return {};
    return decode_image(static_cast<std::size_t>(index % n));
  }
  // A video: decode forwards, skipping frames nobody asked for; start over at the end.
  if (video_frames_ > 0) {
    if (index >= video_frames_ && !source_.loop) return {};
    index %= video_frames_;
  }
  if (index < video_position_) {
    video_->set(cv::CAP_PROP_POS_FRAMES, 0);
    video_position_ = 0;
  }
  cv::Mat frame;
  for (int restarts = 0; restarts < 2;) {
    while (video_position_ < index && video_->grab()) ++video_position_;
    if (video_position_ == index && video_->read(frame) && !frame.empty()) {
      ++video_position_;
      return to_bgr(frame);
    }
    // The end of the file: now we know its length.
    if (video_frames_ == 0) video_frames_ = std::max<std::uint64_t>(1, video_position_);
    if (!source_.loop) return {};
    index %= video_frames_;
    video_->set(cv::CAP_PROP_POS_FRAMES, 0);
    video_position_ = 0;
    ++restarts;
  }
  return {};
}

hal::CameraFrame PlaybackCamera::next_frame(std::chrono::milliseconds timeout) {
  const std::string name = source_.describe();
  if (ended_) throw hal::CameraError(hal::CameraErrorKind::Disconnected, name + ": the recording has ended");
  const double fps = info_.mode.fps;
  const auto due = [&](std::uint64_t i) {
    return start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(static_cast<double>(i) / fps));
  };
  auto now = Clock::now();
  if (due(next_index_) > now) {
    if (due(next_index_) - now > timeout) {
      std::this_thread::sleep_for(timeout);
      throw hal::CameraError(hal::CameraErrorKind::Timeout,
                             name + ": no frame within " + std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_until(due(next_index_));
    now = Clock::now();
  }
  // The newest frame due now (a slow consumer skips the ones it missed).
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::uint64_t newest = std::max(next_index_, static_cast<std::uint64_t>(elapsed * fps));
  cv::Mat image = frame_at(newest);
  if (image.empty()) {
    ended_ = true;
    throw hal::CameraError(hal::CameraErrorKind::Disconnected, name + ": the recording has ended");
  }
  next_index_ = newest + 1;
  hal::CameraFrame out;
  out.image = image;
  out.timestamp = due(newest);
  out.sequence = newest + 1;
  return out;
}

}  // namespace kiosk::drivers::camera
