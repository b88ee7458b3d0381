#include "drivers/system/textfile_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace kiosk::drivers::system {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error) {
  throw TextfileError(what + " " + path.string() + ": " + std::strerror(error) +
                      " (check that the metrics directory exists and the kiosk user may write to it)");
}

}  // namespace

void write_textfile_atomically(const std::filesystem::path& file, std::string_view text) {
  const std::filesystem::path dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  // Not *.prom: the node exporter ignores the temporary file while it is written.
  std::string tmp_name = ".";  // appended piecewise: GCC 12 -O2 warns falsely (-Wrestrict) on "." + string
  tmp_name += file.filename().string();
  tmp_name += ".tmp-";
  tmp_name += std::to_string(::getpid());
  const std::filesystem::path tmp = dir / tmp_name;
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (fd.get() < 0) fail("cannot create", tmp, errno);
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
      const ssize_t n = ::write(fd.get(), p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        const int e = errno;
        ::unlink(tmp.c_str());
        fail("cannot write", tmp, e);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    // The mode asked for at creation is cut by the umask: set it as documented.
    if (::fchmod(fd.get(), 0644) != 0 || ::fsync(fd.get()) != 0) {
      const int e = errno;
      ::unlink(tmp.c_str());
      fail("cannot sync", tmp, e);
    }
    if (::close(fd.release()) != 0) {
      const int e = errno;
      ::unlink(tmp.c_str());
      fail("cannot close", tmp, e);
    }
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    fail("cannot replace", file, e);
  }
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());  // the rename itself survives a power loss
}

}  // namespace kiosk::drivers::system
