#include "sim/eligibility/service.hpp"

#include <httplib.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <list>
#include <unordered_map>
#include <cmath>
#include <mutex>
#include <thread>

#include "hal/calendar.hpp"
#include "sim/eligibility/card_face_proof_check.hpp"
#include "sim/eligibility/encoding.hpp"
#include "sim/eligibility/jpki_verifier.hpp"
#include "sim/eligibility/oqs_json.hpp"
#include "sim/eligibility/service_pki.hpp"
#include "sim/eligibility/sessions.hpp"

namespace kiosk::sim::eligibility {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using std::chrono::milliseconds;

constexpr int kApiVersion = 1;
constexpr const char* kJsonType = "application/json; charset=utf-8";
constexpr std::size_t kMaxBody = 64 * 1024;

// What the patient sees for the certificate refusals (reader message 【006】).
constexpr const char* kMessage006 =
    "受付窓口にご連絡ください。また市区町村で証明書の更新手続きをしてください。【006:利用者証明用電子証明書の失効・有効期限切れ】";

// A refusal with everything the kiosk needs: HTTP status, code, message to show, retry hint.
struct ApiError {
  int status;
  std::string code;
  std::string message;
  bool retryable = false;
  std::string detail;
};

ApiError bad_request(const std::string& detail) {
  return {400, "BAD_REQUEST", "要求の形式が正しくありません。受付窓口にお申し出ください。", false, detail};
}

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

Json base_reply() { return Json{{"api_version", kApiVersion}}; }

std::string error_body(const ApiError& e) {
  Json j = base_reply();
  j["error"] = {{"code", e.code}, {"message", e.message}, {"retryable", e.retryable}};
  if (!e.detail.empty()) j["error"]["detail"] = e.detail;
  return j.dump();
}

// Request body access with BAD_REQUEST for anything that is not the documented form.
class Body {
 public:
  explicit Body(const std::string& text) : json_(Json::parse(text, nullptr, false)) {
    if (json_.is_discarded() || !json_.is_object()) throw bad_request("the body is not a JSON object");
    const auto v = json_.find("api_version");
    if (v == json_.end() || !v->is_number_integer() || v->get<long long>() != kApiVersion) {
      throw ApiError{400, "UNSUPPORTED_VERSION", "この端末のソフトウェアは更新が必要です。受付窓口にお申し出ください。", false,
                     "api_version must be 1"};
    }
  }
  bool has(const char* key) const {
    const auto it = json_.find(key);
    return it != json_.end() && !it->is_null();
  }
  std::string text(const char* key) const {
    if (!has(key)) throw bad_request(std::string(key) + " is missing");
    const Json& v = json_.at(key);
    if (!v.is_string()) throw bad_request(std::string(key) + " is not a string");
    return v.get<std::string>();
  }
  Bytes bytes(const char* key) const {
    auto decoded = base64_decode(text(key));
    if (!decoded) throw bad_request(std::string(key) + " is not base64");
    return *decoded;
  }
  bool flag(const char* key) const {
    if (!has(key)) throw bad_request(std::string(key) + " is missing");
    const Json& v = json_.at(key);
    if (!v.is_boolean()) throw bad_request(std::string(key) + " is not true or false");
    return v.get<bool>();
  }
  const Json& object(const char* key) const {
    if (!has(key) || !json_.at(key).is_object()) throw bad_request(std::string(key) + " is not an object");
    return json_.at(key);
  }
  const Json& json() const { return json_; }

 private:
  Json json_;
};

std::string request_id_of(const Body& body) {
  std::string id = body.text("request_id");
  const bool ok = id.size() >= 8 && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  });
  if (!ok) throw bad_request("request_id must be 8-64 of A-Z a-z 0-9 - _");
  return id;
}

std::string subject_field(X509* cert, int nid) {
  X509_NAME* name = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return {};
  const openssl::String owned(reinterpret_cast<char*>(utf8));
  return std::string(owned.get(), static_cast<std::size_t>(length));
}

bool ten_digits(const std::string& s) {
  return s.size() == 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

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

std::optional<Document> document_from(const std::string& text) {
  if (text == "eligibility-certificate") return Document::EligibilityCertificate;
  if (text == "health-insurance-card") return Document::HealthInsuranceCard;
  if (text == "qualification-notice") return Document::QualificationNotice;
  return std::nullopt;
}

}  // namespace

