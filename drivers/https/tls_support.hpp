// What the HTTPS transport and the diagnostic service probe share: loading the terminal's and
// the service CA's PEM files with clear errors, plain TCP connections, and telling a refused
// port from an unreachable network. Internal to drivers/https.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>

#include "drivers/https/https_client_transport.hpp"
#include "drivers/https/terminal_key.hpp"
#include "hal/https_transport.hpp"
#include "hal/openssl_handles.hpp"

namespace kiosk::drivers::https::tls {

// The file's bytes. Throws hal::TransportError (Configuration) naming the file and `what` it is.
std::string read_file(const std::filesystem::path& path, const char* what);
// A PEM certificate. Throws hal::TransportError (Configuration).
hal::openssl::X509Ptr load_certificate(const std::filesystem::path& path, const char* what);
// The terminal's key as the transport configuration names it (drivers/https/terminal_key.hpp).
// Throws hal::TransportError (Configuration).
TerminalKey load_key(const HttpsTransportConfig& config);

// The TLS alert the service sent is about this terminal's certificate.
bool is_client_certificate_alert(int description);

// A socket, closed when it goes.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor& operator=(FileDescriptor&&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_;
};

// How a failed connection attempt failed: one plain TCP connect to the same address, to tell a
// refused port from an unreachable network (cpp-httplib reports both as Error::Connection).
hal::TransportErrorKind probe_connect_failure(const std::string& host, int port, std::chrono::milliseconds timeout,
                                              std::string& detail);

// A connected TCP socket to host:port (blocking, with `timeout` on every operation), or an
// invalid one.
FileDescriptor connect_socket(const std::string& host, int port, std::chrono::milliseconds timeout);

}  // namespace kiosk::drivers::https::tls
