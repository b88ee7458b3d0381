// The checks the confirmation endpoints share: the card certificate (chain, revocation, dates),
// the terminal's attestation, and the card-path answer.
#include <cmath>

#include "hal/calendar.hpp"
#include "sim/eligibility/encoding.hpp"
#include "sim/eligibility/oqs_json.hpp"
#include "sim/eligibility/service_core.hpp"

namespace kiosk::sim::eligibility {

namespace {

std::string judgement_name(CertificateJudgement j) {
  switch (j) {
    case CertificateJudgement::Valid: return "valid";
    case CertificateJudgement::ExpiringSoon: return "expiring-soon";
    case CertificateJudgement::ExpiredInGrace: return "expired-in-grace";
    case CertificateJudgement::Expired: return "expired";
    case CertificateJudgement::NotYetValid: return "not-yet-valid";
  }
  return "unknown";
}

std::shared_ptr<const ParsedCertificate> parse_card_certificate(ServiceCore& service, const Bytes& der) {
  const std::string sha = sha256_hex(der);
  if (auto hit = service.certificate_cache.find(sha)) return hit;
  std::shared_ptr<X509> cert;
  try {
    cert.reset(parse_certificate_der(der).release(), X509_free);
  } catch (const CertificateParseError&) {
    throw bad_request("card_certificate is not a DER X.509 certificate");
  }
  auto parsed = std::make_shared<const ParsedCertificate>(
      ParsedCertificate{cert, describe(cert.get(), der), service.verifier.check_chain(cert.get())});
  service.certificate_cache.insert(sha, parsed);
  return parsed;
}

}  // namespace

Json certificate_notice(const CertificateDates& d) {
  Json n{{"state", judgement_name(d.judgement)}, {"not_after", oqs_date(d.not_after)}};
  if (d.judgement == CertificateJudgement::ExpiredInGrace) n["usable_until"] = oqs_date(d.usable_until);
  return n;
}

std::vector<Notice> certificate_notices(const CertificateDates& d) {
  if (d.judgement == CertificateJudgement::ExpiringSoon) {
    return {{10, result_codes::kCertificateExpiringSoon,
             "利用者証明用電子証明書の有効期限（" + japanese_date_text(d.not_after) +
                 "）が近づいています。お住まいの市区町村で更新手続きをしてください。"}};
  }
  if (d.judgement == CertificateJudgement::ExpiredInGrace) {
    return {{20, result_codes::kCertificateInGrace,
             "利用者証明用電子証明書の有効期限（" + japanese_date_text(d.not_after) + "）が切れています。" +
                 japanese_date_text(d.usable_until) + "まで保険証として利用できます。お住まいの市区町村で更新手続きをしてください。"}};
  }
  return {};
}

// Chain, revocation and dates of the card's user-authentication certificate.
CardCheck check_card_certificate(ServiceCore& service, const Bytes& der, TimePoint at, AuditEntry& audit) {
  const auto parsed = parse_card_certificate(service, der);
  CardCheck c{parsed->info, {}, parsed->cert};
  audit.card_sha256 = c.info.sha256;
  const auto& chain = parsed->chain;
  if (!chain.trusted) {
    throw ApiError{403, "CARD_CERTIFICATE_UNTRUSTED",
                   "このカードの電子証明書を確認できません。受付窓口にお申し出ください。", false, chain.detail};
  }
  std::optional<RevocationRecord> revoked;
  {
    std::lock_guard lock(service.db_mutex);
    revoked = service.db.revocation(c.info.issuer, c.info.serial);
  }
  if (revoked && revoked->revoked_at <= at) {
    throw ApiError{403, "CARD_CERTIFICATE_REVOKED", kMessage006, false,
                   "serial " + c.info.serial + " revoked " + iso_utc(revoked->revoked_at) + " (" + revoked->source + ")"};
  }
  c.dates = judge_certificate_dates(c.info.not_before, c.info.not_after, at);
  if (c.dates.judgement == CertificateJudgement::Expired) {
    throw ApiError{403, "CARD_CERTIFICATE_EXPIRED", kMessage006, false,
                   "expired " + hal::calendar::format_iso_date(c.dates.not_after) + ", grace period ended " +
                       hal::calendar::format_iso_date(c.dates.usable_until)};
  }
  if (c.dates.judgement == CertificateJudgement::NotYetValid) {
    throw ApiError{403, "CARD_CERTIFICATE_NOT_YET_VALID",
                   "このカードの電子証明書はまだ有効になっていません。受付窓口にお申し出ください。", false,
                   "notBefore " + iso_utc(c.info.not_before)};
  }
  return c;
}

void check_attestation(const ServiceCore& service, const Body& body, const Terminal& t, const std::string& method, const Bytes& nonce,
                       const CertificateInfo& card, AuditEntry& audit) {
  const Json& a = body.object("attestation");
  const auto statement = a.contains("statement") && a["statement"].is_string() ? base64_decode(a["statement"].get<std::string>())
                                                                               : std::nullopt;
  const auto signature = a.contains("signature") && a["signature"].is_string() ? base64_decode(a["signature"].get<std::string>())
                                                                               : std::nullopt;
  if (!statement || !signature) throw bad_request("attestation needs base64 statement and signature");
  const ApiError invalid{401, "ATTESTATION_INVALID", "端末の確認情報が正しくありません。受付窓口にお申し出ください。", false, ""};
  if (!verify_terminal_signature(t.certificate, *statement, *signature)) {
    ApiError e = invalid;
    e.detail = "the attestation signature does not verify with the terminal certificate";
    throw e;
  }
  const Json s = Json::parse(statement->begin(), statement->end(), nullptr, false);
  auto field = [&](const char* key) -> std::string {
    if (!s.is_object() || !s.contains(key) || !s[key].is_string()) {
      ApiError e = invalid;
      e.detail = std::string("attestation statement lacks ") + key;
      throw e;
    }
    return s[key].get<std::string>();
  };
  if (field("format") != "kiosk-attestation" || !s.contains("version") || s["version"] != 1) {
    ApiError e = invalid;
    e.detail = "not a kiosk-attestation version 1 statement";
    throw e;
  }
  if (field("method") != method || field("nonce") != base64_encode(nonce) || field("card_certificate_sha256") != card.sha256) {
    ApiError e = invalid;
    e.detail = "the attestation is about another method, challenge or card";
    throw e;
  }
  if (method == "face") {
    const Json face = s.value("face", Json());
    if (!face.is_object() || !face.contains("score") || !face["score"].is_number() || !face.contains("threshold") ||
        !face["threshold"].is_number() || !face.contains("liveness") || !face["liveness"].is_string()) {
      ApiError e = invalid;
      e.detail = "face attestation lacks score, threshold or liveness";
      throw e;
    }
    const double score = face["score"].get<double>();
    const double threshold = face["threshold"].get<double>();
    const std::string liveness = face["liveness"].get<std::string>();
    audit.detail = "face score " + std::to_string(score) + " threshold " + std::to_string(threshold) + " liveness " + liveness;
    const ApiError rejected{403, "ATTESTATION_REJECTED",
                            "顔認証で本人確認ができませんでした。暗証番号での確認をお願いします。", false, audit.detail};
    if (!std::isfinite(score) || !std::isfinite(threshold) || score < threshold || liveness != "passed" ||
        threshold < service.options.minimum_face_threshold) {
      throw rejected;
    }
  } else {
    const Json visual = s.value("visual", Json());
    if (!visual.is_object() || !visual.contains("staff_id") || !visual["staff_id"].is_string() ||
        visual["staff_id"].get<std::string>().empty()) {
      throw ApiError{403, "ATTESTATION_REJECTED", "目視確認を行った職員が記録されていません。受付窓口にお申し出ください。",
                     false, "visual check without a staff id"};
    }
    audit.detail = "visual check by staff " + visual["staff_id"].get<std::string>();
  }
}

Json card_path_reply(ServiceCore& service, const Terminal& t, TimePoint at, const PersonRecord& person, const std::string& card_sha256,
                     const std::string& method, const CertificateDates& dates, std::optional<int> prescription,
                     const std::string& existing_session, AuditEntry& audit) {
  const auto qualifications = service.db.qualifications_of(person.id);
  const Evaluation e = evaluate_card_path(qualifications, japan_date(at));
  ResultContext c;
  c.now = at;
  c.medical_institution_code = t.medical_institution_code;
  c.reference_classification = 1;
  c.card_path = true;
  c.viewing_consent = service.db.current_consent(person.id, t.medical_institution_code, at);
  c.viewing_suspended = person.linkage_under_review;
  c.prescription_issue_select = prescription;
  c.notices = certificate_notices(dates);
  std::vector<Shown> shown;
  for (const auto& q : e.shown) shown.push_back({&person, &q});
  Json j = base_reply();
  j["method"] = method;
  j["confirmation_id"] = existing_session.empty()
                             ? service.sessions.create_session({t.fingerprint, card_sha256, person.id, method, dates, prescription,
                                                        at + service.options.session_lifetime})
                             : existing_session;
  j["result"] = oqs_result(e, shown, c);
  j["card_certificate"] = certificate_notice(dates);
  j["medical_information_viewing_suspended"] = person.linkage_under_review;
  audit.person = person.key;
  audit.code = j["result"]["MessageBody"].value("ProcessingResultCode", "");
  audit.outcome = "ok";
  std::string notes = "validity " + (e.validity ? std::to_string(static_cast<int>(*e.validity)) : std::string("-"));
  for (const auto& n : e.notes) notes += "; " + n;
  audit.detail = audit.detail.empty() ? notes : audit.detail + "; " + notes;
  return j;
}

std::optional<Reply> replay(ServiceCore& service, const Terminal& t, const std::string& request_id, const std::string& operation) {
  const auto stored = service.db.stored_answer(t.fingerprint, request_id);
  if (!stored) return std::nullopt;
  if (stored->operation != operation) {
    throw ApiError{409, "REQUEST_ID_REUSED", "要求が重複しています。最初からやり直してください。", false,
                   "request_id was used for " + stored->operation};
  }
  return Reply{stored->status, stored->body};
}

void remember(ServiceCore& service, const Terminal& t, const std::string& request_id, const std::string& operation,
              const Reply& reply, TimePoint at) {
  service.db.store_answer(t.fingerprint, request_id, {operation, reply.status, reply.body}, at);
  service.db.forget_answers(t.fingerprint, at - service.options.session_lifetime, service.options.max_sessions_per_terminal);
}

}  // namespace kiosk::sim::eligibility
