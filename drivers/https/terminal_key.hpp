// The terminal's private key (the key of its TLS client certificate, which also signs the face
// and visual-check attestations the service trusts), from where the configuration says
// (issue 18, security 5):
// - a PEM file: refused unless it is a regular file that only its owner can read (mode 0600 or
//   0400) and that owner is the user the kiosk runs as; read straight into one buffer that is
//   wiped once OpenSSL has parsed it (no stream buffers, no copies);
// - a key that never leaves a PKCS#11 token (SoftHSM2, a TPM's or an HSM's PKCS#11 module),
//   named by an RFC 7512 URI "pkcs11:token=...;object=...;type=private": OpenSSL uses it through
//   libp11's pkcs11 engine (Debian: libengine-pkcs11-openssl; Debian 12 has no OpenSSL 3
//   pkcs11 provider), with the token's module and its user PIN read from a file under the same
//   rule as a key file.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

struct evp_pkey_st;

namespace kiosk::drivers::https {

struct TerminalKeyLocation {
  std::filesystem::path key;              // a PEM file, or a "pkcs11:" URI
  std::filesystem::path pkcs11_module;    // with a URI: the token's PKCS#11 module (.so)
  std::filesystem::path pkcs11_pin_file;  // with a URI: a file holding the user PIN (empty: no login)

  bool on_token() const { return key.string().rfind("pkcs11:", 0) == 0; }
};

// A loaded key. A token key keeps the engine it needs alive for as long as it lives.
using TerminalKey = std::shared_ptr<evp_pkey_st>;

// Loads the key. Throws hal::TransportError (Configuration) saying what to fix: the file's mode
// or owner, a missing engine or module, a wrong PIN, a key not on the token.
TerminalKey load_terminal_key(const TerminalKeyLocation& where);

// Why `file` must not hold a secret of this kiosk (not a regular file, readable by others, owned
// by another user), with the command that fixes it; empty when it is fine. `what` names it
// ("the terminal key").
std::optional<std::string> private_file_problem(const std::filesystem::path& file, const std::string& what);

}  // namespace kiosk::drivers::https
