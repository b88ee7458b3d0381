// The labelled face set: manifest.csv (path,identity,...) of ../shared/faces/data.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kiosk::firmware::face_eval {

struct LabelledImage {
  std::filesystem::path path;
  std::string identity;
};

// Reads the manifest; image paths are taken relative to the manifest's directory or its
// parent (the manifest of ../shared/faces says "data/<identity>/<file>.jpg"). Throws
// std::runtime_error for a missing or malformed manifest or a missing image.
std::vector<LabelledImage> read_manifest(const std::filesystem::path& manifest);

// Images grouped by identity, in manifest order.
std::map<std::string, std::vector<std::filesystem::path>> by_identity(const std::vector<LabelledImage>& images);

}  // namespace kiosk::firmware::face_eval
