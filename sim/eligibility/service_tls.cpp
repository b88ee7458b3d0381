#include "sim/eligibility/service_tls.hpp"

#include <algorithm>

#include "hal/openssl_handles.hpp"
#include "sim/eligibility/jpki_verifier.hpp"

namespace kiosk::sim::eligibility {
namespace {

std::string subject_field(X509* cert, int nid) {
  X509_NAME* name = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return {};
  const hal::openssl::String owned(reinterpret_cast<char*>(utf8));
  return std::string(owned.get(), static_cast<std::size_t>(length));
}

bool ten_digits(const std::string& s) {
  return s.size() == 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool setup_server_tls(SSL_CTX& ctx, const TlsFiles& files, std::string& error) {
  const auto fail = [&](const std::string& what) {
    error = what + ": " + hal::openssl::take_errors();
    return false;
  };
  if (SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) != 1) return fail("cannot require TLS 1.2");
  if (SSL_CTX_use_certificate_chain_file(&ctx, files.certificate.c_str()) != 1) {
    return fail("cannot use the server certificate " + files.certificate.string());
  }
  if (SSL_CTX_use_PrivateKey_file(&ctx, files.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(&ctx) != 1) {
    return fail("cannot use the server key " + files.key.string());
  }
  if (SSL_CTX_load_verify_locations(&ctx, files.client_ca.c_str(), nullptr) != 1) {
    return fail("cannot use the terminal CA " + files.client_ca.string());
  }
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca.c_str());
  if (names == nullptr) return fail("cannot read the terminal CA names");
  SSL_CTX_set_client_CA_list(&ctx, names);
  SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_verify_depth(&ctx, 2);
  static constexpr unsigned char kSessionContext[] = "kiosk-eligibility";
  SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof kSessionContext - 1);
  return true;
}

Terminal terminal_of(const httplib::Request& req) {
  X509* cert = req.ssl != nullptr ? SSL_get0_peer_certificate(req.ssl) : nullptr;
  if (cert == nullptr) {
    throw ApiError{403, "TERMINAL_NOT_AUTHORIZED", "この端末はオンライン資格確認に登録されていません。", false,
                   "no client certificate"};
  }
  Terminal t;
  t.certificate = cert;
  t.fingerprint = sha256_hex(certificate_der(cert));
  t.subject = subject_of(cert);
  t.medical_institution_code = subject_field(cert, NID_organizationalUnitName);
  if (!ten_digits(t.medical_institution_code)) {
    throw ApiError{403, "TERMINAL_NOT_AUTHORIZED", "この端末はオンライン資格確認に登録されていません。", false,
                   "the terminal certificate carries no 10-digit medical institution code (OU)"};
  }
  return t;
}

}  // namespace kiosk::sim::eligibility
