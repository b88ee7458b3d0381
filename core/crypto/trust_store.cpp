#include "core/crypto/trust_store.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <fstream>
#include <iterator>
#include <string>

#include "core/crypto/openssl_util.hpp"

namespace kiosk::core::crypto {

namespace {

using hal::openssl::throw_error;

bool looks_like_pem(ByteView bytes) {
  constexpr std::string_view marker = "-----BEGIN";
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return text.find(marker) != std::string_view::npos;
}

std::string_view as_text(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TrustStoreError("cannot read " + path.string());
  Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw TrustStoreError("cannot read " + path.string());
  return data;
}

// Every certificate of a PEM text, in order.
std::vector<Certificate> pem_certificates(std::string_view pem) {
  std::vector<Certificate> out;
  auto bio = detail::memory_bio<CryptoError>(pem);
  while (true) {
    detail::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    out.push_back(Certificate::from_native(cert.get()));
  }
  ERR_clear_error();  // the loop ends with "no start line"
  return out;
}

std::vector<Crl> pem_crls(std::string_view pem) {
  std::vector<Crl> out;
  std::size_t pos = 0;
  constexpr std::string_view begin = "-----BEGIN X509 CRL-----";
  constexpr std::string_view end = "-----END X509 CRL-----";
  while ((pos = pem.find(begin, pos)) != std::string_view::npos) {
    const std::size_t stop = pem.find(end, pos);
    if (stop == std::string_view::npos) throw CrlError("unterminated PEM CRL");
    out.push_back(Crl::from_pem(pem.substr(pos, stop + end.size() - pos)));
    pos = stop + end.size();
  }
  return out;
}

// Authority key identifier of a CRL (empty when absent).
Bytes crl_authority_key_id(X509_CRL* crl) {
  int critical = 0;
  std::unique_ptr<AUTHORITY_KEYID, detail::Deleter<AUTHORITY_KEYID_free>> akid(
      static_cast<AUTHORITY_KEYID*>(
          X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, &critical, nullptr)));
  if (!akid || akid->keyid == nullptr) {
    ERR_clear_error();
    return {};
  }
  const unsigned char* data = ASN1_STRING_get0_data(akid->keyid);
  return Bytes(data, data + ASN1_STRING_length(akid->keyid));
}

// Issuer look-up by signature: among the anchors that could have issued `subject` (name, key
// identifiers, key usage), the one whose key verifies its signature. Falls back to OpenSSL's
// own choice (which then reports the signature failure).
int get_issuer_by_signature(X509** issuer, X509_STORE_CTX* ctx, X509* subject) {
  X509_STORE* store = X509_STORE_CTX_get0_store(ctx);
  STACK_OF(X509)* candidates = X509_STORE_get1_all_certs(store);
  X509* found = nullptr;
  if (candidates != nullptr) {
    for (int i = 0; i < sk_X509_num(candidates) && found == nullptr; ++i) {
      X509* candidate = sk_X509_value(candidates, i);
      if (X509_check_issued(candidate, subject) != X509_V_OK) continue;
      ERR_set_mark();
      const bool signed_by = X509_verify(subject, X509_get0_pubkey(candidate)) == 1;
      ERR_pop_to_mark();
      if (signed_by) found = candidate;
    }
    if (found != nullptr) X509_up_ref(found);
    while (sk_X509_num(candidates) > 0) X509_free(sk_X509_pop(candidates));
    sk_X509_free(candidates);
  }
  if (found != nullptr) {
    *issuer = found;
    return 1;
  }
  return X509_STORE_CTX_get1_issuer(issuer, ctx, subject);
}

}  // namespace

// ---------------------------------------------------------------------------------------- Crl

Crl Crl::parse(ByteView der_or_pem) {
  if (looks_like_pem(der_or_pem)) return from_pem(as_text(der_or_pem));
  return from_der(der_or_pem);
}

Crl Crl::from_der(ByteView der) {
  if (der.empty()) throw CrlError("not a CRL: no data");
  if (der.size() > static_cast<std::size_t>(LONG_MAX)) throw CrlError("CRL too large");
  const unsigned char* p = der.data();
  detail::X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) throw_error<CrlError>("not a valid DER CRL");
  return Crl(std::shared_ptr<X509_CRL>(crl.release(), X509_CRL_free));
}

Crl Crl::from_pem(std::string_view pem) {
  auto bio = detail::memory_bio<CryptoError>(pem);
  detail::X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) throw_error<CrlError>("no PEM CRL found");
  return Crl(std::shared_ptr<X509_CRL>(crl.release(), X509_CRL_free));
}

std::string Crl::issuer() const {
  auto bio = detail::output_bio<CryptoError>();
  const unsigned long flags = XN_FLAG_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);
  if (X509_NAME_print_ex(bio.get(), X509_CRL_get_issuer(crl_.get()), 0, flags) < 0) {
    throw_error<CrlError>("cannot print the CRL issuer");
  }
  return detail::bio_text(bio.get());
}

