#include "sim/eligibility/service_pki.hpp"
#include "hal/files.hpp"

#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "sim/ca/asn1_fields.hpp"

namespace kiosk::sim::eligibility {

namespace {

namespace fs = std::filesystem;
using hal::openssl::throw_error;

hal::openssl::EvpPkeyPtr new_key() {
  hal::openssl::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) throw_error<PkiError>("cannot generate an EC P-256 key");
  return key;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw PkiError("cannot read " + path.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Temporary file, fsync, rename (hal/files.hpp): a crash leaves the old file or the new one.
void write_text(const fs::path& path, const std::string& text, bool secret) {
  try {
    hal::write_file_atomically(path, text, secret ? 0600 : 0644);
  } catch (const std::system_error& e) {
    throw PkiError(e.what());
  }
}

std::string pem_of(X509* cert) {
  auto bio = hal::openssl::output_bio<PkiError>();
  if (PEM_write_bio_X509(bio.get(), cert) != 1) throw_error<PkiError>("PEM_write_bio_X509");
  return hal::openssl::bio_text(bio.get());
}

std::string pem_of(EVP_PKEY* key) {
  auto bio = hal::openssl::output_bio<PkiError>();
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw_error<PkiError>("PEM_write_bio_PrivateKey");
  }
  return hal::openssl::bio_text(bio.get());
}

void add_entry(X509_NAME* name, const char* field, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    throw_error<PkiError>(std::string("cannot set ") + field);
  }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx{};
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  hal::openssl::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) throw_error<PkiError>("cannot add extension " + value);
}

hal::openssl::X509Ptr build(X509_NAME* subject, X509* issuer_cert, X509_NAME* issuer_name, EVP_PKEY* subject_key,
                       std::chrono::system_clock::time_point not_before, std::chrono::system_clock::time_point not_after) {
  if (not_after <= not_before) throw std::invalid_argument("a certificate must end after it starts");
  hal::openssl::X509Ptr cert(X509_new());
  hal::openssl::BignumPtr serial(BN_new());
  if (!cert || !serial || BN_rand(serial.get(), 63, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1) {
    throw_error<PkiError>("cannot start a certificate");
  }
  hal::openssl::Asn1IntegerPtr serial_value(BN_to_ASN1_INTEGER(serial.get(), nullptr));
  if (!serial_value || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_serialNumber(cert.get(), serial_value.get()) != 1 || X509_set_subject_name(cert.get(), subject) != 1 ||
      X509_set_issuer_name(cert.get(), issuer_name) != 1 || X509_set_pubkey(cert.get(), subject_key) != 1) {
    throw_error<PkiError>("cannot build a certificate");
  }
  sim::ca::detail::set_time(X509_getm_notBefore(cert.get()), not_before);
  sim::ca::detail::set_time(X509_getm_notAfter(cert.get()), not_after);
  add_extension(cert.get(), issuer_cert != nullptr ? issuer_cert : cert.get(), NID_subject_key_identifier, "hash");
  if (issuer_cert != nullptr) add_extension(cert.get(), issuer_cert, NID_authority_key_identifier, "keyid:always");
  return cert;
}

bool digits(const std::string& s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

ServicePki::ServicePki(fs::path certificate_file, hal::openssl::X509Ptr cert, hal::openssl::EvpPkeyPtr key)
    : certificate_file_(std::move(certificate_file)), cert_(std::move(cert)), key_(std::move(key)) {}
ServicePki::ServicePki(ServicePki&&) noexcept = default;
ServicePki& ServicePki::operator=(ServicePki&&) noexcept = default;
ServicePki::~ServicePki() = default;

ServicePki ServicePki::create(const fs::path& dir, TimePoint now, const std::string& name, const std::string& common_name) {
  fs::create_directories(dir);
  const fs::path cert_file = dir / (name + ".pem");
  const fs::path key_file = dir / (name + ".key");
  if (fs::exists(cert_file) || fs::exists(key_file)) throw PkiError("a CA exists already at " + cert_file.string());
  auto key = new_key();
  hal::openssl::X509NamePtr subject(X509_NAME_new());
  if (!subject) throw_error<PkiError>("X509_NAME_new");
  add_entry(subject.get(), "C", "JP");
  add_entry(subject.get(), "O", "Kiosk simulator");
  add_entry(subject.get(), "CN", common_name);
  auto cert = build(subject.get(), nullptr, subject.get(), key.get(), now - std::chrono::hours{1}, now + std::chrono::days{3653});
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) throw_error<PkiError>("X509_sign");
  write_text(key_file, pem_of(key.get()), true);
  write_text(cert_file, pem_of(cert.get()), false);
  return ServicePki(cert_file, std::move(cert), std::move(key));
}

ServicePki ServicePki::open(const fs::path& dir, const std::string& name) {
  const fs::path cert_file = dir / (name + ".pem");
  const fs::path key_file = dir / (name + ".key");
  const std::string cert_pem = read_text(cert_file);
  const std::string key_pem = read_text(key_file);
  auto cert_bio = hal::openssl::memory_bio<PkiError>(cert_pem);
  hal::openssl::X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!cert) throw_error<PkiError>("not a certificate: " + cert_file.string());
  auto key_bio = hal::openssl::memory_bio<PkiError>(key_pem);
  hal::openssl::EvpPkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw_error<PkiError>("not a private key: " + key_file.string());
  if (X509_check_private_key(cert.get(), key.get()) != 1) throw_error<PkiError>(key_file.string() + " does not match its CA");
  return ServicePki(cert_file, std::move(cert), std::move(key));
}

