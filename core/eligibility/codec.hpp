// The JSON codec of the eligibility protocol, version 1 (docs/eligibility-protocol.md): request
// bodies the kiosk sends and the service's answers, decoded strictly (a wrong type, a missing
// field or an unknown code is a CodecError, never a silently wrong result).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "core/eligibility/card_face_proof.hpp"
#include "core/eligibility/result.hpp"
#include "core/eligibility/wire_format.hpp"
#include "hal/bytes.hpp"

namespace kiosk::core::eligibility::codec {

inline constexpr int kApiVersion = 1;

inline constexpr std::string_view kHealthPath = "/v1/health";
inline constexpr std::string_view kChallengesPath = "/v1/challenges";
inline constexpr std::string_view kConfirmationsPath = "/v1/confirmations";
inline constexpr std::string_view kRegistrationsPath = "/v1/registrations";
inline constexpr std::string_view kLookupsPath = "/v1/lookups";
inline constexpr std::string_view kConsentsPath = "/v1/consents";

// ------------------------------------------------------------------------------ requests

struct Attestation {
  Bytes statement;  // the exact signed bytes (a JSON document, see attestation.hpp)
  Bytes signature;  // by the terminal's TLS key
};

struct ConfirmRequest {
  ConfirmationMethod method = ConfirmationMethod::Pin;
  Bytes card_certificate;  // DER of the 利用者証明用電子証明書
  Bytes nonce;             // from the challenge
  Bytes card_signature;    // pin: RSASSA-PKCS1-v1_5 over SHA-256 DigestInfo of the nonce
  std::optional<Attestation> attestation;  // face / visual
  std::optional<CardFaceProof> card_face_proof;  // face: the card is genuine (card_face_proof.hpp)
};

std::string encode_challenge_request();
std::string encode(const ConfirmRequest& request);
std::string encode_registration(const std::string& request_id, const std::string& ticket);
std::string encode_consent(const std::string& request_id, const std::string& confirmation_id,
                           const ConsentChoice& choice);
std::string encode_lookup(const std::string& request_id, const NumberLookup& lookup);

// ----------------------------------------------------------------------------- responses

struct Challenge {
  Bytes nonce;
  Timestamp expires_at{};
};

struct ErrorBody {
  std::string code;
  std::string message;  // to show as it is
  bool retryable = false;
  std::string detail;
};

// Each throws CodecError when the body is not the documented JSON.
Challenge decode_challenge(std::string_view body);
Confirmation decode_confirmation(std::string_view body);
ServiceHealth decode_health(std::string_view body);
// The structured error of a non-2xx answer; nothing when the body is not one.
std::optional<ErrorBody> decode_error(std::string_view body);

// The OQS result as a JSON object {"MessageHeader": {...}, "MessageBody": {...}} with the OQS
// element names as keys and every value a string.
nlohmann::json to_json(const OqsResult& result);
OqsResult oqs_result_from_json(const nlohmann::json& json);
// The service's form of a confirmation answer (tests, tools and fakes use it).
std::string encode_confirmation(const Confirmation& confirmation);

}  // namespace kiosk::core::eligibility::codec
