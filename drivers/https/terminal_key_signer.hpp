// hal::TerminalSigner on the terminal's private key (the key of its TLS client certificate): a
// PEM file or a key on a PKCS#11 token (drivers/https/terminal_key.hpp). ECDSA-SHA256 for an EC
// key, RSASSA-PKCS1-v1_5-SHA256 for an RSA key.
#pragma once

#include <filesystem>
#include <memory>

#include "drivers/https/terminal_key.hpp"
#include "hal/https_transport.hpp"

struct evp_pkey_st;

namespace kiosk::drivers::https {

class TerminalKeySigner final : public hal::TerminalSigner {
 public:
  // Throws hal::TransportError (Configuration) when the file is missing, not a private key, or
  // readable by others (terminal_key.hpp).
  static TerminalKeySigner from_pem_file(const std::filesystem::path& key_file);
  static TerminalKeySigner load(const TerminalKeyLocation& where);

  Bytes sign(ByteView message) override;

 private:
  explicit TerminalKeySigner(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace kiosk::drivers::https
