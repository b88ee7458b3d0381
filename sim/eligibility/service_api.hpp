// The simulated service's wire conventions, shared by its endpoints: the refusal every error
// answer is made from (HTTP status, code, the message the kiosk shows, retry hint), the
// terminal a request comes from (its TLS client certificate), the answer, and strict access to
// request bodies (BAD_REQUEST for anything that is not the documented form).
// docs/eligibility-protocol.md describes the protocol.
#pragma once

#include <openssl/x509.h>

#include <string>

#include <nlohmann/json.hpp>

#include "hal/bytes.hpp"

namespace kiosk::sim::eligibility {

using Json = nlohmann::json;

inline constexpr int kApiVersion = 1;
inline constexpr const char* kJsonType = "application/json; charset=utf-8";
inline constexpr std::size_t kMaxBody = 64 * 1024;

// What the patient sees for the certificate refusals (reader message 【006】).
inline constexpr const char* kMessage006 =
    "受付窓口にご連絡ください。また市区町村で証明書の更新手続きをしてください。【006:利用者証明用電子証明書の失効・有効期限切れ】";

// A refusal with everything the kiosk needs: HTTP status, code, message to show, retry hint.
struct ApiError {
  int status;
  std::string code;
  std::string message;
  bool retryable = false;
  std::string detail;
};

ApiError bad_request(const std::string& detail);

struct Terminal {
  std::string fingerprint;  // SHA-256 of the client certificate
  std::string subject;
  std::string medical_institution_code;
  X509* certificate = nullptr;  // owned by the TLS session, valid during the request
};

struct Reply {
  int status = 200;
  std::string body;
};

Json base_reply();
std::string error_body(const ApiError& e);

// Request body access with BAD_REQUEST for anything that is not the documented form.
class Body {
 public:
  // Throws BAD_REQUEST for a body that is not a JSON object, UNSUPPORTED_VERSION for another
  // api_version.
  explicit Body(const std::string& text);
  bool has(const char* key) const;
  std::string text(const char* key) const;
  Bytes bytes(const char* key) const;  // base64
  bool flag(const char* key) const;
  const Json& object(const char* key) const;
  const Json& json() const { return json_; }

 private:
  Json json_;
};

// The request_id of a body: 8-64 of A-Z a-z 0-9 - _ (BAD_REQUEST otherwise).
std::string request_id_of(const Body& body);

}  // namespace kiosk::sim::eligibility
