// OpenSSL's ENGINE interface is deprecated in OpenSSL 3, but it is how Debian 12 reaches a
// PKCS#11 token (libp11's engine; the pkcs11 provider is not in Debian 12).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "drivers/https/terminal_key.hpp"

#include <fcntl.h>
#include <openssl/engine.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "hal/https_transport.hpp"
#include "hal/openssl_handles.hpp"

namespace kiosk::drivers::https {

namespace {

using Kind = hal::TransportErrorKind;

[[noreturn]] void config_error(const std::string& what) { throw hal::TransportError(Kind::Configuration, what); }

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::optional<std::string> stat_problem(const struct stat& st, const std::filesystem::path& file, const std::string& what) {
  if (!S_ISREG(st.st_mode)) return what + " " + file.string() + " is not a regular file";
  if ((st.st_mode & 077) != 0) {
    return what + " " + file.string() + " has mode " + octal_mode(st.st_mode) +
           ": other users of this machine can read it; chmod 600 " + file.string();
  }
  if (st.st_uid != ::geteuid()) {
    return what + " " + file.string() + " belongs to uid " + std::to_string(st.st_uid) + ", not to the kiosk's user (uid " +
           std::to_string(::geteuid()) + "); chown it to the kiosk's user";
  }
  return std::nullopt;
}

// A secret file's bytes, read with no buffer but the returned one (the caller wipes it).
// Checks the file as opened (no race between the check and the read).
std::vector<char> read_private_file(const std::filesystem::path& file, const std::string& what) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    const int error = errno;
    config_error("cannot read " + what + " " + file.string() + ": " + std::strerror(error) +
                 (error == ELOOP ? " (a symbolic link: name the file itself)" : ""));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) config_error("cannot read " + what + " " + file.string() + ": " + std::strerror(errno));
  if (const auto problem = stat_problem(st, file, what)) config_error(*problem);
  if (st.st_size <= 0 || st.st_size > 64 * 1024) config_error(what + " " + file.string() + " is empty or too large for a key");
  std::vector<char> buffer(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < buffer.size()) {
    const ssize_t n = ::read(fd, buffer.data() + done, buffer.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      OPENSSL_cleanse(buffer.data(), buffer.size());
      config_error("cannot read " + what + " " + file.string());
    }
    done += static_cast<std::size_t>(n);
  }
  return buffer;
}

struct Wiped {
  std::vector<char>& bytes;
  ~Wiped() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

TerminalKey load_pem(const std::filesystem::path& file) {
  std::vector<char> pem = read_private_file(file, "the terminal key");
  const Wiped wipe{pem};
  const hal::openssl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (key == nullptr) {
    config_error("the terminal key " + file.string() + " is not an unencrypted PEM private key: " + hal::openssl::take_errors());
  }
  return TerminalKey(key, EVP_PKEY_free);
}

TerminalKey load_from_token(const TerminalKeyLocation& where) {
  const std::string uri = where.key.string();
  if (where.pkcs11_module.empty()) config_error("the terminal key " + uri + " is on a token: eligibility.pkcs11_module names its module");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(where.pkcs11_module, ec)) {
    config_error("the PKCS#11 module " + where.pkcs11_module.string() + " is not there (for SoftHSM2: install softhsm2)");
  }
  ENGINE* engine = ENGINE_by_id("pkcs11");
  if (engine == nullptr) {
    config_error("OpenSSL's pkcs11 engine is not installed (Debian: apt install libengine-pkcs11-openssl): " +
                 hal::openssl::take_errors());
  }
  if (ENGINE_ctrl_cmd_string(engine, "MODULE_PATH", where.pkcs11_module.c_str(), 0) != 1 || ENGINE_init(engine) != 1) {
    const std::string reasons = hal::openssl::take_errors();
    ENGINE_free(engine);
    config_error("the pkcs11 engine cannot load " + where.pkcs11_module.string() + ": " + reasons);
  }
  ENGINE_free(engine);  // the functional reference from ENGINE_init keeps it
  auto finish = [engine] { ENGINE_finish(engine); };
  if (!where.pkcs11_pin_file.empty()) {
    std::vector<char> pin;
    try {
      pin = read_private_file(where.pkcs11_pin_file, "the token PIN file");
    } catch (...) {
      finish();
      throw;
    }
    const Wiped wipe{pin};
    while (!pin.empty() && (pin.back() == '\n' || pin.back() == '\r')) {
      pin.back() = '\0';
      pin.pop_back();
    }
    pin.push_back('\0');
    if (ENGINE_ctrl_cmd_string(engine, "PIN", pin.data(), 0) != 1) {
      const std::string reasons = hal::openssl::take_errors();
      finish();
      config_error("the pkcs11 engine refused the PIN: " + reasons);
    }
  }
  EVP_PKEY* key = ENGINE_load_private_key(engine, uri.c_str(), nullptr, nullptr);
  if (key == nullptr) {
    const std::string reasons = hal::openssl::take_errors();
    finish();
    config_error("no private key " + uri + " on the token of " + where.pkcs11_module.string() +
                 " (wrong token or object name, or a wrong PIN in " + where.pkcs11_pin_file.string() + "): " + reasons);
  }
  return TerminalKey(key, [engine](EVP_PKEY* k) {
    EVP_PKEY_free(k);
    ENGINE_finish(engine);
  });
}

}  // namespace

std::optional<std::string> private_file_problem(const std::filesystem::path& file, const std::string& what) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0) return "cannot read " + what + " " + file.string() + ": " + std::strerror(errno);
  return stat_problem(st, file, what);
}

TerminalKey load_terminal_key(const TerminalKeyLocation& where) {
  if (where.key.empty()) config_error("no terminal key configured (eligibility.terminal_key)");
  return where.on_token() ? load_from_token(where) : load_pem(where.key);
}

}  // namespace kiosk::drivers::https
