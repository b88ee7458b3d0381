// Any camera from one source string, so the real hardware mode can run on recorded input:
//
//   "/dev/video0", "/dev/v4l/by-id/...", "0"   a V4L2 device (path or index)
//   "v4l2:/dev/video2"                         the same, explicitly
//   "file:face.mp4"                            a video file (FFmpeg through cv::VideoCapture)
//   "dir:frames/"                              the images of a directory, in file-name order
//   "gst:videotestsrc ! videoconvert ! appsink" a GStreamer pipeline ending in appsink
//
// Files and directories play in real time and loop by default (a kiosk camera never ends);
// options after '?': "file:face.mp4?loop=0" plays once, then reports Disconnected;
// "dir:frames/?fps=5" sets the frame rate (directories: 10 by default; files: their own).
// Frames are resized to the requested mode's size only for V4L2 devices (which negotiate it);
// files, directories and pipelines deliver their own size.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hal/camera.hpp"

namespace kiosk::drivers::camera {

struct CameraSource {
  enum class Kind { V4l2, VideoFile, ImageDirectory, GStreamer };
  Kind kind = Kind::V4l2;
  std::string location;  // device path, file, directory or pipeline
  std::optional<int> index;  // V4L2 by index
  bool loop = true;          // files and directories: start over at the end
  double fps = 0.0;          // files and directories: 0 = the file's own rate (directories: 10)

  // Back as a source string ("file:face.mp4?loop=0").
  std::string describe() const;
};

const char* to_string(CameraSource::Kind kind);

// Parses a source string. Throws hal::CameraError (NotFound) naming the source when it is
// empty, has an unknown scheme or bad options.
CameraSource parse_camera_source(std::string_view text);

// Opens the source. Throws hal::CameraError naming the source: NotFound (no such device, file
// or directory, or no images in it), Busy (cannot be opened), Unsupported (no frames: a file
// that is not a video, a pipeline that does not run or lacks GStreamer plugins).
std::unique_ptr<hal::Camera> open_camera(const CameraSource& source, const hal::CameraMode& mode);

// Opens cameras from source strings: a CameraDevice path is parsed as a source, an index is a
// V4L2 index. What the kiosk configuration's `camera` and `scanner_camera` keys go through.
class SourceCameraProvider final : public hal::CameraProvider {
 public:
  std::unique_ptr<hal::Camera> open(const hal::CameraDevice& device, const hal::CameraMode& mode) override;
};

}  // namespace kiosk::drivers::camera
