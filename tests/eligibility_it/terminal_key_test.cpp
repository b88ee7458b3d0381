// The terminal's private key (issue 18, security 5): a key file is taken only when nobody but
// the kiosk's user can read it, and a key that never leaves a PKCS#11 token (SoftHSM2 here)
// signs the mutual-TLS handshake and the attestations through OpenSSL's pkcs11 engine.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "drivers/https/terminal_key.hpp"
#include "drivers/https/terminal_key_signer.hpp"
#include "sim/eligibility/service_pki.hpp"
#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;
namespace fs = std::filesystem;
namespace elig = kiosk::sim::eligibility;
using namespace std::chrono_literals;

namespace {

hal::TransportError configuration_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const hal::TransportError& e) {
    return e;
  }
  throw std::runtime_error("expected a TransportError");
}

void set_mode(const fs::path& file, fs::perms perms) { fs::permissions(file, perms, fs::perm_options::replace); }

constexpr const char* kSoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";

// Runs a command line; returns its exit status (output goes to `log`).
int run(const std::string& command, const fs::path& log) {
  const int status = std::system((command + " >>" + log.string() + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string text_of(const fs::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A SoftHSM2 token "kiosk" in a folder of its own, holding an EC P-256 key pair "terminal"
// generated on the token (its private half cannot be read out).
struct Token {
  test::TempDir dir;
  fs::path log = dir.path() / "tools.log";
  fs::path public_key_der = dir.path() / "terminal.pub.der";
  fs::path pin_file = dir.path() / "token.pin";
  std::string module = kSoftHsmModule;

  Token() {
    REQUIRE(fs::exists(kSoftHsmModule));  // Debian: softhsm2 (and libengine-pkcs11-openssl)
    fs::create_directories(dir.path() / "tokens");
    const fs::path conf = dir.path() / "softhsm2.conf";
    std::ofstream(conf) << "directories.tokendir = " << (dir.path() / "tokens").string()
                        << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
    INFO(text_of(log));
    REQUIRE(run("softhsm2-util --init-token --free --label kiosk --so-pin 87654321 --pin 123456", log) == 0);
    REQUIRE(run("pkcs11-tool --module " + module +
                    " --token-label kiosk --login --pin 123456 --keypairgen --sensitive --key-type EC:prime256v1 --id 01 --label terminal",
                log) == 0);
    REQUIRE(run("pkcs11-tool --module " + module + " --token-label kiosk --read-object --type pubkey --id 01 -o " +
                    public_key_der.string(),
                log) == 0);
    std::ofstream(pin_file) << "123456\n";
    set_mode(pin_file, fs::perms::owner_read | fs::perms::owner_write);
  }

  hal::openssl::EvpPkeyPtr public_key() const {
    const std::string der = text_of(public_key_der);
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    hal::openssl::EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    REQUIRE(key);
    return key;
  }
};

}  // namespace

TEST_CASE("terminal key: a key file others can read, another user's or a symbolic link is refused, saying what to do") {
  World world({});
  auto config = world.transport_config();
  { drivers::https::HttpsClientTransport works(config); }  // as issued: 0600, the kiosk's user's

  set_mode(config.client_key, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  hal::TransportError e = configuration_error([&] { drivers::https::HttpsClientTransport t(config); });
  CHECK(e.kind() == hal::TransportErrorKind::Configuration);
  CHECK_THAT(e.detail(), Catch::Contains("has mode 0644") && Catch::Contains("chmod 600 " + config.client_key.string()));
  e = configuration_error([&] { drivers::https::TerminalKeySigner::from_pem_file(config.client_key); });
  CHECK_THAT(e.detail(), Catch::Contains("has mode 0644"));
  set_mode(config.client_key, fs::perms::owner_read);  // 0400 is fine too
  { drivers::https::HttpsClientTransport works(config); }

  if (::geteuid() == 0) {  // only root can give the file away
    REQUIRE(::chown(config.client_key.c_str(), 65534, 65534) == 0);
    e = configuration_error([&] { drivers::https::HttpsClientTransport t(config); });
    CHECK_THAT(e.detail(), Catch::Contains("belongs to uid 65534") && Catch::Contains("chown"));
    REQUIRE(::chown(config.client_key.c_str(), 0, 0) == 0);
  }

  const fs::path link = world.dir() / "terminal-link.key";
  fs::create_symlink(config.client_key, link);
  config.client_key = link;
  e = configuration_error([&] { drivers::https::HttpsClientTransport t(config); });
  CHECK_THAT(e.detail(), Catch::Contains("symbolic link"));
}

TEST_CASE("terminal key: a key generated on a SoftHSM2 token signs the mutual-TLS handshake and attestations, and cannot be read out") {
  World world({});
  Token token;
  const auto now = std::chrono::system_clock::now();
  const auto ca = elig::ServicePki::open(world.dir() / "service");
  const fs::path certificate = world.dir() / "token-terminal.pem";
  ca.issue_terminal_for_key(certificate, token.public_key().get(), "1312345678", "KIOSK-TOKEN", "", now - 1h, now + 24h);

  auto config = world.transport_config();
  config.client_certificate = certificate;
  config.client_key = "pkcs11:token=kiosk;object=terminal;type=private";
  config.pkcs11_module = token.module;
  config.pkcs11_pin_file = token.pin_file;

  // The handshake is signed on the token: the service accepts the terminal.
  drivers::https::HttpsClientTransport transport(config);
  RealClock clock;
  EligibilityClient client(transport, clock, quick_options());
  CHECK(client.health().status == "ok");
  CHECK(client.health().status == "ok");  // a second exchange on the kept connection

  // Attestations are signed on the token too, and verify with the certificate's key.
  auto signer = drivers::https::TerminalKeySigner::load({config.client_key, config.pkcs11_module, config.pkcs11_pin_file});
  const Bytes message{'a', 't', 't', 'e', 's', 't'};
  const Bytes signature = signer.sign(message);
  const hal::openssl::EvpPkeyPtr public_key = token.public_key();
  hal::openssl::EvpMdCtxPtr verify(EVP_MD_CTX_new());
  REQUIRE(EVP_DigestVerifyInit(verify.get(), nullptr, EVP_sha256(), nullptr, public_key.get()) == 1);
  CHECK(EVP_DigestVerify(verify.get(), signature.data(), signature.size(), message.data(), message.size()) == 1);

  // The private key cannot be exported: what OpenSSL writes out for the token's key (public
  // part, no private scalar) signs nothing that verifies, and the token's own tool reads nothing.
  const drivers::https::TerminalKey key = drivers::https::load_terminal_key({config.client_key, config.pkcs11_module, config.pkcs11_pin_file});
  hal::openssl::BioPtr out(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    hal::openssl::EvpPkeyPtr copy(PEM_read_bio_PrivateKey(out.get(), nullptr, nullptr, nullptr));
    if (copy) {
      Bytes forged(256);
      std::size_t forged_size = forged.size();
      hal::openssl::EvpMdCtxPtr sign(EVP_MD_CTX_new());
      const bool signed_ok = EVP_DigestSignInit(sign.get(), nullptr, EVP_sha256(), nullptr, copy.get()) == 1 &&
                             EVP_DigestSign(sign.get(), forged.data(), &forged_size, message.data(), message.size()) == 1;
      if (signed_ok) {
        hal::openssl::EvpMdCtxPtr check(EVP_MD_CTX_new());
        REQUIRE(EVP_DigestVerifyInit(check.get(), nullptr, EVP_sha256(), nullptr, public_key.get()) == 1);
        CHECK(EVP_DigestVerify(check.get(), forged.data(), forged_size, message.data(), message.size()) != 1);
      }
    }
  }
  ERR_clear_error();
  const auto stolen = token.dir.path() / "stolen.der";
  run("pkcs11-tool --module " + token.module + " --token-label kiosk --login --pin 123456 --read-object --type privkey --id 01 -o " +
          stolen.string(),
      token.log);  // OpenSC 0.23 answers 0 even when it reads nothing
  CHECK((!std::filesystem::exists(stolen) || std::filesystem::file_size(stolen) == 0));
}

TEST_CASE("terminal key: a token key with a wrong PIN, a PIN file others can read, or no module is refused clearly") {
  World world({});
  Token token;
  drivers::https::TerminalKeyLocation where{"pkcs11:token=kiosk;object=terminal;type=private", token.module, token.pin_file};

  std::ofstream(token.pin_file, std::ios::trunc) << "000000\n";
  hal::TransportError e = configuration_error([&] { drivers::https::load_terminal_key(where); });
  CHECK(e.kind() == hal::TransportErrorKind::Configuration);
  CHECK_THAT(e.detail(), Catch::Contains("wrong PIN"));

  set_mode(token.pin_file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  e = configuration_error([&] { drivers::https::load_terminal_key(where); });
  CHECK_THAT(e.detail(), Catch::Contains("token PIN file") && Catch::Contains("chmod 600"));

  where.pkcs11_module = world.dir() / "no-such-module.so";
  e = configuration_error([&] { drivers::https::load_terminal_key(where); });
  CHECK_THAT(e.detail(), Catch::Contains("PKCS#11 module"));
}
