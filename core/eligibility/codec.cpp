#include "core/eligibility/codec.hpp"

#include <type_traits>

#include "core/eligibility/oqs_fields.hpp"

namespace kiosk::core::eligibility::codec {

namespace {

using Json = nlohmann::json;

template <typename E>
std::string code_text(E e) {
  return std::to_string(static_cast<int>(e));
}

template <typename E>
E parse_code(const std::string& name, const std::string& text) {
  if (text.size() != 1 || text[0] < '0' || text[0] > '9') {
    throw CodecError(name + ": '" + text + "' is not a one-digit code");
  }
  const int n = text[0] - '0';
  if (!oqs::valid_code<E>(n)) throw CodecError(name + ": unknown code '" + text + "'");
  return static_cast<E>(n);
}

// Writes the OQS fields into a JSON object; empty strings and absent values are left out.
class JsonWriter {
 public:
  explicit JsonWriter(Json& out) : out_(out) {}

  void text(const std::string& name, const std::string& value) {
    if (!value.empty()) out_[name] = value;
  }
  void date(const std::string& name, const std::optional<Date>& value) {
    if (value) out_[name] = format_date(*value);
  }
  void time(const std::string& name, const std::optional<Timestamp>& value) {
    if (value) out_[name] = format_jst(*value);
  }
  template <typename E>
  void code(const std::string& name, const std::optional<E>& value) {
    if (value) out_[name] = code_text(*value);
  }
  template <typename E>
  void required(const std::string& name, const E& value) {
    out_[name] = code_text(value);
  }
  template <typename S, typename F>
  void group(const std::string& name, const std::optional<S>& value, F fn) {
    if (!value) return;
    Json inner = Json::object();
    JsonWriter w(inner);
    fn(*value, w);
    out_[name] = std::move(inner);
  }
  template <typename S, typename F>
  void list(const std::string& name, const std::string& /*item*/, const std::vector<S>& items, F fn) {
    if (items.empty()) return;
    Json array = Json::array();
    for (const auto& item : items) {
      Json inner = Json::object();
      JsonWriter w(inner);
      fn(item, w);
      array.push_back(std::move(inner));
    }
    out_[name] = std::move(array);
  }

 private:
  Json& out_;
};

// Reads the OQS fields from a JSON object. Unknown keys are ignored (the service may add
// fields within version 1); known keys must have the documented form.
class JsonReader {
 public:
  JsonReader(const Json& in, std::string path) : in_(in), path_(std::move(path)) {}

  void text(const std::string& name, std::string& value) {
    if (const Json* v = find(name)) value = string_of(name, *v);
  }
  void date(const std::string& name, std::optional<Date>& value) {
    if (const Json* v = find(name)) value = wrap([&] { return parse_date(string_of(name, *v)); }, name);
  }
  void time(const std::string& name, std::optional<Timestamp>& value) {
    if (const Json* v = find(name)) value = wrap([&] { return parse_jst(string_of(name, *v)); }, name);
  }
  template <typename E>
  void code(const std::string& name, std::optional<E>& value) {
    if (const Json* v = find(name)) value = parse_code<E>(path_ + name, string_of(name, *v));
  }
  template <typename E>
  void required(const std::string& name, E& value) {
    // Consent flags may be left out by the sender (meaning 0); ProcessingResultStatus may not.
    const Json* v = find(name);
    if (v == nullptr) {
      if constexpr (std::is_same_v<E, ProcessingResultStatus>) throw CodecError(path_ + name + " is missing");
      return;
    }
    value = parse_code<E>(path_ + name, string_of(name, *v));
  }
  template <typename S, typename F>
  void group(const std::string& name, std::optional<S>& value, F fn) {
    const Json* v = find(name);
    if (v == nullptr) return;
    if (!v->is_object()) throw CodecError(path_ + name + " is not an object");
    S inner{};
    JsonReader r(*v, path_ + name + ".");
    fn(inner, r);
    value = std::move(inner);
  }
  template <typename S, typename F>
  void list(const std::string& name, const std::string& /*item*/, std::vector<S>& items, F fn) {
    const Json* v = find(name);
    if (v == nullptr) return;
    if (!v->is_array()) throw CodecError(path_ + name + " is not an array");
    items.clear();
    std::size_t index = 0;
    for (const auto& element : *v) {
      if (!element.is_object()) throw CodecError(path_ + name + "[" + std::to_string(index) + "] is not an object");
      S inner{};
      JsonReader r(element, path_ + name + "[" + std::to_string(index) + "].");
      fn(inner, r);
      items.push_back(std::move(inner));
      ++index;
    }
  }