IssuedFiles ServicePki::issue_server(const fs::path& dir, const std::string& name, TimePoint not_before, TimePoint not_after,
                                     const std::vector<std::string>& extra_dns_names) const {
  auto key = new_key();
  hal::openssl::X509NamePtr subject(X509_NAME_new());
  if (!subject) throw_error<PkiError>("X509_NAME_new");
  add_entry(subject.get(), "C", "JP");
  add_entry(subject.get(), "O", "Kiosk simulator");
  add_entry(subject.get(), "CN", "localhost");
  auto cert = build(subject.get(), cert_.get(), X509_get_subject_name(cert_.get()), key.get(), not_before, not_after);
  std::string san = "DNS:localhost,IP:127.0.0.1";
  for (const auto& n : extra_dns_names) san += ",DNS:" + n;
  add_extension(cert.get(), cert_.get(), NID_subject_alt_name, san);
  add_extension(cert.get(), cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), cert_.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), cert_.get(), NID_ext_key_usage, "serverAuth");
  if (X509_sign(cert.get(), key_.get(), EVP_sha256()) <= 0) throw_error<PkiError>("X509_sign");
  fs::create_directories(dir);
  IssuedFiles files{dir / (name + ".pem"), dir / (name + ".key")};
  write_text(files.key, pem_of(key.get()), true);
  write_text(files.certificate, pem_of(cert.get()), false);
  return files;
}

IssuedFiles ServicePki::issue_terminal(const fs::path& dir, const std::string& name, const std::string& medical_institution_code,
                                       const std::string& terminal_id, const std::string& institution_name,
                                       TimePoint not_before, TimePoint not_after) const {
  if (!digits(medical_institution_code, 10)) {
    throw std::invalid_argument("a medical institution code has 10 digits, got '" + medical_institution_code + "'");
  }
  if (terminal_id.empty()) throw std::invalid_argument("the terminal needs an id");
  auto key = new_key();
  fs::create_directories(dir);
  IssuedFiles files{dir / (name + ".pem"), dir / (name + ".key")};
  write_text(files.key, pem_of(key.get()), true);
  issue_terminal_for_key(files.certificate, key.get(), medical_institution_code, terminal_id, institution_name, not_before,
                         not_after);
  return files;
}

void ServicePki::issue_terminal_for_key(const fs::path& certificate_file, EVP_PKEY* public_key,
                                        const std::string& medical_institution_code, const std::string& terminal_id,
                                        const std::string& institution_name, TimePoint not_before, TimePoint not_after) const {
  if (!digits(medical_institution_code, 10)) {
    throw std::invalid_argument("a medical institution code has 10 digits, got '" + medical_institution_code + "'");
  }
  if (terminal_id.empty()) throw std::invalid_argument("the terminal needs an id");
  EVP_PKEY* key = public_key;
  hal::openssl::X509NamePtr subject(X509_NAME_new());
  if (!subject) throw_error<PkiError>("X509_NAME_new");
  add_entry(subject.get(), "C", "JP");
  add_entry(subject.get(), "O", institution_name.empty() ? std::string("Medical institution") : institution_name);
  add_entry(subject.get(), "OU", medical_institution_code);
  add_entry(subject.get(), "CN", terminal_id);
  auto cert = build(subject.get(), cert_.get(), X509_get_subject_name(cert_.get()), key, not_before, not_after);
  add_extension(cert.get(), cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), cert_.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), cert_.get(), NID_ext_key_usage, "clientAuth");
  if (X509_sign(cert.get(), key_.get(), EVP_sha256()) <= 0) throw_error<PkiError>("X509_sign");
  if (certificate_file.has_parent_path()) fs::create_directories(certificate_file.parent_path());
  write_text(certificate_file, pem_of(cert.get()), false);
}

}  // namespace kiosk::sim::eligibility
