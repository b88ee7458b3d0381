// The simulated JPKI certificate authority: two self-signed roots (user authentication and
// digital signature), the certificates it issues to simulated cards, revocation and CRLs.
// Its state lives in one directory:
//   auth-ca.pem / auth-ca.key   root for 利用者証明用 certificates (PEM certificate, PKCS#8 key)
//   sign-ca.pem / sign-ca.key   root for 署名用 certificates
//   ca.json                     next serial, issued and revoked serials (with revocation time)
// The directory is also a valid trust-anchor directory for the kiosk (the .key files and
// ca.json are not certificates). Not thread-safe: one SimulatedJpkiCa per directory at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hal/bytes.hpp"
#include "sim/ca/rsa_key.hpp"

struct x509_st;

namespace kiosk::sim::ca {

// The CA directory cannot be created or opened (exists already, missing or corrupt files,
// unwritable), or an operation on it is refused (unknown serial).
class CaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class CaKind {
  UserAuthentication,  // 利用者証明用: certificate in EF 000A, CA certificate in EF 000B
  DigitalSignature,    // 署名用: certificate in EF 0001, CA certificate in EF 0002
};

// "auth" / "sign" (the names used in file names and ca.json).
std::string_view to_string(CaKind kind);

// The holder data of a 署名用 certificate (基本4情報 and where the holder lives). UTF-8.
struct SignHolder {
  std::string name;          // OID 1.2.392.200149.8.5.5.1
  std::string name_alt;      // .2, alternative characters for the name (omitted when empty)
  std::string sex;           // .3, ISO 5218 digit: "0" unknown, "1" male, "2" female, "9" n/a
  std::string birth_date;    // .4, YYYYMMDD
  std::string address;       // .5
  std::string address_alt;   // .6, alternative characters for the address (omitted when empty)
  std::string locality;      // subject L=, e.g. "Kiyose-shi"
  std::string subject_cn;    // subject CN=; empty: a random serial-like id is generated
};

inline constexpr std::string_view kAuthCrlUrl = "http://127.0.0.1/jpki-sim/auth.crl";
inline constexpr std::string_view kSignCrlUrl = "http://127.0.0.1/jpki-sim/sign.crl";

class SimulatedJpkiCa {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // Makes the two RSA-2048 roots (valid 10 years from `now`) and writes the directory
  // (created if missing). Throws CaError if a CA already exists there.
  static SimulatedJpkiCa create(const std::filesystem::path& dir, TimePoint now);
  // Loads a CA made by create(). Throws CaError naming the missing or corrupt file, or when a
  // key does not belong to its certificate.
  static SimulatedJpkiCa open(const std::filesystem::path& dir);

  SimulatedJpkiCa(SimulatedJpkiCa&&) noexcept;
  SimulatedJpkiCa& operator=(SimulatedJpkiCa&&) noexcept;
  SimulatedJpkiCa(const SimulatedJpkiCa&) = delete;
  SimulatedJpkiCa& operator=(const SimulatedJpkiCa&) = delete;
  ~SimulatedJpkiCa();

  // 利用者証明用 certificate, DER: subject C=JP, CN=<subject_cn>; keyUsage digitalSignature
  // (critical), extendedKeyUsage clientAuth, subject/authority key ids, CRL DP kAuthCrlUrl.
  // The holder key must be RSA-2048 and not_before < not_after (std::invalid_argument).
  // The serial comes from ca.json, which is updated before returning.
  Bytes issue_auth_certificate(const RsaKey& holder_key, const std::string& subject_cn,
                               TimePoint not_before, TimePoint not_after);
  // 署名用 certificate, DER: subject C=JP, L=<locality>, CN=<id>; subjectAltName otherName
  // entries (UTF8String) for name, sex, birth date, address; keyUsage digitalSignature +
  // nonRepudiation (critical); key ids; CRL DP kSignCrlUrl.
  Bytes issue_sign_certificate(const RsaKey& holder_key, const SignHolder& holder,
                               TimePoint not_before, TimePoint not_after);

  Bytes auth_ca_certificate_der() const;
  Bytes sign_ca_certificate_der() const;
  Bytes ca_certificate_der(CaKind kind) const;

  // Marks an issued certificate revoked (persisted in ca.json). Revoking it again keeps the
  // first revocation time. Throws CaError for a serial this CA never issued,
  // std::invalid_argument for a serial that is not hex.
  void revoke(std::string_view serial_hex, TimePoint when);
  bool is_revoked(std::string_view serial_hex) const;
  // The revoked serials of one CA (canonical upper-case hex, no leading zeros).
  std::vector<std::string> revoked_serials(CaKind kind) const;

  // A v2 CRL signed by that CA (sha256WithRSA) listing every serial of that CA revoked so far
  // with its revocation time; thisUpdate = now, nextUpdate = now + 1 day, authority key id,
  // CRL number. DER.
  Bytes crl_der(CaKind kind, TimePoint now) const;

  const std::filesystem::path& directory() const { return dir_; }
  std::uint64_t next_serial() const;

 private:
  struct Impl;

  SimulatedJpkiCa(std::filesystem::path dir, std::unique_ptr<Impl> impl);

  std::filesystem::path dir_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiosk::sim::ca
