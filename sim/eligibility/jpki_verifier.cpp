#include "sim/eligibility/jpki_verifier.hpp"

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iterator>

#include "sim/ca/asn1_fields.hpp"

namespace kiosk::sim::eligibility {

namespace {

TimePoint to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) throw CertificateParseError("a certificate time cannot be decoded");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string name_text(const X509_NAME* name) {
  auto bio = hal::openssl::output_bio<CertificateParseError>();
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return hal::openssl::bio_text(bio.get());
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw CertificateParseError("cannot read " + file.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool verify_with(X509* cert, ByteView message, ByteView signature, bool pkcs1) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) return false;
  hal::openssl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1) {
    ERR_clear_error();
    return false;
  }
  if (pkcs1 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    ERR_clear_error();
    return false;
  }
  const int ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size());
  ERR_clear_error();
  return ok == 1;
}

}  // namespace

hal::openssl::X509Ptr parse_certificate_der(ByteView der) {
  const unsigned char* p = der.data();
  hal::openssl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) {
    ERR_clear_error();
    throw CertificateParseError("not a DER X.509 certificate");
  }
  return cert;
}

hal::openssl::X509Ptr parse_certificate_file(const std::filesystem::path& file) {
  const std::string content = read_file(file);
  if (content.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
    auto bio = hal::openssl::memory_bio<CertificateParseError>(content);
    hal::openssl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) hal::openssl::throw_error<CertificateParseError>("not a PEM certificate: " + file.string());
    return cert;
  }
  try {
    return parse_certificate_der(ByteView(reinterpret_cast<const Byte*>(content.data()), content.size()));
  } catch (const CertificateParseError&) {
    throw CertificateParseError("not a certificate (PEM or DER): " + file.string());
  }
}

Bytes certificate_der(X509* cert) {
  const int length = i2d_X509(cert, nullptr);
  if (length <= 0) hal::openssl::throw_error<CertificateParseError>("i2d_X509");
  Bytes der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  i2d_X509(cert, &out);
  return der;
}

std::string sha256_hex(ByteView bytes) {
  Bytes digest(32);
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    hal::openssl::throw_error<std::runtime_error>("SHA-256");
  }
  std::string hex = to_hex(digest, '\0');
  std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; });
  return hex;
}

CertificateInfo describe(X509* cert) { return describe(cert, certificate_der(cert)); }

std::string subject_of(X509* cert) { return name_text(X509_get_subject_name(cert)); }

CertificateInfo describe(X509* cert, ByteView der) {
  CertificateInfo info;
  info.sha256 = sha256_hex(der);
  info.subject = name_text(X509_get_subject_name(cert));
  info.issuer = name_text(X509_get_issuer_name(cert));
  hal::openssl::BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!serial) hal::openssl::throw_error<CertificateParseError>("certificate serial");
  info.serial = sim::ca::detail::bignum_hex(serial.get());
  info.not_before = to_time_point(X509_get0_notBefore(cert));
  info.not_after = to_time_point(X509_get0_notAfter(cert));
  return info;
}

JpkiVerifier::JpkiVerifier(const std::vector<std::filesystem::path>& ca_certificate_files) : store_(X509_STORE_new()) {
  if (!store_) hal::openssl::throw_error<CertificateParseError>("X509_STORE_new");
  if (ca_certificate_files.empty()) throw CertificateParseError("no JPKI CA certificate to trust");
  for (const auto& file : ca_certificate_files) {
    hal::openssl::X509Ptr ca = parse_certificate_file(file);
    if (X509_check_ca(ca.get()) == 0) throw CertificateParseError(file.string() + " is not a CA certificate");
    if (X509_STORE_add_cert(store_.get(), ca.get()) != 1) hal::openssl::throw_error<CertificateParseError>("X509_STORE_add_cert");
    anchors_.push_back(std::move(ca));
  }
}

JpkiVerifier::ChainCheck JpkiVerifier::check_chain(X509* cert) const {
  hal::openssl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store_.get(), cert, nullptr) != 1) {
    hal::openssl::throw_error<std::runtime_error>("X509_STORE_CTX_init");
  }
  X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_NO_CHECK_TIME);
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return {false, X509_verify_cert_error_string(error)};
  }
  if ((X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE) == 0) return {false, "key usage lacks digitalSignature"};
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr || EVP_PKEY_is_a(key, "RSA") != 1 || EVP_PKEY_get_bits(key) != 2048) {
    return {false, "not an RSA-2048 key"};
  }
  return {true, {}};
}

std::vector<RevocationRecord> JpkiVerifier::read_crl(const std::filesystem::path& crl_file) const {
  const std::string content = read_file(crl_file);
  hal::openssl::X509CrlPtr crl;
  if (content.find("-----BEGIN X509 CRL-----") != std::string::npos) {
    auto bio = hal::openssl::memory_bio<CertificateParseError>(content);
    crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(content.data());
    crl.reset(d2i_X509_CRL(nullptr, &p, static_cast<long>(content.size())));
  }
  if (!crl) hal::openssl::throw_error<CertificateParseError>("not a CRL: " + crl_file.string());
  const X509* signer = nullptr;
  for (const auto& anchor : anchors_) {
    if (X509_NAME_cmp(X509_get_subject_name(anchor.get()), X509_CRL_get_issuer(crl.get())) == 0 &&
        X509_CRL_verify(crl.get(), X509_get0_pubkey(anchor.get())) == 1) {
      signer = anchor.get();
      break;
    }
  }
  ERR_clear_error();
  if (signer == nullptr) throw CertificateParseError(crl_file.string() + " is not signed by a trusted JPKI CA");
  std::vector<RevocationRecord> out;
  const std::string issuer = name_text(X509_CRL_get_issuer(crl.get()));
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    const X509_REVOKED* entry = sk_X509_REVOKED_value(revoked, i);
    hal::openssl::BignumPtr serial(ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(entry), nullptr));
    if (!serial) hal::openssl::throw_error<CertificateParseError>("CRL entry serial");
    out.push_back({issuer, sim::ca::detail::bignum_hex(serial.get()), to_time_point(X509_REVOKED_get0_revocationDate(entry)),
                   crl_file.filename().string()});
  }
  return out;
}

bool verify_card_signature(X509* card_certificate, ByteView nonce, ByteView signature) {
  EVP_PKEY* key = X509_get0_pubkey(card_certificate);
  if (key == nullptr || EVP_PKEY_is_a(key, "RSA") != 1) return false;
  return verify_with(card_certificate, nonce, signature, true);
}

bool verify_terminal_signature(X509* terminal_certificate, ByteView message, ByteView signature) {
  EVP_PKEY* key = X509_get0_pubkey(terminal_certificate);
  if (key == nullptr) return false;
  return verify_with(terminal_certificate, message, signature, EVP_PKEY_is_a(key, "RSA") == 1);
}

}  // namespace kiosk::sim::eligibility
