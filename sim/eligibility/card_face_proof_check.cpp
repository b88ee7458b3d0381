#include "sim/eligibility/card_face_proof_check.hpp"

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <climits>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string_view>

#include "hal/calendar.hpp"
#include "sim/eligibility/encoding.hpp"
#include "sim/eligibility/jpki_verifier.hpp"

namespace kiosk::sim::eligibility {
namespace {

using Json = nlohmann::json;

// One BER object: class and number of its tag, its value.
struct Object {
  int tag_class = 0;
  int number = 0;
  ByteView value;
  ByteView whole;
};

// The objects in `data`, in order; nothing when it is not a clean sequence of BER objects.
std::optional<std::vector<Object>> objects(ByteView data) {
  std::vector<Object> out;
  while (!data.empty()) {
    const unsigned char* p = data.data();
    long length = 0;
    int number = 0;
    int tag_class = 0;
    const long available = data.size() > static_cast<std::size_t>(LONG_MAX) ? LONG_MAX : static_cast<long>(data.size());
    const int flags = ASN1_get_object(&p, &length, &number, &tag_class, available);
    ERR_clear_error();
    const auto header = static_cast<std::size_t>(p - data.data());
    if ((flags & 0x80) != 0 || header == 0 || length < 0 || static_cast<std::size_t>(length) > data.size() - header) {
      return std::nullopt;
    }
    const auto total = header + static_cast<std::size_t>(length);
    out.push_back({tag_class, number, data.subspan(header, static_cast<std::size_t>(length)), data.first(total)});
    data = data.subspan(total);
  }
  return out;
}

std::optional<ByteView> find(const std::vector<Object>& list, int tag_class, int number) {
  for (const Object& o : list) {
    if (o.tag_class == tag_class && o.number == number) return o.value;
  }
  return std::nullopt;
}

Bytes sha256(ByteView data) {
  Bytes out(32);
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_sha256(), nullptr) != 1) {
    hal::openssl::throw_error<std::runtime_error>("SHA-256");
  }
  return out;
}

std::string hex(ByteView b) {
  std::string h = to_hex(b, '\0');
  for (char& c : h) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return h;
}

