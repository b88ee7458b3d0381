// Host checks: disk space, journal integrity (SQLite), configuration, model files (sha256).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostics/report.hpp"

namespace kiosk::core::diagnostics {

struct ExpectedFile {
  std::string label;          // "face detector"
  std::filesystem::path path;
  std::string sha256;         // lower-case hex; empty: only presence is checked
};

struct HostCheckSettings {
  std::filesystem::path data_dir = ".";                // where journal and outbox live
  std::uintmax_t warn_free_bytes = 2ull << 30;         // 2 GiB
  std::uintmax_t fail_free_bytes = 512ull << 20;       // 512 MiB
  std::optional<std::filesystem::path> journal;        // SQLite journal; nothing: not configured
  std::vector<std::string> configuration_errors;       // from the configuration loader
  std::string configuration_source;                    // file name, for the message
  std::vector<ExpectedFile> model_files;
};

std::vector<CheckResult> check_host(const HostCheckSettings& settings);

// SHA-256 of a file's content in hex (read in chunks). Throws std::runtime_error when unreadable.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace kiosk::core::diagnostics
