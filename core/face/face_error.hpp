// Errors of face authentication that are not a patient's face failing to match (those are a
// FaceSession's Decision): missing or broken models, an unusable card photo, bad settings.
#pragma once

#include <stdexcept>
#include <string>

namespace kiosk::core::face {

enum class FaceErrorKind {
  ModelMissing,         // a model file is not where the configuration says
  ModelInvalid,         // the file exists but OpenCV cannot load or run it
  BadConfig,            // a setting is out of range or unknown
  CardPhotoUnreadable,  // the card's photo is not a JPEG 2000 image OpenCV can decode
  CardPhotoNoFace,      // the card's photo decodes but no face is found on it
  BadFrame,             // a frame that is not an 8-bit BGR or grey image
};

constexpr const char* to_string(FaceErrorKind kind) {
  switch (kind) {
    case FaceErrorKind::ModelMissing: return "model-missing";
    case FaceErrorKind::ModelInvalid: return "model-invalid";
    case FaceErrorKind::BadConfig: return "bad-config";
    case FaceErrorKind::CardPhotoUnreadable: return "card-photo-unreadable";
    case FaceErrorKind::CardPhotoNoFace: return "card-photo-no-face";
    case FaceErrorKind::BadFrame: return "bad-frame";
  }
  return "unknown";
}

// What to do about it: the patient can always use the PIN; these are for the technician.
constexpr const char* advice(FaceErrorKind kind) {
  switch (kind) {
    case FaceErrorKind::ModelMissing:
      return "install the face models in the model directory (--model-dir, config face.model_dir or "
             "$KIOSK_FACES_DIR; see docs/face-authentication.md); patients can use the PIN meanwhile";
    case FaceErrorKind::ModelInvalid:
      return "replace the model file with the documented one (check its sha256); patients can use the PIN meanwhile";
    case FaceErrorKind::BadConfig: return "fix the face settings in the kiosk configuration";
    case FaceErrorKind::CardPhotoUnreadable:
      return "use the PIN; if this happens with many cards, report it (JPEG 2000 decoder)";
    case FaceErrorKind::CardPhotoNoFace:
      return "use the PIN (or staff visual check): the photo on this card cannot be used for face matching";
    case FaceErrorKind::BadFrame: return "the camera delivers an unusable image format: check the camera settings";
  }
  return "use the PIN";
}

class FaceError : public std::runtime_error {
 public:
  FaceError(FaceErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  FaceErrorKind kind() const noexcept { return kind_; }
  const char* advice() const noexcept { return core::face::advice(kind_); }

 private:
  FaceErrorKind kind_;
};

}  // namespace kiosk::core::face