// RSA public key from 90 (e) and 91 (n) objects.
hal::openssl::EvpPkeyPtr rsa_key(ByteView key_objects) {
  const auto list = objects(key_objects);
  if (!list) return nullptr;
  const auto e = find(*list, V_ASN1_CONTEXT_SPECIFIC, 0x10);
  const auto n = find(*list, V_ASN1_CONTEXT_SPECIFIC, 0x11);
  if (!e || !n || e->empty() || n->size() != 256) return nullptr;
  hal::openssl::BignumPtr bn_n(BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr));
  hal::openssl::BignumPtr bn_e(BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, hal::openssl::Deleter<OSSL_PARAM_BLD_free>> build(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !build || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, hal::openssl::Deleter<OSSL_PARAM_free>> params(OSSL_PARAM_BLD_to_param(build.get()));
  hal::openssl::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return hal::openssl::EvpPkeyPtr(key);
}

// RSASSA-PKCS1-v1_5 whose payload is the SHA-256 DigestInfo around `hashes` (one or more hashes).
bool verify_digest_info(EVP_PKEY* key, ByteView hashes, ByteView signature) {
  Bytes digest_info{0x30, static_cast<Byte>(17 + hashes.size()), 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48,
                    0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, static_cast<Byte>(hashes.size())};
  digest_info.insert(digest_info.end(), hashes.begin(), hashes.end());
  hal::openssl::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  const bool ok = ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
                  EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1 &&
                  EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest_info.data(), digest_info.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw CertificateParseError("cannot read the card-face anchors " + file.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

CardFaceProofChecker::Verdict refusal(std::string code, std::string detail) {
  CardFaceProofChecker::Verdict v;
  v.http_status = code == "ATTESTATION_INVALID" ? 401 : 403;
  if (code == "CARD_FACE_PROOF_MISSING") {
    v.message = "このカードは顔認証で確認できません。暗証番号で本人確認をしてください。";
  } else if (code == "CARD_FACE_HOLDER_MISMATCH") {
    v.message = "カードの券面情報が電子証明書の持ち主と一致しません。受付窓口にお申し出ください。";
  } else if (code == "ATTESTATION_INVALID") {
    v.message = "端末の確認情報が正しくありません。受付窓口にお申し出ください。";
  } else {
    v.message = "カードが正しいものと確認できませんでした。受付窓口にお申し出ください。";
  }
  v.code = std::move(code);
  v.detail = std::move(detail);
  return v;
}

// face.card_photo_sha256 of the attestation statement, or "".
std::string attested_photo(const Json& request) {
  const auto a = request.find("attestation");
  if (a == request.end() || !a->is_object() || !a->contains("statement") || !(*a)["statement"].is_string()) return "";
  const auto statement = base64_decode((*a)["statement"].get<std::string>());
  if (!statement) return "";
  const Json s = Json::parse(statement->begin(), statement->end(), nullptr, false);
  if (!s.is_object() || !s.contains("face") || !s["face"].is_object()) return "";
  const Json& face = s["face"];
  return face.contains("card_photo_sha256") && face["card_photo_sha256"].is_string() ? face["card_photo_sha256"].get<std::string>() : "";
}

}  // namespace

std::string card_face_key_fingerprint(ByteView record_card_key) { return hex(sha256(record_card_key)); }

CardFaceProofChecker::CardFaceProofChecker(const std::optional<std::filesystem::path>& anchors_file) {
  if (!anchors_file) return;
  const Json j = Json::parse(read_text(*anchors_file), nullptr, false);
  if (!j.is_object() || j.value("format", "") != "kiosk-card-face-anchors" || !j.contains("anchors") || !j["anchors"].is_array()) {
    throw CertificateParseError(anchors_file->string() + " is not a kiosk-card-face-anchors file");
  }
  for (const Json& a : j["anchors"]) {
    if (!a.is_object() || !a.contains("key_id") || !a["key_id"].is_string() || !a.contains("public_key") ||
        !a["public_key"].is_string()) {
      throw CertificateParseError(anchors_file->string() + ": an anchor needs key_id and public_key");
    }
    const std::string pem = a["public_key"].get<std::string>();
    auto bio = hal::openssl::memory_bio<CertificateParseError>(pem);
    hal::openssl::EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key) hal::openssl::throw_error<CertificateParseError>(anchors_file->string() + ": not a public key");
    Bytes id;
    try {
      id = from_hex(a["key_id"].get<std::string>());
    } catch (const std::invalid_argument&) {
      id.clear();
    }
    if (id.size() != 16) throw CertificateParseError(anchors_file->string() + ": a key_id is 32 hex digits");
    anchors_.push_back({std::move(id), std::move(key)});
  }
}

CardFaceProofChecker::Verdict CardFaceProofChecker::check(const Json& request, ByteView nonce, ByteView card_certificate_der,
                                                          const std::optional<Holder>& holder) const {
  const auto proof_it = request.find("card_face_proof");
  if (proof_it == request.end() || !proof_it->is_object()) {
    return refusal("CARD_FACE_PROOF_MISSING", "a face confirmation without a genuine-card proof");
  }
  const Json& proof = *proof_it;
  if (proof.value("format", "") != "kiosk-card-face-proof" || !proof.contains("version") || proof["version"] != 1) {
    return refusal("CARD_FACE_PROOF_MISSING", "card_face_proof is not a kiosk-card-face-proof version 1");
  }
  std::map<std::string, Bytes> field;
  for (const char* name : {"cvc", "record_group1", "group2_sha256", "group3_sha256", "record_signature", "card_challenge",
                           "card_signature"}) {
    const auto decoded = proof.contains(name) && proof[name].is_string() ? base64_decode(proof[name].get<std::string>())
                                                                          : std::nullopt;
    if (!decoded) return refusal("CARD_FACE_PROOF_MISSING", std::string("card_face_proof.") + name + " is missing or not base64");
    field[name] = *decoded;
  }
  if (field["group2_sha256"].size() != 32 || field["group3_sha256"].size() != 32 || field["card_challenge"].size() != 16) {
    return refusal("CARD_FACE_PROOF_MISSING", "card_face_proof: group hashes are 32 bytes, the card challenge 16");
  }

  // 1. The certificate and its anchor.
  const auto cvc = objects(field["cvc"]);
  const auto cvc_content = cvc && cvc->size() == 1 && (*cvc)[0].tag_class == V_ASN1_APPLICATION && (*cvc)[0].number == 0x21
                               ? objects((*cvc)[0].value)
                               : std::nullopt;
  const auto body = cvc_content ? find(*cvc_content, V_ASN1_APPLICATION, 0x4E) : std::nullopt;
  const auto cvc_signature = cvc_content ? find(*cvc_content, V_ASN1_APPLICATION, 0x37) : std::nullopt;
  if (!body || !cvc_signature || body->size() != 297) {
    return refusal("CARD_FACE_ISSUER_UNTRUSTED", "the card-face certificate is not a 7F21 { 5F4E (297 bytes), 5F37 }");
  }
  const ByteView authority = body->first(16);
  const Anchor* anchor = nullptr;
  for (const Anchor& a : anchors_) {
    if (std::equal(a.key_id.begin(), a.key_id.end(), authority.begin(), authority.end())) anchor = &a;
  }
  if (anchor == nullptr) {
    return refusal("CARD_FACE_ISSUER_UNTRUSTED",
                   "the card-face certificate's issuer key " + std::string(authority.begin(), authority.begin() + 7) +
                       " is not a J-LIS anchor of this service" + (anchors_.empty() ? " (none configured)" : ""));
  }
  if (!verify_digest_info(anchor->key.get(), sha256(*body), *cvc_signature)) {
    return refusal("CARD_FACE_ISSUER_UNTRUSTED", "the card-face certificate's signature does not verify with the J-LIS key it names");
  }
  const hal::openssl::EvpPkeyPtr issuer = rsa_key(body->subspan(32));
  if (!issuer) return refusal("CARD_FACE_ISSUER_UNTRUSTED", "the certified issuer key is not an RSA-2048 key");

  // 2. The record's issuer signature.
  const auto group1 = objects(field["record_group1"]);
  const auto birth = group1 ? find(*group1, V_ASN1_PRIVATE, 0x22) : std::nullopt;
  const auto sex = group1 ? find(*group1, V_ASN1_PRIVATE, 0x23) : std::nullopt;
  const auto card_key_objects = group1 ? find(*group1, V_ASN1_PRIVATE, 0x24) : std::nullopt;
  if (!birth || !sex || !card_key_objects || birth->size() != 8 || sex->size() != 1) {
    return refusal("CARD_FACE_RECORD_INVALID", "group 1 of the record is not DF22 (8 digits), DF23 (1), DF24");
  }
  Bytes hashes = sha256(field["record_group1"]);
  hashes.insert(hashes.end(), field["group2_sha256"].begin(), field["group2_sha256"].end());
  hashes.insert(hashes.end(), field["group3_sha256"].begin(), field["group3_sha256"].end());
  if (!verify_digest_info(issuer.get(), hashes, field["record_signature"])) {
    return refusal("CARD_FACE_RECORD_INVALID", "the card-face record's signature (DF28) does not verify with the certified issuer key");
  }
  Verdict ok;
  ok.genuine = true;
  ok.card_key_sha256 = card_face_key_fingerprint(*card_key_objects);

  // 3. The chip's key over this service's nonce.
  const hal::openssl::EvpPkeyPtr card_key = rsa_key(*card_key_objects);
  if (!card_key) return refusal("CARD_FACE_RECORD_INVALID", "the card key (DF24) is not an RSA-2048 key");
  constexpr std::string_view kDomain = "kiosk-card-face-proof/1";
  Bytes message(kDomain.begin(), kDomain.end());
  message.push_back(0x00);
  message.push_back(static_cast<Byte>(nonce.size() >> 8));
  message.push_back(static_cast<Byte>(nonce.size() & 0xFF));
  message.insert(message.end(), nonce.begin(), nonce.end());
  message.insert(message.end(), field["card_challenge"].begin(), field["card_challenge"].end());
  const Bytes certificate_hash = sha256(card_certificate_der);
  message.insert(message.end(), certificate_hash.begin(), certificate_hash.end());
  if (!verify_digest_info(card_key.get(), sha256(message), field["card_signature"])) {
    Verdict v = refusal("CARD_FACE_KEY_INVALID",
                        "the card's signature over the nonce does not verify with the record's card key (DF24): a copied record");
    v.card_key_sha256 = ok.card_key_sha256;
    return v;
  }

  // 4. The photo the terminal matched the face against.
  if (attested_photo(request) != hex(field["group3_sha256"])) {
    return refusal("ATTESTATION_INVALID", "the face attestation names another photo than the card-face record's");
  }

  // 5. The certificate's holder.
  if (holder) {
    const std::string record_birth(birth->begin(), birth->end());
    if (record_birth != hal::calendar::format_yyyymmdd(holder->birth_date)) {
      return refusal("CARD_FACE_HOLDER_MISMATCH", "the card-face record's birth date is not the certificate holder's");
    }
    const char record_sex = static_cast<char>((*sex)[0]);
    if ((holder->sex == "1" || holder->sex == "2") && (record_sex == '1' || record_sex == '2') && holder->sex[0] != record_sex) {
      return refusal("CARD_FACE_HOLDER_MISMATCH", "the card-face record's sex is not the certificate holder's");
    }
    if (!holder->registered_card_key_sha256.empty() && holder->registered_card_key_sha256 != ok.card_key_sha256) {
      return refusal("CARD_FACE_HOLDER_MISMATCH", "the card key is not the one issued with this certificate's card");
    }
  }
  ok.detail = "card-face proof: issuer " + std::string(body->begin() + 16, body->begin() + 23) + ", card key " +
              ok.card_key_sha256.substr(0, 16);
  return ok;
}

}  // namespace kiosk::sim::eligibility
