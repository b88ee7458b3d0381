// POST /v1/confirmations: the confirmation of a card's qualification by PIN (the card's
// signature over a fresh nonce), face or staff visual check (the terminal's attestation): the
// result, a registration offer for a card not registered for insurance use, or a refusal.
#include "sim/eligibility/encoding.hpp"
#include "sim/eligibility/jpki_verifier.hpp"
#include "sim/eligibility/oqs_json.hpp"
#include "sim/eligibility/service_core.hpp"

namespace kiosk::sim::eligibility {

Reply confirm(ServiceCore& service, const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit) {
  audit.operation = "confirm";
  const Body body(req.body);
  const std::string method = body.text("method");
  if (method != "pin" && method != "face" && method != "visual") throw bad_request("method must be pin, face or visual");
  audit.method = method;
  const Bytes der = body.bytes("card_certificate");
  const Bytes nonce = body.bytes("nonce");
  switch (service.sessions.consume_nonce(t.fingerprint, nonce, at)) {
    case SessionStore::NonceUse::Fresh:
      break;
    case SessionStore::NonceUse::Unknown:
      throw ApiError{401, "NONCE_UNKNOWN", "確認をやり直してください。", true, "this service did not issue that nonce to this terminal"};
    case SessionStore::NonceUse::Expired:
      throw ApiError{410, "NONCE_EXPIRED", "確認の有効時間が過ぎました。もう一度お試しください。", true, "the nonce expired"};
    case SessionStore::NonceUse::Replayed:
      throw ApiError{409, "NONCE_REPLAYED", "この確認要求は使用済みです。最初からやり直してください。", false, "the nonce was used before"};
  }
  CardCheck card = check_card_certificate(service, der, at, audit);
  if (method == "pin") {
    const Bytes signature = body.bytes("card_signature");
    if (!verify_card_signature(card.cert.get(), nonce, signature)) {
      throw ApiError{401, "SIGNATURE_INVALID", "本人確認ができませんでした。もう一度カードを置いてください。", false,
                     "the card signature does not verify with the card certificate"};
    }
  } else {
    check_attestation(service, body, t, method, nonce, card.info, audit);
  }
  std::lock_guard lock(service.db_mutex);
  const auto card_record = service.db.card_by_certificate(card.info.sha256);
  std::optional<PersonRecord> person;
  if (card_record && card_record->person_id) person = service.db.person(*card_record->person_id);
  if (method == "face") {  // a face confirmation stands only on a genuine card (card_face_proof_check.hpp)
    std::optional<CardFaceProofChecker::Holder> holder;
    if (person) {
      holder = CardFaceProofChecker::Holder{person->birth_date, person->sex, card_record ? card_record->card_face_key_sha256 : ""};
    }
    const auto v = service.card_face_checker.check(body.json(), nonce, der, holder);
    if (!v.genuine) throw ApiError{v.http_status, v.code, v.message, false, v.detail};
    audit.detail += (audit.detail.empty() ? "" : "; ") + v.detail;
  }
  if (!person) {
    // A card the service cannot link to any insured person.
    Evaluation none;
    none.validity = Validity::NoQualification;
    none.code = result_codes::kNoQualification;
    none.message = "このカードに該当する資格が見つかりません。受付窓口にお申し出ください。";
    ResultContext c;
    c.now = at;
    c.medical_institution_code = t.medical_institution_code;
    c.notices = certificate_notices(card.dates);
    Json j = base_reply();
    j["method"] = method;
    j["result"] = oqs_result(none, {}, c);
    j["card_certificate"] = certificate_notice(card.dates);
    j["medical_information_viewing_suspended"] = false;
    audit.code = none.code;
    audit.detail = "card unknown to the service";
    ++service.confirmations;
    return {200, j.dump()};
  }
  if (!person->registered_for_insurance_use) {
    const std::string ticket = service.sessions.create_ticket(
        {t.fingerprint, card.info.sha256, person->id, method, card.dates, at + service.options.ticket_lifetime});
    Json j = base_reply();
    j["method"] = method;
    j["registration_offer"] = {
        {"ticket", ticket},
        {"expires_at", iso_utc(at + service.options.ticket_lifetime)},
        {"message", "マイナンバーカードの健康保険証利用登録がされていません。この場で登録できます。登録しますか？"}};
    j["card_certificate"] = certificate_notice(card.dates);
    audit.person = person->key;
    audit.outcome = "registration-offered";
    ++service.confirmations;
    return {200, j.dump()};
  }
  Json j = card_path_reply(service, t, at, *person, card.info.sha256, method, card.dates, std::nullopt, "", audit);
  ++service.confirmations;
  return {200, j.dump()};
}

}  // namespace kiosk::sim::eligibility
