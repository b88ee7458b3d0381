#include "sim/eligibility/database.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "hal/calendar.hpp"

namespace kiosk::sim::eligibility {

namespace {

using Json = nlohmann::json;

// Bump when a world table changes: the world tables are then rebuilt (the audit table is kept).
constexpr std::int64_t kSchemaVersion = 4;
constexpr const char* kDropWorld = R"SQL(
DROP TABLE IF EXISTS eligibility_certificates;
DROP TABLE IF EXISTS consents;
DROP TABLE IF EXISTS insurance_use_registrations;
DROP TABLE IF EXISTS cards;
DROP TABLE IF EXISTS qualifications;
DROP TABLE IF EXISTS people;
DROP TABLE IF EXISTS revocations;
DROP TABLE IF EXISTS requests;
)SQL";

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS people (
  id INTEGER PRIMARY KEY,
  fixture_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  name_kana TEXT NOT NULL DEFAULT '',
  name_of_other TEXT NOT NULL DEFAULT '',
  name_of_other_kana TEXT NOT NULL DEFAULT '',
  sex TEXT NOT NULL CHECK (sex IN ('1', '2', '3')),
  birth_date TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  post_number TEXT NOT NULL DEFAULT '',
  linkage_under_review INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS cards (
  id INTEGER PRIMARY KEY,
  person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
  certificate_sha256 TEXT NOT NULL UNIQUE,
  subject TEXT NOT NULL DEFAULT '',
  serial TEXT NOT NULL DEFAULT '',
  label TEXT NOT NULL DEFAULT '',
  card_face_key_sha256 TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS insurance_use_registrations (
  person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
  registered_on TEXT NOT NULL,
  registered_via TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS qualifications (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  fixture_id TEXT NOT NULL UNIQUE,
  insurer_number TEXT NOT NULL,
  insurer_name TEXT NOT NULL DEFAULT '',
  symbol TEXT NOT NULL DEFAULT '',
  number TEXT NOT NULL,
  branch TEXT NOT NULL DEFAULT '',
  card_classification TEXT NOT NULL,
  personal_family TEXT NOT NULL CHECK (personal_family IN ('1', '2')),
  insured_name TEXT NOT NULL DEFAULT '',
  qualification_date TEXT NOT NULL,
  filed_on TEXT NOT NULL,
  disqualification_date TEXT,
  loss_filed_on TEXT,
  reason_of_loss TEXT NOT NULL DEFAULT '',
  contribution_ratio TEXT NOT NULL DEFAULT '',
  preschool TEXT NOT NULL DEFAULT '',
  certificate_issuance_date TEXT,
  card_valid_date TEXT,
  card_expiration_date TEXT,
  elderly TEXT,
  limit_application TEXT,
  specific_diseases TEXT,
  public_expense TEXT
);
CREATE INDEX IF NOT EXISTS qualifications_by_numbers ON qualifications (insurer_number, number);
CREATE INDEX IF NOT EXISTS qualifications_by_person ON qualifications (person_id);
CREATE TABLE IF NOT EXISTS eligibility_certificates (
  id INTEGER PRIMARY KEY,
  qualification_id INTEGER NOT NULL REFERENCES qualifications(id) ON DELETE CASCADE,
  issued_on TEXT NOT NULL,
  valid_until TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS certificates_by_qualification ON eligibility_certificates (qualification_id);
CREATE TABLE IF NOT EXISTS consents (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  medical_institution_code TEXT NOT NULL,
  medical_information INTEGER NOT NULL,
  consented_at TEXT NOT NULL,
  available_until TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS consents_by_person ON consents (person_id, medical_institution_code, consented_at);
CREATE TABLE IF NOT EXISTS revocations (
  issuer TEXT NOT NULL,
  serial TEXT NOT NULL,
  revoked_at TEXT NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (issuer, serial)
);
CREATE TABLE IF NOT EXISTS requests (
  terminal TEXT NOT NULL,
  request_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (terminal, request_id)
);
CREATE INDEX IF NOT EXISTS requests_by_age ON requests (terminal, at);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  terminal TEXT NOT NULL,
  medical_institution_code TEXT NOT NULL,
  operation TEXT NOT NULL,
  method TEXT NOT NULL,
  card_sha256 TEXT NOT NULL,
  person TEXT NOT NULL,
  outcome TEXT NOT NULL,
  code TEXT NOT NULL,
  detail TEXT NOT NULL
);
)SQL";

std::string iso(Date d) { return hal::calendar::format_iso_date(d); }

std::optional<std::string> iso(const std::optional<Date>& d) {
  if (!d) return std::nullopt;
  return iso(*d);
}

std::string instant(TimePoint t) { return hal::calendar::format_iso8601_utc(t); }

Date date_of(const std::string& text) {
  const auto d = hal::calendar::parse_iso_date(text);
  if (!d) throw DatabaseError("corrupt date in the database: '" + text + "'");
  return *d;
}

std::optional<Date> optional_date(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return date_of(*text);
}

TimePoint instant_of(const std::string& t) {
  const auto d = hal::calendar::parse_iso_date(t.substr(0, 10));
  if (t.size() != 20 || !d) throw DatabaseError("corrupt time in the database: '" + t + "'");
  return std::chrono::sys_days{*d} + std::chrono::hours{std::stoi(t.substr(11, 2))} +
         std::chrono::minutes{std::stoi(t.substr(14, 2))} + std::chrono::seconds{std::stoi(t.substr(17, 2))};
}

std::optional<std::string> json_text(const Json& j) {
  if (j.is_null()) return std::nullopt;
  return j.dump();
}

Json json_of(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return Json::parse(*text);
}

}  // namespace

EligibilityDatabase::EligibilityDatabase(const std::string& path) : db_(path) {
  Statement version = db_.prepare("PRAGMA user_version");
  const std::int64_t found = version.step() ? version.integer(0) : 0;
  version.run();
  if (found != kSchemaVersion) {
    db_.exec(kDropWorld);
    db_.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  }
  db_.exec(kSchema);
}

void EligibilityDatabase::load(const Fixture& fixture) {
  db_.transaction([&] {
    db_.exec("DELETE FROM people; DELETE FROM cards; DELETE FROM revocations; DELETE FROM requests;");
    for (const auto& fp : fixture.people) {
      const PersonRecord& p = fp.person;
      db_.prepare(
             "INSERT INTO people (fixture_id, name, name_kana, name_of_other, name_of_other_kana, sex, birth_date, "
             "address, post_number, linkage_under_review) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
          .bind(1, p.key)
          .bind(2, p.name)
          .bind(3, p.name_kana)
          .bind(4, p.name_of_other)
          .bind(5, p.name_of_other_kana)
          .bind(6, p.sex)
          .bind(7, iso(p.birth_date))
          .bind(8, p.address)
          .bind(9, p.post_number)
          .bind(10, std::int64_t{p.linkage_under_review ? 1 : 0})
          .run();
      const std::int64_t person_id = db_.last_insert_id();
      if (p.registered_for_insurance_use) register_insurance_use(person_id, *p.registered_for_insurance_use, "fixture");
      for (const auto& c : fp.cards) {
        db_.prepare(
               "INSERT INTO cards (person_id, certificate_sha256, subject, serial, label, card_face_key_sha256) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .bind(1, person_id)
            .bind(2, c.certificate_sha256)
            .bind(3, c.subject)
            .bind(4, c.serial)
            .bind(5, c.label)
            .bind(6, c.card_face_key_sha256)
            .run();
      }
      for (const auto& q : fp.qualifications) {
        db_.prepare(
               "INSERT INTO qualifications (person_id, fixture_id, insurer_number, insurer_name, symbol, number, branch, "
               "card_classification, personal_family, insured_name, qualification_date, filed_on, disqualification_date, "
               "loss_filed_on, reason_of_loss, contribution_ratio, preschool, certificate_issuance_date, card_valid_date, "
               "card_expiration_date, elderly, limit_application, specific_diseases, public_expense) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)")
            .bind(1, person_id)
            .bind(2, q.key)
            .bind(3, q.insurer_number)
            .bind(4, q.insurer_name)
            .bind(5, q.symbol)
            .bind(6, q.number)
            .bind(7, q.branch)
            .bind(8, q.card_classification)
            .bind(9, q.personal_family)
            .bind(10, q.insured_name)
            .bind(11, iso(q.qualification_date))
            .bind(12, iso(q.filed_on))
            .bind(13, iso(q.disqualification_date))
            .bind(14, iso(q.loss_filed_on))
            .bind(15, q.reason_of_loss)
            .bind(16, q.contribution_ratio)
            .bind(17, q.preschool)
            .bind(18, iso(q.certificate_issuance_date))
            .bind(19, iso(q.card_valid_date))
            .bind(20, iso(q.card_expiration_date))
            .bind(21, json_text(q.elderly))
            .bind(22, json_text(q.limit_application))
            .bind(23, json_text(q.specific_diseases))
            .bind(24, json_text(q.public_expense))
            .run();
        const std::int64_t qualification_id = db_.last_insert_id();
        for (const auto& ec : q.eligibility_certificates) {
          db_.prepare("INSERT INTO eligibility_certificates (qualification_id, issued_on, valid_until) VALUES (?1, ?2, ?3)")
              .bind(1, qualification_id)
              .bind(2, iso(ec.issued_on))
              .bind(3, iso(ec.valid_until))
              .run();
        }
      }
      for (auto c : fp.consents) {
        c.person_id = person_id;
        record_consent(c);
      }
    }
    add_revocations(fixture.revocations);
  });
}

void EligibilityDatabase::add_revocations(const std::vector<RevocationRecord>& revocations) {
  for (const auto& r : revocations) {
    db_.prepare("INSERT OR IGNORE INTO revocations (issuer, serial, revoked_at, source) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, r.issuer)
        .bind(2, r.serial)
        .bind(3, instant(r.revoked_at))
        .bind(4, r.source)
        .run();
  }
}

std::optional<CardRecord> EligibilityDatabase::card_by_certificate(const std::string& sha256) {
  Statement s = db_.prepare(
      "SELECT id, person_id, certificate_sha256, subject, serial, label, card_face_key_sha256 FROM cards "
      "WHERE certificate_sha256 = ?1");
  s.bind(1, sha256);
  if (!s.step()) return std::nullopt;
  CardRecord c;
  c.id = s.integer(0);
  if (!s.is_null(1)) c.person_id = s.integer(1);
  c.certificate_sha256 = s.text(2);
  c.subject = s.text(3);
  c.serial = s.text(4);
  c.label = s.text(5);
  c.card_face_key_sha256 = s.text(6);
  return c;
}

std::optional<PersonRecord> EligibilityDatabase::person(std::int64_t id) {
  Statement s = db_.prepare(
      "SELECT p.id, p.fixture_id, p.name, p.name_kana, p.name_of_other, p.name_of_other_kana, p.sex, p.birth_date, "
      "p.address, p.post_number, p.linkage_under_review, r.registered_on FROM people p "
      "LEFT JOIN insurance_use_registrations r ON r.person_id = p.id WHERE p.id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  PersonRecord p;
  p.id = s.integer(0);
  p.key = s.text(1);
  p.name = s.text(2);
  p.name_kana = s.text(3);
  p.name_of_other = s.text(4);
  p.name_of_other_kana = s.text(5);
  p.sex = s.text(6);
  p.birth_date = date_of(s.text(7));
  p.address = s.text(8);
  p.post_number = s.text(9);
  p.linkage_under_review = s.integer(10) != 0;
  p.registered_for_insurance_use = optional_date(s.optional_text(11));
  return p;
}

std::vector<QualificationRecord> EligibilityDatabase::qualifications_of(std::int64_t person_id) {
  std::vector<QualificationRecord> out;
  {
    Statement s = db_.prepare(
        "SELECT id, person_id, fixture_id, insurer_number, insurer_name, symbol, number, branch, card_classification, "
        "personal_family, insured_name, qualification_date, filed_on, disqualification_date, loss_filed_on, "
        "reason_of_loss, contribution_ratio, preschool, certificate_issuance_date, card_valid_date, card_expiration_date, "
        "elderly, limit_application, specific_diseases, public_expense FROM qualifications "
        "WHERE person_id = ?1 ORDER BY qualification_date, id");
    s.bind(1, person_id);
    while (s.step()) {
      QualificationRecord q;
      q.id = s.integer(0);
      q.person_id = s.integer(1);
      q.key = s.text(2);
      q.insurer_number = s.text(3);
      q.insurer_name = s.text(4);
      q.symbol = s.text(5);
      q.number = s.text(6);
      q.branch = s.text(7);
      q.card_classification = s.text(8);
      q.personal_family = s.text(9);
      q.insured_name = s.text(10);
      q.qualification_date = date_of(s.text(11));
      q.filed_on = date_of(s.text(12));
      q.disqualification_date = optional_date(s.optional_text(13));
      q.loss_filed_on = optional_date(s.optional_text(14));
      q.reason_of_loss = s.text(15);
      q.contribution_ratio = s.text(16);
      q.preschool = s.text(17);
      q.certificate_issuance_date = optional_date(s.optional_text(18));
      q.card_valid_date = optional_date(s.optional_text(19));
      q.card_expiration_date = optional_date(s.optional_text(20));
      q.elderly = json_of(s.optional_text(21));
      q.limit_application = json_of(s.optional_text(22));
      q.specific_diseases = json_of(s.optional_text(23));
      q.public_expense = json_of(s.optional_text(24));
      out.push_back(std::move(q));
    }
  }
  for (auto& q : out) {
    Statement s = db_.prepare("SELECT issued_on, valid_until FROM eligibility_certificates WHERE qualification_id = ?1 ORDER BY id");
    s.bind(1, q.id);
    while (s.step()) q.eligibility_certificates.push_back({date_of(s.text(0)), date_of(s.text(1))});
  }
  return out;
}

std::vector<Candidate> EligibilityDatabase::candidates(const std::string& insurer_number, const std::string& symbol,
                                                       const std::string& number) {
  std::vector<std::int64_t> ids;
  {
    Statement s = db_.prepare(
        "SELECT DISTINCT person_id FROM qualifications WHERE insurer_number = ?1 AND symbol = ?2 AND number = ?3 ORDER BY person_id");
    s.bind(1, insurer_number).bind(2, symbol).bind(3, number);
    while (s.step()) ids.push_back(s.integer(0));
  }
  std::vector<Candidate> out;
  for (const auto id : ids) {
    auto p = person(id);
    if (!p) continue;
    out.push_back({std::move(*p), qualifications_of(id)});
  }
  return out;
}

std::optional<RevocationRecord> EligibilityDatabase::revocation(const std::string& issuer, const std::string& serial) {
  Statement s = db_.prepare("SELECT issuer, serial, revoked_at, source FROM revocations WHERE issuer = ?1 AND serial = ?2");
  s.bind(1, issuer).bind(2, serial);
  if (!s.step()) return std::nullopt;
  return RevocationRecord{s.text(0), s.text(1), instant_of(s.text(2)), s.text(3)};
}

void EligibilityDatabase::register_insurance_use(std::int64_t person_id, Date on, const std::string& via) {
  db_.prepare("INSERT OR IGNORE INTO insurance_use_registrations (person_id, registered_on, registered_via) VALUES (?1, ?2, ?3)")
      .bind(1, person_id)
      .bind(2, iso(on))
      .bind(3, via)
      .run();
}

void EligibilityDatabase::record_consent(const ConsentRecord& c) {
  db_.prepare(
         "INSERT INTO consents (person_id, medical_institution_code, medical_information, consented_at, available_until) "
         "VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, c.person_id)
      .bind(2, c.medical_institution_code)
      .bind(3, std::int64_t{c.medical_information ? 1 : 0})
      .bind(4, instant(c.consented_at))
      .bind(5, instant(c.available_until))
      .run();
}

std::optional<ConsentRecord> EligibilityDatabase::current_consent(std::int64_t person_id,
                                                                  const std::string& medical_institution_code, TimePoint now) {
  Statement s = db_.prepare(
      "SELECT medical_information, consented_at, available_until FROM consents WHERE person_id = ?1 AND "
      "medical_institution_code = ?2 AND consented_at <= ?3 ORDER BY consented_at DESC, id DESC LIMIT 1");
  s.bind(1, person_id).bind(2, medical_institution_code).bind(3, instant(now));
  if (!s.step()) return std::nullopt;
  ConsentRecord c;
  c.person_id = person_id;
  c.medical_institution_code = medical_institution_code;
  c.medical_information = s.integer(0) != 0;
  c.consented_at = instant_of(s.text(1));
  c.available_until = instant_of(s.text(2));
  if (now >= c.available_until) return std::nullopt;
  return c;
}

std::optional<EligibilityDatabase::StoredAnswer> EligibilityDatabase::stored_answer(const std::string& terminal,
                                                                                    const std::string& request_id) {
  Statement s = db_.prepare("SELECT operation, status, body FROM requests WHERE terminal = ?1 AND request_id = ?2");
  s.bind(1, terminal).bind(2, request_id);
  if (!s.step()) return std::nullopt;
  return StoredAnswer{s.text(0), static_cast<int>(s.integer(1)), s.text(2)};
}

void EligibilityDatabase::store_answer(const std::string& terminal, const std::string& request_id, const StoredAnswer& answer,
                                       TimePoint at) {
  db_.prepare("INSERT INTO requests (terminal, request_id, operation, status, body, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      .bind(1, terminal)
      .bind(2, request_id)
      .bind(3, answer.operation)
      .bind(4, std::int64_t{answer.status})
      .bind(5, answer.body)
      .bind(6, instant(at))
      .run();
}

void EligibilityDatabase::forget_answers(const std::string& terminal, TimePoint stored_before, std::size_t keep) {
  // Both walk the index requests_by_age (terminal, at), not the table; rowid orders the answers
  // stored within the same second.
  db_.prepare("DELETE FROM requests WHERE terminal = ?1 AND at < ?2").bind(1, terminal).bind(2, instant(stored_before)).run();
  db_.prepare(
         "DELETE FROM requests WHERE rowid IN (SELECT rowid FROM requests WHERE terminal = ?1 ORDER BY at DESC, rowid DESC "
         "LIMIT -1 OFFSET ?2)")
      .bind(1, terminal)
      .bind(2, static_cast<std::int64_t>(std::min(keep, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()))))
      .run();
}

void EligibilityDatabase::audit(const AuditEntry& e) {
  db_.prepare(
         "INSERT INTO audit (at, terminal, medical_institution_code, operation, method, card_sha256, person, outcome, code, "
         "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
      .bind(1, instant(e.at))
      .bind(2, e.terminal)
      .bind(3, e.medical_institution_code)
      .bind(4, e.operation)
      .bind(5, e.method)
      .bind(6, e.card_sha256)
      .bind(7, e.person)
      .bind(8, e.outcome)
      .bind(9, e.code)
      .bind(10, e.detail)
      .run();
}

std::vector<AuditEntry> EligibilityDatabase::audit_tail(std::size_t count) {
  Statement s = db_.prepare(
      "SELECT id, at, terminal, medical_institution_code, operation, method, card_sha256, person, outcome, code, detail "
      "FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?1) ORDER BY id");
  s.bind(1, static_cast<std::int64_t>(count));
  std::vector<AuditEntry> out;
  while (s.step()) {
    out.push_back({s.integer(0), instant_of(s.text(1)), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6), s.text(7),
                   s.text(8), s.text(9), s.text(10)});
  }
  return out;
}

}  // namespace kiosk::sim::eligibility