 private:
  const Json* find(const std::string& name) const {
    const auto it = in_.find(name);
    if (it == in_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  std::string string_of(const std::string& name, const Json& v) const {
    if (!v.is_string()) throw CodecError(path_ + name + " is not a string");
    return v.get<std::string>();
  }
  template <typename F>
  auto wrap(F f, const std::string& name) const -> decltype(f()) {
    try {
      return f();
    } catch (const CodecError& e) {
      throw CodecError(path_ + name + ": " + e.what());
    }
  }

  const Json& in_;
  std::string path_;
};

Json parse_object(std::string_view body) {
  Json json = Json::parse(body.begin(), body.end(), nullptr, false);
  if (json.is_discarded()) throw CodecError("the answer is not JSON");
  if (!json.is_object()) throw CodecError("the answer is not a JSON object");
  return json;
}

void check_version(const Json& json) {
  const auto it = json.find("api_version");
  if (it == json.end()) throw CodecError("api_version is missing");
  if (!it->is_number_integer() || it->get<long long>() != kApiVersion) {
    throw CodecError("unsupported api_version " + it->dump() + " (this kiosk speaks " + std::to_string(kApiVersion) + ")");
  }
}

const Json& member(const Json& json, const std::string& name) {
  const auto it = json.find(name);
  if (it == json.end() || it->is_null()) throw CodecError(name + " is missing");
  return *it;
}

std::string string_member(const Json& json, const std::string& name) {
  const Json& v = member(json, name);
  if (!v.is_string()) throw CodecError(name + " is not a string");
  return v.get<std::string>();
}

std::optional<std::string> optional_string(const Json& json, const std::string& name) {
  const auto it = json.find(name);
  if (it == json.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw CodecError(name + " is not a string");
  return it->get<std::string>();
}

bool bool_member(const Json& json, const std::string& name, bool fallback) {
  const auto it = json.find(name);
  if (it == json.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw CodecError(name + " is not true or false");
  return it->get<bool>();
}

Json request_base() { return Json{{"api_version", kApiVersion}}; }

ConfirmationMethod method_from(const std::string& text) {
  for (auto m : {ConfirmationMethod::Pin, ConfirmationMethod::Face, ConfirmationMethod::Visual, ConfirmationMethod::Numbers}) {
    if (to_string(m) == text) return m;
  }
  throw CodecError("unknown method '" + text + "'");
}

CardCertificateState certificate_state_from(const std::string& text) {
  for (auto s : {CardCertificateState::Valid, CardCertificateState::ExpiringSoon, CardCertificateState::ExpiredInGrace}) {
    if (to_string(s) == text) return s;
  }
  throw CodecError("card_certificate.state: unknown state '" + text + "'");
}

}  // namespace

// ------------------------------------------------------------------------------ requests

std::string encode_challenge_request() { return request_base().dump(); }

std::string encode(const ConfirmRequest& request) {
  Json json = request_base();
  json["method"] = std::string(to_string(request.method));
  json["card_certificate"] = base64_encode(request.card_certificate);
  json["nonce"] = base64_encode(request.nonce);
  if (!request.card_signature.empty()) json["card_signature"] = base64_encode(request.card_signature);
  if (request.attestation) {
    json["attestation"] = {{"statement", base64_encode(request.attestation->statement)},
                           {"signature", base64_encode(request.attestation->signature)}};
  }
  if (request.card_face_proof) {
    const CardFaceProof& p = *request.card_face_proof;
    json["card_face_proof"] = {{"format", "kiosk-card-face-proof"},
                               {"version", 1},
                               {"cvc", base64_encode(p.cvc)},
                               {"record_group1", base64_encode(p.record_group1)},
                               {"group2_sha256", base64_encode(p.group2_sha256)},
                               {"group3_sha256", base64_encode(p.group3_sha256)},
                               {"record_signature", base64_encode(p.record_signature)},
                               {"card_challenge", base64_encode(p.card_challenge)},
                               {"card_signature", base64_encode(p.card_signature)}};
  }
  return json.dump();
}

std::string encode_registration(const std::string& request_id, const std::string& ticket) {
  Json json = request_base();
  json["request_id"] = request_id;
  json["ticket"] = ticket;
  json["patient_consented"] = true;
  return json.dump();
}

std::string encode_consent(const std::string& request_id, const std::string& confirmation_id,
                           const ConsentChoice& choice) {
  Json json = request_base();
  json["request_id"] = request_id;
  json["confirmation_id"] = confirmation_id;
  json["medical_information"] = choice.medical_information;
  if (choice.prescription) json["PrescriptionIssueSelect"] = code_text(*choice.prescription);
  return json.dump();
}

std::string encode_lookup(const std::string& request_id, const NumberLookup& lookup) {
  SearchInfo search;
  search.insurer_number = lookup.insurer_number;
  search.insured_card_symbol = lookup.insured_card_symbol;
  search.insured_identification_number = lookup.insured_identification_number;
  search.insured_branch_number = lookup.insured_branch_number.value_or("");
  search.birthdate = lookup.birthdate;
  search.limit_application_consent = lookup.limit_application_consent ? ConsentFlag::Given : ConsentFlag::NotGiven;
  Json info = Json::object();
  JsonWriter w(info);
  oqs::search_info(search, w);
  Json json = request_base();
  json["request_id"] = request_id;
  json["document"] = std::string(to_string(lookup.document));
  json["QualificationConfirmSearchInfo"] = std::move(info);
  return json.dump();
}

// ----------------------------------------------------------------------------- responses

Challenge decode_challenge(std::string_view body) {
  const Json json = parse_object(body);
  check_version(json);
  Challenge c;
  c.nonce = base64_decode(string_member(json, "nonce"));
  if (c.nonce.size() < 16) throw CodecError("nonce is shorter than 16 bytes");
  c.expires_at = parse_utc(string_member(json, "expires_at"));
  return c;
}

nlohmann::json to_json(const OqsResult& result) {
  Json header = Json::object();
  Json body = Json::object();
  JsonWriter hw(header);
  oqs::header(result.header, hw);
  JsonWriter bw(body);
  oqs::body(result.body, bw);
  return Json{{"MessageHeader", std::move(header)}, {"MessageBody", std::move(body)}};
}

OqsResult oqs_result_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw CodecError("result is not an object");
  const Json& header = member(json, "MessageHeader");
  const Json& body = member(json, "MessageBody");
  if (!header.is_object()) throw CodecError("result.MessageHeader is not an object");
  if (!body.is_object()) throw CodecError("result.MessageBody is not an object");
  OqsResult r;
  JsonReader hr(header, "MessageHeader.");
  oqs::header(r.header, hr);
  JsonReader br(body, "MessageBody.");
  oqs::body(r.body, br);
  if (r.body.processing_result_status == ProcessingResultStatus::Normal && !r.body.qualification_validity) {
    throw CodecError("MessageBody.QualificationValidity is missing from a normal result");
  }
  return r;
}

Confirmation decode_confirmation(std::string_view body) {
  const Json json = parse_object(body);
  check_version(json);
  Confirmation c;
  c.confirmation_id = optional_string(json, "confirmation_id").value_or("");
  c.method = method_from(string_member(json, "method"));
  if (const auto it = json.find("result"); it != json.end() && !it->is_null()) {
    try {
      c.result = oqs_result_from_json(*it);
    } catch (const CodecError& e) {
      throw CodecError(std::string("result: ") + e.what());
    }
  }
  if (const auto it = json.find("registration_offer"); it != json.end() && !it->is_null()) {
    if (!it->is_object()) throw CodecError("registration_offer is not an object");
    RegistrationOffer offer;
    offer.ticket = string_member(*it, "ticket");
    offer.expires_at = parse_utc(string_member(*it, "expires_at"));
    offer.message = string_member(*it, "message");
    if (offer.ticket.empty()) throw CodecError("registration_offer.ticket is empty");
    c.registration_offer = std::move(offer);
  }
  if (!c.result && !c.registration_offer) throw CodecError("neither a result nor a registration offer");
  if (c.result && c.registration_offer) throw CodecError("both a result and a registration offer");
  if (const auto it = json.find("card_certificate"); it != json.end() && !it->is_null()) {
    if (!it->is_object()) throw CodecError("card_certificate is not an object");
    CardCertificateNotice n;
    n.state = certificate_state_from(string_member(*it, "state"));
    if (auto s = optional_string(*it, "not_after")) n.not_after = parse_date(*s);
    if (auto s = optional_string(*it, "usable_until")) n.usable_until = parse_date(*s);
    c.card_certificate = n;
  }
  c.medical_information_viewing_suspended = bool_member(json, "medical_information_viewing_suspended", false);
  return c;
}

std::string encode_confirmation(const Confirmation& c) {
  Json json{{"api_version", kApiVersion}, {"method", std::string(to_string(c.method))}};
  if (!c.confirmation_id.empty()) json["confirmation_id"] = c.confirmation_id;
  if (c.result) json["result"] = to_json(*c.result);
  if (c.registration_offer) {
    json["registration_offer"] = {{"ticket", c.registration_offer->ticket},
                                  {"expires_at", format_utc(c.registration_offer->expires_at)},
                                  {"message", c.registration_offer->message}};
  }
  if (c.card_certificate) {
    Json n{{"state", std::string(to_string(c.card_certificate->state))}};
    if (c.card_certificate->not_after) n["not_after"] = format_date(*c.card_certificate->not_after);
    if (c.card_certificate->usable_until) n["usable_until"] = format_date(*c.card_certificate->usable_until);
    json["card_certificate"] = std::move(n);
  }
  json["medical_information_viewing_suspended"] = c.medical_information_viewing_suspended;
  return json.dump();
}

ServiceHealth decode_health(std::string_view body) {
  const Json json = parse_object(body);
  check_version(json);
  ServiceHealth h;
  h.api_version = kApiVersion;
  h.status = string_member(json, "status");
  h.service = optional_string(json, "service").value_or("");
  if (auto t = optional_string(json, "time")) h.time = parse_utc(*t);
  return h;
}

std::optional<ErrorBody> decode_error(std::string_view body) {
  const Json json = Json::parse(body.begin(), body.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  const auto it = json.find("error");
  if (it == json.end() || !it->is_object()) return std::nullopt;
  const auto code = it->find("code");
  const auto message = it->find("message");
  if (code == it->end() || !code->is_string() || message == it->end() || !message->is_string()) return std::nullopt;
  ErrorBody e;
  e.code = code->get<std::string>();
  e.message = message->get<std::string>();
  if (const auto r = it->find("retryable"); r != it->end() && r->is_boolean()) e.retryable = r->get<bool>();
  if (const auto d = it->find("detail"); d != it->end() && d->is_string()) e.detail = d->get<std::string>();
  return e;
}

}  // namespace kiosk::core::eligibility::codec
