// Writes the kiosk's metrics for the Prometheus node exporter's textfile collector
// (--collector.textfile.directory): the node exporter reads every *.prom file of that directory
// at each scrape, so the file is replaced whole (temporary file in the same directory, fsync,
// rename, fsync of the directory): a scrape sees the previous file or the new one, never half.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string_view>

namespace kiosk::drivers::system {

class TextfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Replaces `file` (e.g. /run/kiosk-metrics/kiosk.prom) by `text`, mode 0644 (metrics hold no
// personal data; the node exporter runs as another user). The directory must exist. Throws
// TextfileError saying which file and what failed; the previous file is then left as it was.
void write_textfile_atomically(const std::filesystem::path& file, std::string_view text);

}  // namespace kiosk::drivers::system