// ------------------------------------------------------------------------------ directory

ServiceOptions options_for_directory(const fs::path& dir, const Fixture& fixture) {
  ServiceOptions o;
  o.tls = {dir / "server.pem", dir / "server.key", dir / "service-ca.pem"};
  if (!fixture.jpki_ca) throw ServiceError("the fixture names no jpki_ca folder (the simulated JPKI CA of the cards)");
  o.jpki_ca_certificates = {*fixture.jpki_ca / "auth-ca.pem"};
  std::error_code ec;
  if (fs::exists(*fixture.jpki_ca / "auth.crl", ec)) o.crl_files = {*fixture.jpki_ca / "auth.crl"};
  if (fs::exists(*fixture.jpki_ca / "cardface-anchors.json", ec)) o.card_face_anchors = *fixture.jpki_ca / "cardface-anchors.json";
  o.database = (dir / "eligibility.sqlite3").string();
  return o;
}

ServiceDirectory init_service_directory(const fs::path& dir, const std::string& medical_institution_code, TimePoint now) {
  try {
    const ServicePki pki = ServicePki::create(dir, now);
    const auto two_years = std::chrono::days{730};
    const IssuedFiles server = pki.issue_server(dir, "server", now - std::chrono::hours{1}, now + two_years);
    const IssuedFiles terminal = pki.issue_terminal(dir, "terminal", medical_institution_code, "kiosk-01",
                                                    "Simulated clinic", now - std::chrono::hours{1}, now + two_years);
    return {pki.certificate_file(), server.certificate, server.key, terminal.certificate, terminal.key};
  } catch (const PkiError& e) {
    throw ServiceError(e.what());
  }
}

fs::path prepare_directory(const fs::path& dir, const fs::path& jpki_ca, const std::vector<fs::path>& card_files,
                           const std::string& medical_institution_code, TimePoint now) {
  std::error_code ec;
  if (!fs::exists(dir / "service-ca.pem", ec)) init_service_directory(dir, medical_institution_code, now);
  const fs::path fixture = dir / "fixture.json";
  if (fs::exists(fixture, ec)) return fixture;
  std::vector<fs::path> cards;
  for (const auto& c : card_files) cards.push_back(fs::absolute(c));
  const std::string text = sample_fixture({fs::absolute(dir), fs::absolute(jpki_ca), cards, japan_date(now)});
  const fs::path temp = fs::path(fixture) += ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw ServiceError("cannot write " + temp.string());
  }
  fs::rename(temp, fixture, ec);
  if (ec) throw ServiceError("cannot write " + fixture.string() + ": " + ec.message());
  return fixture;
}

// --------------------------------------------------------------------------------- service

// A bounded least-recently-used map, thread-safe.
template <typename Value>
class LruCache {
 public:
  explicit LruCache(std::size_t capacity) : capacity_(capacity) {}
  std::shared_ptr<const Value> find(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.second);
    return it->second.first;
  }
  void insert(const std::string& key, std::shared_ptr<const Value> value) {
    if (capacity_ == 0) return;
    std::lock_guard lock(mutex_);
    if (map_.contains(key)) return;
    order_.push_front(key);
    map_.emplace(key, std::make_pair(std::move(value), order_.begin()));
    if (map_.size() > capacity_) {
      map_.erase(order_.back());
      order_.pop_back();
    }
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::list<std::string> order_;
  std::unordered_map<std::string, std::pair<std::shared_ptr<const Value>, std::list<std::string>::iterator>> map_;
};

struct SimulatedEligibilityService::Impl {
  ServiceOptions options;
  EligibilityDatabase db;
  std::mutex db_mutex;
  JpkiVerifier verifier;
  CardFaceProofChecker card_face_checker;
  SessionStore sessions;
  std::unique_ptr<httplib::SSLServer> server;
  std::thread thread;
  int port = -1;
  std::string tls_error;
  std::mutex faults_mutex;
  Faults faults;
  struct ParsedCertificate;
  LruCache<ParsedCertificate> certificate_cache{options.certificate_cache_size};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> confirmations{0};
  std::atomic<std::uint64_t> refusals{0};

