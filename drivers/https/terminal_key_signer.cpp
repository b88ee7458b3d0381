#include "drivers/https/terminal_key_signer.hpp"

#include <openssl/evp.h>

#include "hal/openssl_handles.hpp"

namespace kiosk::drivers::https {

TerminalKeySigner TerminalKeySigner::from_pem_file(const std::filesystem::path& key_file) { return load({key_file, {}, {}}); }

TerminalKeySigner TerminalKeySigner::load(const TerminalKeyLocation& where) { return TerminalKeySigner(load_terminal_key(where)); }

Bytes TerminalKeySigner::sign(ByteView message) {
  hal::openssl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    hal::openssl::throw_error<std::runtime_error>("cannot start a terminal signature");
  }
  std::size_t length = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()) != 1) {
    hal::openssl::throw_error<std::runtime_error>("terminal signature failed");
  }
  Bytes signature(length);
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()) != 1) {
    hal::openssl::throw_error<std::runtime_error>("terminal signature failed");
  }
  signature.resize(length);
  return signature;
}

}  // namespace kiosk::drivers::https
