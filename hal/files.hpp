// Files on the kiosk's disk, written so that a crash (kill -9, a power cut) leaves either the old
// file or the new one, never a part of one, and read back within a size bound. Header-only
// vocabulary shared by every layer, like hal/bytes.hpp: every file the firmware and the
// simulator write (configuration-side JSON, bundles, fixtures, card files) goes through here.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

namespace kiosk::hal {

namespace files_detail {

class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const noexcept { return fd_; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

[[noreturn]] inline void fail(const std::string& what, const std::filesystem::path& path, int error) {
  throw std::system_error(error, std::generic_category(), "cannot " + what + " " + path.string());
}

}  // namespace files_detail

// Writes `content` to `path`: a temporary file beside it (created with `mode`, exclusive), the
// bytes, fsync, rename over `path`, fsync of the folder. Readers see the old file or the new one.
// Throws std::system_error naming the file (folder missing, disk full, no permission); the
// temporary file is removed then.
inline void write_file_atomically(const std::filesystem::path& path, std::string_view content, mode_t mode = 0600) {
  using files_detail::Fd;
  using files_detail::fail;
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::random_device random;
  const std::filesystem::path temp =
      folder / ("." + path.filename().string() + "." + std::to_string(random()) + std::to_string(::getpid()) + ".tmp");
  Fd file(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (file.get() < 0) fail("create", temp, errno);
  auto remove_temp = [&] { ::unlink(temp.c_str()); };
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(file.get(), content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      remove_temp();
      fail("write", temp, error);
    }
    done += static_cast<std::size_t>(n);
  }
  // The mode as asked, whatever the umask took away or left.
  if (::fchmod(file.get(), mode) != 0 || ::fsync(file.get()) != 0) {
    const int error = errno;
    remove_temp();
    fail("flush", temp, error);
  }
  if (::close(file.release()) != 0) {
    const int error = errno;
    remove_temp();
    fail("close", temp, error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    remove_temp();
    fail("replace", path, error);
  }
  const Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());  // the rename itself is durable once the folder is
}

// Removes the regular files in `folder` whose names start with `prefix` and end with `suffix`
// and that were last modified before `before`. Returns how many were removed; a file that cannot
// be removed is skipped (and counted in `failed` when given).
inline std::size_t remove_files_older_than(const std::filesystem::path& folder, std::string_view prefix,
                                           std::string_view suffix, std::filesystem::file_time_type before,
                                           std::size_t* failed = nullptr) {
  std::size_t removed = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() < prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    std::error_code file_ec;
    if (!it->is_regular_file(file_ec) || file_ec) continue;
    const auto modified = it->last_write_time(file_ec);
    if (file_ec || modified >= before) continue;
    if (std::filesystem::remove(it->path(), file_ec)) {
      ++removed;
    } else if (failed != nullptr) {
      ++*failed;
    }
  }
  return removed;
}

}  // namespace kiosk::hal