  Impl(ServiceOptions o, const Fixture& fixture)
      : options(std::move(o)),
        db(options.database),
        verifier(options.jpki_ca_certificates),
        card_face_checker(options.card_face_anchors),
        sessions(options.nonce_lifetime, options.session_lifetime, options.max_outstanding_challenges) {
    if (!options.clock) options.clock = [] { return std::chrono::system_clock::now(); };
    db.load(fixture);
    for (const auto& crl : options.crl_files) db.add_revocations(verifier.read_crl(crl));
  }

  TimePoint now() const { return options.clock(); }

  // ------------------------------------------------------------------------------- TLS

  bool setup_tls(SSL_CTX& ctx) {
    const auto fail = [&](const std::string& what) {
      tls_error = what + ": " + openssl::take_errors();
      return false;
    };
    if (SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) != 1) return fail("cannot require TLS 1.2");
    if (SSL_CTX_use_certificate_chain_file(&ctx, options.tls.certificate.c_str()) != 1) {
      return fail("cannot use the server certificate " + options.tls.certificate.string());
    }
    if (SSL_CTX_use_PrivateKey_file(&ctx, options.tls.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(&ctx) != 1) {
      return fail("cannot use the server key " + options.tls.key.string());
    }
    if (SSL_CTX_load_verify_locations(&ctx, options.tls.client_ca.c_str(), nullptr) != 1) {
      return fail("cannot use the terminal CA " + options.tls.client_ca.string());
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.tls.client_ca.c_str());
    if (names == nullptr) return fail("cannot read the terminal CA names");
    SSL_CTX_set_client_CA_list(&ctx, names);
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    SSL_CTX_set_verify_depth(&ctx, 2);
    static constexpr unsigned char kSessionContext[] = "kiosk-eligibility";
    SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof kSessionContext - 1);
    return true;
  }

  Terminal terminal_of(const httplib::Request& req) const {
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

  // ---------------------------------------------------------------------------- routing

  using Handler = Reply (Impl::*)(const httplib::Request&, const Terminal&, TimePoint, AuditEntry&);

  void dispatch(const httplib::Request& req, httplib::Response& res, Handler handler) {
    const auto started = std::chrono::steady_clock::now();
    ++requests;
    Faults f;
    {
      std::lock_guard lock(faults_mutex);
      f = faults;
    }
    const bool faulted = f.only_path.empty() || f.only_path == req.path;
    if (faulted && f.delay.count() > 0) std::this_thread::sleep_for(f.delay);
    if (faulted && f.reply != Faults::Reply::Normal) {
      answer_fault(f.reply, res);
      log_line(req, res.status, started, "(fault injected)");
      return;
    }
    AuditEntry audit;
    std::string who;
    try {
      const Terminal terminal = terminal_of(req);
      who = terminal.subject;
      audit.terminal = terminal.subject;
      audit.medical_institution_code = terminal.medical_institution_code;
      const TimePoint at = now();
      audit.at = at;
      const Reply reply = (this->*handler)(req, terminal, at, audit);
      res.status = reply.status;
      res.set_content(reply.body, kJsonType);
      if (!audit.operation.empty() && audit.outcome.empty()) audit.outcome = "ok";
    } catch (const ApiError& e) {
      ++refusals;
      res.status = e.status;
      res.set_content(error_body(e), kJsonType);
      audit.outcome = "refused";
      audit.code = e.code;
      audit.detail = e.detail;
    } catch (const std::exception& e) {
      res.status = 500;
      res.set_content(error_body({500, "INTERNAL", "システムエラーが発生しました。受付窓口にお申し出ください。", true, ""}), kJsonType);
      audit.outcome = "error";
      audit.code = "INTERNAL";
      audit.detail = e.what();
      log_line(req, 500, started, std::string("internal error: ") + e.what());
    }
    if (!audit.operation.empty()) {
      try {
        if (audit.at == TimePoint{}) audit.at = now();
        std::lock_guard lock(db_mutex);
        db.audit(audit);
      } catch (const std::exception& e) {
        log_line(req, res.status, started, std::string("cannot write the audit entry: ") + e.what());
      }
    }
    log_line(req, res.status, started, who);
  }

  void answer_fault(Faults::Reply reply, httplib::Response& res) const {
    switch (reply) {
      case Faults::Reply::MalformedJson:
        res.status = 200;
        res.set_content("{\"api_version\": 1, \"result\": {\"MessageHeader\": ", kJsonType);
        return;
      case Faults::Reply::WrongContentType:
        res.status = 200;
        res.set_content("<html><body>maintenance</body></html>", "text/html");
        return;
      case Faults::Reply::WrongVersion:
        res.status = 200;
        res.set_content(R"({"api_version": 99, "status": "ok"})", kJsonType);
        return;
      case Faults::Reply::InternalError:
        res.status = 500;
        res.set_content(error_body({500, "INTERNAL", "システムエラーが発生しました。", true, "fault injected"}), kJsonType);
        return;
      case Faults::Reply::Unavailable:
        res.status = 503;
        res.set_content(error_body({503, "UNAVAILABLE", "ただいまメンテナンス中です。", true, "fault injected"}), kJsonType);
        return;
      case Faults::Reply::Normal:
        return;
    }
  }

  void log_line(const httplib::Request& req, int status, std::chrono::steady_clock::time_point started,
                const std::string& note) const {
    if (!options.log) return;
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    options.log(req.method + " " + req.path + " " + std::to_string(status) + " " + std::to_string(micros) + "us " + note);
  }

  // -------------------------------------------------------------------------- handlers

  Reply health(const httplib::Request&, const Terminal&, TimePoint at, AuditEntry&) {
    Json j = base_reply();
    j["status"] = "ok";
    j["service"] = "kiosk-sim-eligibility/1";
    j["time"] = iso_utc(at);
    j["today"] = calendar::format_iso_date(japan_date(at));
    return {200, j.dump()};
  }

  Reply challenge(const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry&) {
    Body body(req.body.empty() ? std::string(R"({"api_version":1})") : req.body);
    const auto issued = sessions.issue_nonce(t.fingerprint, at);
    if (!issued) {
      throw ApiError{429, "TOO_MANY_CHALLENGES", "しばらくしてからもう一度お試しください。", true,
                     "too many unused challenges for this terminal"};
    }
    Json j = base_reply();
    j["nonce"] = base64_encode(issued->nonce);
    j["expires_at"] = iso_utc(issued->expires_at);
    return {201, j.dump()};
  }

  struct CardCheck {
    CertificateInfo info;
    CertificateDates dates;
    std::shared_ptr<X509> cert;
  };

  // What never changes about a certificate: its parse, facts and chain verdict (the anchors are
  // fixed for the service's life). Revocation and dates are judged on every request.
  struct ParsedCertificate {
    std::shared_ptr<X509> cert;
    CertificateInfo info;
    JpkiVerifier::ChainCheck chain;
  };

  std::shared_ptr<const ParsedCertificate> parse_card_certificate(const Bytes& der) {
    const std::string sha = sha256_hex(der);
    if (auto hit = certificate_cache.find(sha)) return hit;
    std::shared_ptr<X509> cert;
    try {
      cert.reset(parse_certificate_der(der).release(), X509_free);
    } catch (const CertificateParseError&) {
      throw bad_request("card_certificate is not a DER X.509 certificate");
    }
    auto parsed = std::make_shared<const ParsedCertificate>(
        ParsedCertificate{cert, describe(cert.get(), der), verifier.check_chain(cert.get())});
    certificate_cache.insert(sha, parsed);
    return parsed;
  }

  // Chain, revocation and dates of the card's user-authentication certificate.
  CardCheck check_card_certificate(const Bytes& der, TimePoint at, AuditEntry& audit) {
    const auto parsed = parse_card_certificate(der);
    CardCheck c{parsed->info, {}, parsed->cert};
    audit.card_sha256 = c.info.sha256;
    const auto& chain = parsed->chain;
    if (!chain.trusted) {
      throw ApiError{403, "CARD_CERTIFICATE_UNTRUSTED",
                     "このカードの電子証明書を確認できません。受付窓口にお申し出ください。", false, chain.detail};
    }
    std::optional<RevocationRecord> revoked;
    {
      std::lock_guard lock(db_mutex);
      revoked = db.revocation(c.info.issuer, c.info.serial);
    }
    if (revoked && revoked->revoked_at <= at) {
      throw ApiError{403, "CARD_CERTIFICATE_REVOKED", kMessage006, false,
                     "serial " + c.info.serial + " revoked " + iso_utc(revoked->revoked_at) + " (" + revoked->source + ")"};
    }
    c.dates = judge_certificate_dates(c.info.not_before, c.info.not_after, at);
    if (c.dates.judgement == CertificateJudgement::Expired) {
      throw ApiError{403, "CARD_CERTIFICATE_EXPIRED", kMessage006, false,
                     "expired " + calendar::format_iso_date(c.dates.not_after) + ", grace period ended " +
                         calendar::format_iso_date(c.dates.usable_until)};
    }
    if (c.dates.judgement == CertificateJudgement::NotYetValid) {
      throw ApiError{403, "CARD_CERTIFICATE_NOT_YET_VALID",
                     "このカードの電子証明書はまだ有効になっていません。受付窓口にお申し出ください。", false,
                     "notBefore " + iso_utc(c.info.not_before)};
    }
    return c;
  }

  void check_attestation(const Body& body, const Terminal& t, const std::string& method, const Bytes& nonce,
                         const CertificateInfo& card, AuditEntry& audit) const {
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
          threshold < options.minimum_face_threshold) {
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

  // The card-path answer for a registered person (db_mutex held).
  Json card_path_reply(const Terminal& t, TimePoint at, const PersonRecord& person, const std::string& card_sha256,
                       const std::string& method, const CertificateDates& dates, std::optional<int> prescription,
                       const std::string& existing_session, AuditEntry& audit) {
    const auto qualifications = db.qualifications_of(person.id);
    const Evaluation e = evaluate_card_path(qualifications, japan_date(at));
    ResultContext c;
    c.now = at;
    c.medical_institution_code = t.medical_institution_code;
    c.reference_classification = 1;
    c.card_path = true;
    c.viewing_consent = db.current_consent(person.id, t.medical_institution_code, at);
    c.viewing_suspended = person.linkage_under_review;
    c.prescription_issue_select = prescription;
    c.notices = certificate_notices(dates);
    std::vector<Shown> shown;
    for (const auto& q : e.shown) shown.push_back({&person, &q});
    Json j = base_reply();
    j["method"] = method;
    j["confirmation_id"] = existing_session.empty()
                               ? sessions.create_session({t.fingerprint, card_sha256, person.id, method, dates, prescription,
                                                          at + options.session_lifetime})
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

  Reply confirm(const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit) {
    audit.operation = "confirm";
    const Body body(req.body);
    const std::string method = body.text("method");
    if (method != "pin" && method != "face" && method != "visual") throw bad_request("method must be pin, face or visual");
    audit.method = method;
    const Bytes der = body.bytes("card_certificate");
    const Bytes nonce = body.bytes("nonce");
    switch (sessions.consume_nonce(t.fingerprint, nonce, at)) {
      case SessionStore::NonceUse::Fresh:
        break;
      case SessionStore::NonceUse::Unknown:
        throw ApiError{401, "NONCE_UNKNOWN", "確認をやり直してください。", true, "this service did not issue that nonce to this terminal"};
      case SessionStore::NonceUse::Expired:
        throw ApiError{410, "NONCE_EXPIRED", "確認の有効時間が過ぎました。もう一度お試しください。", true, "the nonce expired"};
      case SessionStore::NonceUse::Replayed:
        throw ApiError{409, "NONCE_REPLAYED", "この確認要求は使用済みです。最初からやり直してください。", false, "the nonce was used before"};
    }
    CardCheck card = check_card_certificate(der, at, audit);
    if (method == "pin") {
      const Bytes signature = body.bytes("card_signature");
      if (!verify_card_signature(card.cert.get(), nonce, signature)) {
        throw ApiError{401, "SIGNATURE_INVALID", "本人確認ができませんでした。もう一度カードを置いてください。", false,
                       "the card signature does not verify with the card certificate"};
      }
    } else {
      check_attestation(body, t, method, nonce, card.info, audit);
    }
    std::lock_guard lock(db_mutex);
    const auto card_record = db.card_by_certificate(card.info.sha256);
    std::optional<PersonRecord> person;
    if (card_record && card_record->person_id) person = db.person(*card_record->person_id);
    if (method == "face") {  // a face confirmation stands only on a genuine card (card_face_proof_check.hpp)
      std::optional<CardFaceProofChecker::Holder> holder;
      if (person) holder = CardFaceProofChecker::Holder{person->birth_date, person->sex, card_record ? card_record->card_face_key_sha256 : ""};
      const auto v = card_face_checker.check(body.json(), nonce, der, holder);
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
      ++confirmations;
      return {200, j.dump()};
    }
    if (!person->registered_for_insurance_use) {
      const std::string ticket = sessions.create_ticket(
          {t.fingerprint, card.info.sha256, person->id, method, card.dates, at + options.ticket_lifetime});
      Json j = base_reply();
      j["method"] = method;
      j["registration_offer"] = {
          {"ticket", ticket},
          {"expires_at", iso_utc(at + options.ticket_lifetime)},
          {"message", "マイナンバーカードの健康保険証利用登録がされていません。この場で登録できます。登録しますか？"}};
      j["card_certificate"] = certificate_notice(card.dates);
      audit.person = person->key;
      audit.outcome = "registration-offered";
      ++confirmations;
      return {200, j.dump()};
    }
    Json j = card_path_reply(t, at, *person, card.info.sha256, method, card.dates, std::nullopt, "", audit);
    ++confirmations;
    return {200, j.dump()};
  }

  // A stored answer for a repeated request id, or nothing (db_mutex held).
  std::optional<Reply> replay(const Terminal& t, const std::string& request_id, const std::string& operation) {
    const auto stored = db.stored_answer(t.fingerprint, request_id);
    if (!stored) return std::nullopt;
    if (stored->operation != operation) {
      throw ApiError{409, "REQUEST_ID_REUSED", "要求が重複しています。最初からやり直してください。", false,
                     "request_id was used for " + stored->operation};
    }
    return Reply{stored->status, stored->body};
  }

  Reply registration(const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit) {
    audit.operation = "register";
    const Body body(req.body);
    const std::string request_id = request_id_of(body);
    const std::string ticket_id = body.text("ticket");
    if (!body.flag("patient_consented")) throw bad_request("registration needs the patient's consent");
    std::lock_guard lock(db_mutex);
    if (auto again = replay(t, request_id, "register")) {
      audit.detail = "repeated request " + request_id + ": stored answer";
      return *again;
    }
    const auto ticket = sessions.ticket(ticket_id, t.fingerprint, at);
    if (!ticket) {
      throw ApiError{404, "TICKET_UNKNOWN", "登録の受付時間が過ぎました。もう一度カードを置いてください。", false,
                     "unknown or expired registration ticket"};
    }
    audit.method = ticket->method;
    audit.card_sha256 = ticket->card_sha256;
    const Reply reply = db.transaction([&] {
      db.register_insurance_use(ticket->person_id, japan_date(at), "kiosk " + t.medical_institution_code);
      const auto person = db.person(ticket->person_id);
      if (!person) throw std::runtime_error("registered person vanished");
      Json j = card_path_reply(t, at, *person, ticket->card_sha256, ticket->method, ticket->certificate, std::nullopt, "", audit);
      Reply r{200, j.dump()};
      db.store_answer(t.fingerprint, request_id, {"register", r.status, r.body}, at);
      return r;
    });
    sessions.remove_ticket(ticket_id);
    audit.detail = "registered for insurance use; " + audit.detail;
    ++confirmations;
    return reply;
  }

  Reply consent(const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit) {
    audit.operation = "consent";
    const Body body(req.body);
    const std::string request_id = request_id_of(body);
    const std::string confirmation_id = body.text("confirmation_id");
    const bool medical_information = body.flag("medical_information");
    std::optional<int> prescription;
    if (body.has("PrescriptionIssueSelect")) {
      const std::string p = body.text("PrescriptionIssueSelect");
      if (p != "1" && p != "2") throw bad_request("PrescriptionIssueSelect must be \"1\" or \"2\"");
      prescription = p[0] - '0';
    }
    std::lock_guard lock(db_mutex);
    if (auto again = replay(t, request_id, "consent")) {
      audit.detail = "repeated request " + request_id + ": stored answer";
      return *again;
    }
    const auto session = sessions.session(confirmation_id, t.fingerprint, at);
    if (!session) {
      throw ApiError{404, "CONFIRMATION_UNKNOWN", "確認の受付時間が過ぎました。もう一度カードを置いてください。", false,
                     "unknown or expired confirmation id"};
    }
    audit.method = session->method;
    audit.card_sha256 = session->card_sha256;
    const Reply reply = db.transaction([&] {
      db.record_consent({session->person_id, t.medical_institution_code, medical_information, at, at + std::chrono::hours{24}});
      const auto person = db.person(session->person_id);
      if (!person) throw std::runtime_error("consenting person vanished");
      const std::optional<int> chosen = prescription ? prescription : session->prescription;
      Json j = card_path_reply(t, at, *person, session->card_sha256, session->method, session->certificate, chosen,
                               confirmation_id, audit);
      Reply r{200, j.dump()};
      db.store_answer(t.fingerprint, request_id, {"consent", r.status, r.body}, at);
      return r;
    });
    if (prescription) sessions.set_prescription(confirmation_id, *prescription);
    audit.detail = std::string(medical_information ? "medical information consent given" : "medical information consent declined") +
                   (person_viewing_suspended(session->person_id) ? " (viewing suspended: linkage under review)" : "") + "; " +
                   audit.detail;
    return reply;
  }

  bool person_viewing_suspended(std::int64_t person_id) {
    const auto p = db.person(person_id);
    return p && p->linkage_under_review;
  }

  Reply lookup(const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit) {
    audit.operation = "lookup";
    audit.method = "numbers";
    const Body body(req.body);
    request_id_of(body);
    const auto document = document_from(body.text("document"));
    if (!document) throw bad_request("document must be eligibility-certificate, health-insurance-card or qualification-notice");
    const Json& info = body.object("QualificationConfirmSearchInfo");
    auto text = [&](const char* key, bool required) -> std::string {
      const auto it = info.find(key);
      if (it == info.end() || it->is_null()) {
        if (required) throw bad_request(std::string("QualificationConfirmSearchInfo.") + key + " is missing");
        return {};
      }
      if (!it->is_string()) throw bad_request(std::string("QualificationConfirmSearchInfo.") + key + " is not a string");
      return it->get<std::string>();
    };
    NumberQuery q;
    q.document = *document;
    q.insurer_number = text("InsurerNumber", true);
    q.symbol = text("InsuredCardSymbol", false);
    q.number = text("InsuredIdentificationNumber", true);
    if (const std::string branch = text("InsuredBranchNumber", false); !branch.empty()) q.branch = branch;
    const auto birth = calendar::parse_yyyymmdd(text("Birthdate", true));
    if (!birth) throw bad_request("Birthdate is not a YYYYMMDD date");
    q.birth_date = *birth;
    const bool limit = text("LimitApplicationCertificateRelatedConsFlg", false) == "1";
    if (q.insurer_number.size() != 8 || !std::all_of(q.insurer_number.begin(), q.insurer_number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      throw bad_request("InsurerNumber must be 8 digits");
    }
    audit.detail = "document " + body.text("document") + ", insurer " + q.insurer_number;

    std::lock_guard lock(db_mutex);
    const std::vector<Candidate> candidates = db.candidates(q.insurer_number, q.symbol, q.number);
    const Evaluation e = evaluate_number_path(q, candidates, japan_date(at));
    std::vector<Shown> shown;
    for (const auto& s : e.shown) {
      for (const auto& c : candidates) {
        if (c.person.id == s.person_id) shown.push_back({&c.person, &s});
      }
    }
    ResultContext c;
    c.now = at;
    c.medical_institution_code = t.medical_institution_code;
    c.reference_classification = 2;
    c.card_path = false;
    c.limit_information_consented = limit;
    c.search_info = info;
    Json j = base_reply();
    j["method"] = "numbers";
    j["result"] = oqs_result(e, shown, c);
    j["medical_information_viewing_suspended"] = false;
    if (!shown.empty()) audit.person = shown.front().person->key;
    audit.code = e.code;
    audit.outcome = e.refused ? "refused" : "ok";
    audit.detail += "; validity " + (e.validity ? std::to_string(static_cast<int>(*e.validity)) : std::string("-"));
    for (const auto& n : e.notes) audit.detail += "; " + n;
    ++confirmations;
    return {200, j.dump()};
  }
};

SimulatedEligibilityService::SimulatedEligibilityService(ServiceOptions options, const Fixture& fixture)
    : impl_(std::make_unique<Impl>(std::move(options), fixture)) {}

SimulatedEligibilityService::~SimulatedEligibilityService() { stop(); }

void SimulatedEligibilityService::start() {
  Impl& i = *impl_;
  if (i.server) throw ServiceError("the service is already started");
  auto server = std::make_unique<httplib::SSLServer>([&i](SSL_CTX& ctx) { return i.setup_tls(ctx); });
  if (!server->is_valid()) throw ServiceError("cannot set up TLS: " + i.tls_error);
  const std::size_t workers = std::max<std::size_t>(2, i.options.worker_threads);
  // cpp-httplib takes ownership of the queue it gets from this factory (and deletes it).
  server->new_task_queue = [workers] { return std::make_unique<httplib::ThreadPool>(workers).release(); };
  auto route = [&i](Impl::Handler h) {
    return [&i, h](const httplib::Request& req, httplib::Response& res) { i.dispatch(req, res, h); };
  };
  server->Get("/v1/health", route(&Impl::health));
  server->Post("/v1/challenges", route(&Impl::challenge));
  server->Post("/v1/confirmations", route(&Impl::confirm));
  server->Post("/v1/registrations", route(&Impl::registration));
  server->Post("/v1/consents", route(&Impl::consent));
  server->Post("/v1/lookups", route(&Impl::lookup));
  server->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) {
      const bool other_version = req.path.rfind("/v", 0) == 0 && req.path.rfind("/v1/", 0) != 0;
      res.set_content(error_body({404, other_version ? "UNSUPPORTED_VERSION" : "BAD_REQUEST",
                                  "要求の形式が正しくありません。受付窓口にお申し出ください。", false,
                                  "no such endpoint: " + req.method + " " + req.path}),
                      kJsonType);
    }
  });
  // Small JSON answers written in pieces: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms.
  server->set_tcp_nodelay(true);
  server->set_keep_alive_max_count(i.options.keep_alive_max_requests);
  server->set_keep_alive_timeout(i.options.keep_alive_timeout.count());
  server->set_read_timeout(i.options.io_timeout.count(), 0);
  server->set_write_timeout(i.options.io_timeout.count(), 0);
  server->set_payload_max_length(kMaxBody);
  if (i.options.port == 0) {
    i.port = server->bind_to_any_port(i.options.host);
  } else {
    i.port = server->bind_to_port(i.options.host, i.options.port) ? i.options.port : -1;
  }
  if (i.port <= 0) {
    throw ServiceError("cannot listen on " + i.options.host + ":" + std::to_string(i.options.port) + " (in use?)");
  }
  i.server = std::move(server);
  i.thread = std::thread([&i] { i.server->listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  while (!i.server->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      throw ServiceError("the server did not start listening");
    }
    std::this_thread::sleep_for(milliseconds{2});
  }
}

void SimulatedEligibilityService::stop() {
  Impl& i = *impl_;
  if (!i.server) return;
  i.server->stop();
  if (i.thread.joinable()) i.thread.join();
  i.server.reset();
}

bool SimulatedEligibilityService::running() const { return impl_->server && impl_->server->is_running(); }

int SimulatedEligibilityService::port() const { return impl_->port; }

std::string SimulatedEligibilityService::url() const {
  return "https://" + impl_->options.host + ":" + std::to_string(impl_->port);
}

void SimulatedEligibilityService::set_faults(const Faults& faults) {
  std::lock_guard lock(impl_->faults_mutex);
  impl_->faults = faults;
}

std::vector<AuditEntry> SimulatedEligibilityService::audit_tail(std::size_t count) {
  std::lock_guard lock(impl_->db_mutex);
  return impl_->db.audit_tail(count);
}

SimulatedEligibilityService::Counters SimulatedEligibilityService::counters() const {
  return {impl_->requests.load(), impl_->confirmations.load(), impl_->refusals.load()};
}

}  // namespace kiosk::sim::eligibility
