#include "drivers/https/terminal_key_signer.hpp"

#include <openssl/pem.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "hal/openssl_handles.hpp"

namespace kiosk::drivers::https {

namespace {
[[noreturn]] void config_error(const std::string& what) {
  throw hal::TransportError(hal::TransportErrorKind::Configuration, what + ": " + hal::openssl::take_errors());
}
}  // namespace

TerminalKeySigner TerminalKeySigner::from_pem_file(const std::filesystem::path& key_file) {
  std::ifstream in(key_file, std::ios::binary);
  if (!in) throw hal::TransportError(hal::TransportErrorKind::Configuration, "cannot read the terminal key " + key_file.string());
  const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bio = hal::openssl::memory_bio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) config_error("not an unencrypted PEM private key: " + key_file.string());
  return TerminalKeySigner(std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free));
}

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
