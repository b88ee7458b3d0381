#include "sim/eligibility/service_api.hpp"

#include <algorithm>

#include "sim/eligibility/encoding.hpp"

namespace kiosk::sim::eligibility {

ApiError bad_request(const std::string& detail) {
  return {400, "BAD_REQUEST", "要求の形式が正しくありません。受付窓口にお申し出ください。", false, detail};
}

Json base_reply() { return Json{{"api_version", kApiVersion}}; }

std::string error_body(const ApiError& e) {
  Json j = base_reply();
  j["error"] = {{"code", e.code}, {"message", e.message}, {"retryable", e.retryable}};
  if (!e.detail.empty()) j["error"]["detail"] = e.detail;
  return j.dump();
}

Body::Body(const std::string& text) : json_(Json::parse(text, nullptr, false)) {
  if (json_.is_discarded() || !json_.is_object()) throw bad_request("the body is not a JSON object");
  const auto v = json_.find("api_version");
  if (v == json_.end() || !v->is_number_integer() || v->get<long long>() != kApiVersion) {
    throw ApiError{400, "UNSUPPORTED_VERSION", "この端末のソフトウェアは更新が必要です。受付窓口にお申し出ください。", false,
                   "api_version must be 1"};
  }
}

bool Body::has(const char* key) const {
  const auto it = json_.find(key);
  return it != json_.end() && !it->is_null();
}

std::string Body::text(const char* key) const {
  if (!has(key)) throw bad_request(std::string(key) + " is missing");
  const Json& v = json_.at(key);
  if (!v.is_string()) throw bad_request(std::string(key) + " is not a string");
  return v.get<std::string>();
}

Bytes Body::bytes(const char* key) const {
  auto decoded = base64_decode(text(key));
  if (!decoded) throw bad_request(std::string(key) + " is not base64");
  return *decoded;
}

bool Body::flag(const char* key) const {
  if (!has(key)) throw bad_request(std::string(key) + " is missing");
  const Json& v = json_.at(key);
  if (!v.is_boolean()) throw bad_request(std::string(key) + " is not true or false");
  return v.get<bool>();
}

const Json& Body::object(const char* key) const {
  if (!has(key) || !json_.at(key).is_object()) throw bad_request(std::string(key) + " is not an object");
  return json_.at(key);
}

std::string request_id_of(const Body& body) {
  std::string id = body.text("request_id");
  const bool ok = id.size() >= 8 && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  });
  if (!ok) throw bad_request("request_id must be 8-64 of A-Z a-z 0-9 - _");
  return id;
}

}  // namespace kiosk::sim::eligibility
