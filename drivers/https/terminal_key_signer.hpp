// hal::TerminalSigner on the terminal's PEM private key (the key of its TLS client certificate):
// ECDSA-SHA256 for an EC key, RSASSA-PKCS1-v1_5-SHA256 for an RSA key.
#pragma once

#include <filesystem>
#include <memory>

#include "hal/https_transport.hpp"

struct evp_pkey_st;

namespace kiosk::drivers::https {

class TerminalKeySigner final : public hal::TerminalSigner {
 public:
  // Throws hal::TransportError (Configuration) when the file is missing or not a private key.
  static TerminalKeySigner from_pem_file(const std::filesystem::path& key_file);

  Bytes sign(ByteView message) override;

 private:
  explicit TerminalKeySigner(std::shared_ptr<evp_pkey_st> key) : key_(std::move(key)) {}
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace kiosk::drivers::https
