#include "firmware/face_eval/labelled_set.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kiosk::firmware::face_eval {

namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(field);
      field.clear();
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  out.push_back(field);
  return out;
}

}  // namespace

std::vector<LabelledImage> read_manifest(const std::filesystem::path& manifest) {
  std::ifstream in(manifest);
  if (!in) throw std::runtime_error("cannot read the manifest " + manifest.string());
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error("empty manifest " + manifest.string());
  const auto header = split_csv_line(line);
  std::size_t path_col = header.size();
  std::size_t id_col = header.size();
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "path") path_col = i;
    if (header[i] == "identity") id_col = i;
  }
  if (path_col == header.size() || id_col == header.size()) {
    throw std::runtime_error(manifest.string() + ": the header needs 'path' and 'identity' columns");
  }
  const auto dir = manifest.parent_path();
  std::vector<LabelledImage> images;
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line == "\r") continue;
    const auto fields = split_csv_line(line);
    if (fields.size() <= std::max(path_col, id_col)) {
      throw std::runtime_error(manifest.string() + ":" + std::to_string(number) + ": too few columns");
    }
    std::filesystem::path p = fields[path_col];
    if (p.is_relative()) p = std::filesystem::exists(dir / p) ? dir / p : dir.parent_path() / p;
    if (!std::filesystem::exists(p)) {
      throw std::runtime_error(manifest.string() + ":" + std::to_string(number) + ": no image " + fields[path_col]);
    }
    images.push_back({p, fields[id_col]});
  }
  if (images.empty()) throw std::runtime_error("no images in " + manifest.string());
  return images;
}

std::map<std::string, std::vector<std::filesystem::path>> by_identity(const std::vector<LabelledImage>& images) {
  std::map<std::string, std::vector<std::filesystem::path>> out;
  for (const auto& image : images) out[image.identity].push_back(image.path);
  return out;
}

}  // namespace kiosk::firmware::face_eval
