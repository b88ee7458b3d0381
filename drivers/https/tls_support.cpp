#include "drivers/https/tls_support.hpp"

#include <netdb.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

namespace kiosk::drivers::https::tls {

using Kind = hal::TransportErrorKind;
using std::chrono::milliseconds;

std::string read_file(const std::filesystem::path& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw hal::TransportError(Kind::Configuration, std::string("cannot read the ") + what + " " + path.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

hal::openssl::X509Ptr load_certificate(const std::filesystem::path& path, const char* what) {
  const std::string pem = read_file(path, what);
  auto bio = hal::openssl::memory_bio(pem);
  hal::openssl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    throw hal::TransportError(Kind::Configuration,
                              std::string("the ") + what + " " + path.string() + " is not a PEM certificate: " + hal::openssl::take_errors());
  }
  return cert;
}

TerminalKey load_key(const HttpsTransportConfig& config) {
  return load_terminal_key({config.client_key, config.pkcs11_module, config.pkcs11_pin_file});
}

bool is_client_certificate_alert(int description) {
  switch (description) {
    case SSL_AD_BAD_CERTIFICATE:
    case SSL_AD_UNSUPPORTED_CERTIFICATE:
    case SSL_AD_CERTIFICATE_REVOKED:
    case SSL_AD_CERTIFICATE_EXPIRED:
    case SSL_AD_CERTIFICATE_UNKNOWN:
    case SSL_AD_UNKNOWN_CA:
    case SSL_AD_ACCESS_DENIED:
    case SSL_AD_CERTIFICATE_REQUIRED:
      return true;
    default:
      return false;
  }
}

Kind probe_connect_failure(const std::string& host, int port, milliseconds timeout, std::string& detail) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    detail = "cannot resolve " + host + ": " + ::gai_strerror(rc);
    return Kind::NetworkUnreachable;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  int error = ETIMEDOUT;
  for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    const FileDescriptor fd(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd.valid()) {
      error = errno;
      continue;
    }
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) == 0) {
      error = 0;
    } else if (errno != EINPROGRESS) {
      error = errno;
    } else {
      pollfd p{fd.get(), POLLOUT, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (ready <= 0) {
        error = ETIMEDOUT;
      } else {
        socklen_t length = sizeof error;
        if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
      }
    }
    if (error == 0 || error == ECONNREFUSED) break;
  }
  switch (error) {
    case 0:
      detail = "the service accepted a plain connection right after the failure (restarting?)";
      return Kind::ConnectionRefused;
    case ECONNREFUSED:
      detail = "connection refused by " + host + ":" + service;
      return Kind::ConnectionRefused;
    case ETIMEDOUT:
      detail = "no answer from " + host + ":" + service + " within " + std::to_string(timeout.count()) + " ms";
      return Kind::ConnectTimeout;
    default:
      detail = std::string("cannot reach ") + host + ":" + service + ": " + std::strerror(error);
      return Kind::NetworkUnreachable;
  }
}

FileDescriptor connect_socket(const std::string& host, int port, milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return FileDescriptor(-1);
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    FileDescriptor fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd.valid()) continue;
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) == 0) return fd;
  }
  return FileDescriptor(-1);
}

}  // namespace kiosk::drivers::https::tls