Certificate::TimePoint Crl::this_update() const {
  return detail::to_time_point(X509_CRL_get0_lastUpdate(crl_.get()));
}

std::optional<Certificate::TimePoint> Crl::next_update() const {
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl_.get());
  if (next == nullptr) return std::nullopt;
  return detail::to_time_point(next);
}

std::vector<std::string> Crl::revoked_serials() const {
  std::vector<std::string> out;
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl_.get());
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i));
    std::unique_ptr<BIGNUM, detail::Deleter<BN_free>> bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!bn) throw_error<CrlError>("invalid serial number in CRL");
    detail::String hex(BN_bn2hex(bn.get()));
    if (!hex) throw_error<CrlError>("BN_bn2hex");
    out.emplace_back(hex.get());
  }
  return out;
}

bool Crl::issued_by(const Certificate& ca) const {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl_.get()), X509_get_subject_name(ca.native())) != 0) {
    return false;
  }
  EVP_PKEY* key = X509_get0_pubkey(ca.native());
  const bool ok = key != nullptr && X509_CRL_verify(crl_.get(), key) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

// --------------------------------------------------------------------------------- TrustStore

void TrustStore::add_ca(const Certificate& ca) {
  if (!ca.is_ca()) {
    throw TrustStoreError("not a CA certificate (basicConstraints cA is not set): " + ca.subject());
  }
  if (std::find(cas_.begin(), cas_.end(), ca) == cas_.end()) cas_.push_back(ca);
}

void TrustStore::add_crl(const Crl& crl) {
  X509_CRL* incoming = crl.native();
  const Bytes incoming_akid = crl_authority_key_id(incoming);
  for (auto& existing : crls_) {
    X509_CRL* old = existing.native();
    if (X509_NAME_cmp(X509_CRL_get_issuer(old), X509_CRL_get_issuer(incoming)) != 0) continue;
    if (crl_authority_key_id(old) != incoming_akid) continue;
    if (ASN1_TIME_compare(X509_CRL_get0_lastUpdate(incoming), X509_CRL_get0_lastUpdate(old)) > 0) {
      existing = crl;
    }
    return;
  }
  crls_.push_back(crl);
}

std::size_t TrustStore::add_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw TrustStoreError("trust-anchor directory not found: " + dir.string());
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (ec) throw TrustStoreError("cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());  // deterministic order

  std::size_t added = 0;
  for (const auto& path : files) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    const bool is_cert_file = ext == ".pem" || ext == ".crt" || ext == ".cer" || ext == ".der";
    if (!is_cert_file && ext != ".crl") continue;
    const Bytes data = read_file(path);
    try {
      if (ext == ".crl") {
        const auto crls = looks_like_pem(data) ? pem_crls(as_text(data))
                                               : std::vector<Crl>{Crl::from_der(data)};
        if (crls.empty()) throw CrlError("no CRL in the file");
        for (const auto& crl : crls) add_crl(crl);
        added += crls.size();
      } else {
        const auto certs = looks_like_pem(data) ? pem_certificates(as_text(data))
                                                : std::vector<Certificate>{Certificate::from_der(data)};
        if (certs.empty()) throw CertificateError("no certificate in the file");
        for (const auto& cert : certs) add_ca(cert);
        added += certs.size();
      }
    } catch (const TrustStoreError& e) {
      throw TrustStoreError(path.string() + ": " + e.what());
    } catch (const CryptoError& e) {
      throw TrustStoreError(path.string() + ": " + e.what());
    }
  }
  return added;
}

std::vector<Crl> TrustStore::crls_issued_by(const Certificate& ca) const {
  std::vector<Crl> out;
  for (const auto& crl : crls_) {
    if (crl.issued_by(ca)) out.push_back(crl);
  }
  return out;
}

void TrustStore::NativeStoreDeleter::operator()(x509_store_st* store) const noexcept {
  X509_STORE_free(store);
}

TrustStore::NativeStore TrustStore::make_native_store() const {
  detail::X509StorePtr store(X509_STORE_new());
  if (!store) throw_error<CryptoError>("X509_STORE_new");
  for (const auto& ca : cas_) {
    if (X509_STORE_add_cert(store.get(), ca.native()) != 1) throw_error<CryptoError>("X509_STORE_add_cert");
  }
  for (const auto& crl : crls_) {
    if (X509_STORE_add_crl(store.get(), crl.native()) != 1) throw_error<CryptoError>("X509_STORE_add_crl");
  }
  X509_STORE_set_get_issuer(store.get(), get_issuer_by_signature);
  return NativeStore(store.release());
}

}  // namespace kiosk::core::crypto
