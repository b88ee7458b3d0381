#include "core/diagnostics/host_checks.hpp"

#include <sqlite3.h>

#include <fstream>
#include <memory>
#include <cctype>
#include <stdexcept>
#include <vector>

#include "hal/openssl_handles.hpp"

namespace kiosk::core::diagnostics {
namespace {

std::string mib(std::uintmax_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

struct Sqlite3Closer {
  void operator()(sqlite3* db) const noexcept { sqlite3_close(db); }
};

CheckResult check_disk(const HostCheckSettings& s) {
  std::error_code ec;
  const auto space = std::filesystem::space(s.data_dir, ec);
  if (ec) return {"host", "disk space", Status::Fail, s.data_dir.string() + ": " + ec.message(), "check the data directory"};
  const std::string measured = mib(space.available) + " free of " + mib(space.capacity) + " on " + s.data_dir.string();
  if (space.available < s.fail_free_bytes) {
    return {"host", "disk space", Status::Fail, measured, "free disk space: journal entries cannot be kept safely"};
  }
  if (space.available < s.warn_free_bytes) return {"host", "disk space", Status::Warn, measured, "free disk space soon"};
  return {"host", "disk space", Status::Pass, measured, ""};
}

CheckResult check_journal(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) {
    return {"host", "journal integrity", Status::Warn, path.string() + " does not exist yet",
            "normal on a new kiosk; otherwise the journal was moved or deleted"};
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  const std::unique_ptr<sqlite3, Sqlite3Closer> db(raw);
  if (rc != SQLITE_OK) {
    return {"host", "journal integrity", Status::Fail, path.string() + ": " + sqlite3_errstr(rc),
            "keep a copy of the journal for support (kiosk diag --bundle) and call the vendor"};
  }
  sqlite3_stmt* stmt = nullptr;
  std::string first = "no answer";
  int rows = 0;
  if (sqlite3_prepare_v2(db.get(), "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      if (rows++ == 0) first = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
  } else {
    first = sqlite3_errmsg(db.get());
  }
  if (rows == 1 && first == "ok") return {"host", "journal integrity", Status::Pass, path.string() + ": integrity_check ok", ""};
  return {"host", "journal integrity", Status::Fail, path.string() + ": " + first,
          "the journal is damaged: keep a copy for support (kiosk diag --bundle) before anything else"};
}

}  // namespace

std::string sha256_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  hal::openssl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) hal::openssl::throw_error<std::runtime_error>("SHA-256");
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &n);
  std::string hex = to_hex(ByteView(digest, n), '\0');
  for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return hex;
}

std::vector<CheckResult> check_host(const HostCheckSettings& s) {
  std::vector<CheckResult> out;
  out.push_back(check_disk(s));
  if (s.journal) {
    out.push_back(check_journal(*s.journal));
  } else {
    out.push_back({"host", "journal integrity", Status::Skip, "no journal configured", ""});
  }
  if (s.configuration_errors.empty()) {
    out.push_back({"host", "configuration", Status::Pass, s.configuration_source + ": valid", ""});
  } else {
    for (const auto& e : s.configuration_errors) {
      out.push_back({"host", "configuration", Status::Fail, s.configuration_source + ": " + e,
                     "correct the configuration file and restart the kiosk"});
    }
  }
  for (const auto& f : s.model_files) {
    const std::string name = "model: " + f.label;
    if (!std::filesystem::exists(f.path)) {
      out.push_back({"host", name, Status::Fail, f.path.string() + " missing", "install the model file at the configured path"});
      continue;
    }
    try {
      const std::string actual = sha256_file(f.path);
      if (f.sha256.empty() || actual == f.sha256) {
        out.push_back({"host", name, Status::Pass, f.path.filename().string() + " sha256 " + actual, ""});
      } else {
        out.push_back({"host", name, Status::Fail, f.path.filename().string() + " sha256 " + actual + ", expected " + f.sha256,
                       "the model file is damaged or the wrong version: reinstall it"});
      }
    } catch (const std::exception& e) {
      out.push_back({"host", name, Status::Fail, e.what(), "check the file's permissions"});
    }
  }
  return out;
}

}  // namespace kiosk::core::diagnostics
