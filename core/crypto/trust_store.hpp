// The JPKI trust anchors (CA certificates) and revocation lists the kiosk checks against.
// Several CA generations may share one DN (J-LIS publishes authca01..03 under one name): all are
// kept, and an issuer is matched by the signature it made, not by its name.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/certificate.hpp"
#include "core/crypto/errors.hpp"
#include "hal/bytes.hpp"

struct X509_crl_st;
struct x509_store_st;

namespace kiosk::core::crypto {

// An X.509 CRL (immutable; copies share the OpenSSL object).
class Crl {
 public:
  // DER, or PEM ("-----BEGIN X509 CRL-----") recognised by its first bytes. Throws CrlError.
  static Crl parse(ByteView der_or_pem);
  static Crl from_der(ByteView der);
  static Crl from_pem(std::string_view pem);

  std::string issuer() const;  // RFC 2253
  Certificate::TimePoint this_update() const;
  // nullopt when the CRL has no nextUpdate.
  std::optional<Certificate::TimePoint> next_update() const;
  // Upper-case hex serials of the revoked certificates.
  std::vector<std::string> revoked_serials() const;
  // Signed by this certificate's key and issued under its subject name.
  bool issued_by(const Certificate& ca) const;

  X509_crl_st* native() const { return crl_.get(); }

 private:
  explicit Crl(std::shared_ptr<X509_crl_st> crl) : crl_(std::move(crl)) {}
  std::shared_ptr<X509_crl_st> crl_;
};

class TrustStore {
 public:
  // Adds a trust anchor. Throws TrustStoreError when it is not a CA certificate
  // (basicConstraints cA). Adding the same certificate twice keeps one copy.
  void add_ca(const Certificate& ca);
  // Adds every certificate of every *.pem, *.crt, *.cer and *.der file in the directory (not
  // recursive; PEM files may hold several certificates) and every CRL of every *.crl file.
  // Other files (keys, JSON) are ignored. Returns the number of certificates and CRLs added.
  // Throws TrustStoreError for a missing directory, or a file of those kinds that does not parse.
  std::size_t add_directory(const std::filesystem::path& dir);
  // Adds a CRL. A CRL from the same CA (same issuer name and authority key id) replaces an
  // older one (by thisUpdate); an older one than the stored one is ignored.
  void add_crl(const Crl& crl);
  void add_crl(ByteView der_or_pem) { add_crl(Crl::parse(der_or_pem)); }

  const std::vector<Certificate>& ca_certificates() const { return cas_; }
  const std::vector<Crl>& crls() const { return crls_; }
  // The CRLs signed by this CA (by name and signature).
  std::vector<Crl> crls_issued_by(const Certificate& ca) const;

  struct NativeStoreDeleter {
    void operator()(x509_store_st* store) const noexcept;
  };
  using NativeStore = std::unique_ptr<x509_store_st, NativeStoreDeleter>;
  // A fresh OpenSSL store holding all anchors and CRLs, with issuer look-up by signature.
  // Used by validate().
  NativeStore make_native_store() const;

 private:
  std::vector<Certificate> cas_;
  std::vector<Crl> crls_;
};

}  // namespace kiosk::core::crypto
