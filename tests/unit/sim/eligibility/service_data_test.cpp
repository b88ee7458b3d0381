// The simulated service's data: the fixture QA edits, the SQLite database, the in-memory
// nonces, tickets and sessions, and the OQS result it builds.
#include <catch2/catch.hpp>

#include <fstream>

#include "hal/calendar.hpp"
#include "sim/eligibility/database.hpp"
#include "sim/eligibility/fixture.hpp"
#include "sim/eligibility/oqs_json.hpp"
#include "sim/eligibility/service.hpp"
#include "sim/eligibility/sessions.hpp"
#include "tests/support/test_cards.hpp"

using namespace kiosk;
using namespace kiosk::sim::eligibility;
using Json = nlohmann::json;
using std::chrono::sys_days;

namespace {

Date d(const char* iso) { return *hal::calendar::parse_iso_date(iso); }

std::string fixture_text(const Json& people, const Json& revocations = Json::array()) {
  return Json{{"format", "kiosk-eligibility-fixture"}, {"version", 1}, {"people", people}, {"revocations", revocations}}.dump();
}

Json taro() {
  return Json{{"id", "taro"},
              {"name", "番号　太郎"},
              {"name_kana", "ﾊﾞﾝｺﾞｳ ﾀﾛｳ"},
              {"sex", "1"},
              {"birth_date", "1980-02-17"},
              {"registered_for_insurance_use", "2024-05-01"},
              {"cards", Json::array({Json{{"certificate_sha256", std::string(64, 'a')}}})},
              {"qualifications", Json::array({Json{{"id", "taro-kyokai"},
                                                   {"insurer_number", "01130012"},
                                                   {"symbol", "12345678"},
                                                   {"number", "1001"},
                                                   {"branch", "00"},
                                                   {"qualification_date", "2020-04-01"},
                                                   {"filed_on", "2020-03-25"},
                                                   {"limit_application", {{"LimitApplicationCertificateClassificationFlag", "A03"}}},
                                                   {"eligibility_certificates",
                                                    Json::array({Json{{"issued_on", "2024-12-02"}, {"valid_until", "2029-03-31"}}})}}})},
              {"consents", Json::array({Json{{"medical_institution_code", "1312345678"}, {"at", "2025-12-01T23:00:00Z"}}})}};
}

std::string error_of(const std::string& text) {
  try {
    Fixture::parse(text, ".");
  } catch (const FixtureError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("fixture errors name the place and the rule") {
  Json p = taro();
  p["qualifications"][0]["filed_on"] = "2020/03/25";
  CHECK_THAT(error_of(fixture_text(Json::array({p}))), Catch::Contains("people[0].qualifications[0].filed_on: not a YYYY-MM-DD date"));
  p = taro();
  p["qualifications"][0]["insurer_number"] = "0113";
  CHECK_THAT(error_of(fixture_text(Json::array({p}))), Catch::Contains("insurer_number: must be 8 digits"));
  p = taro();
  p["qualifications"][0]["disqualification_date"] = "2019-01-01";
  CHECK_THAT(error_of(fixture_text(Json::array({p}))), Catch::Contains("must be after qualification_date"));
  p = taro();
  p["sex"] = "M";
  CHECK_THAT(error_of(fixture_text(Json::array({p}))), Catch::Contains("people[0].sex"));
  CHECK_THAT(error_of(fixture_text(Json::array({taro(), taro()}))), Catch::Contains("'taro' is used twice"));
  p = taro();
  p["cards"][0] = Json{{"card_file", "no-such-card.json"}};
  CHECK_THAT(error_of(fixture_text(Json::array({p}))), Catch::Contains("people[0].cards[0]"));
  CHECK_THAT(error_of(R"({"format":"something-else","version":1})"), Catch::Contains("fixture.format"));
  CHECK_THAT(error_of("{"), Catch::Contains("not valid JSON"));
  CHECK_THAT(error_of(fixture_text(Json::array(), Json::array({Json{{"issuer", "CN=x"}, {"serial", "xyz"}}}))),
             Catch::Contains("revocations[0].serial"));
}

TEST_CASE("the database holds the fixture and answers the service's questions") {
  const Fixture f = Fixture::parse(fixture_text(Json::array({taro()}), Json::array({Json{{"issuer", "CN=JPKI"}, {"serial", "0x01A"}}})), ".");
  EligibilityDatabase db(":memory:");
  db.load(f);

  const auto card = db.card_by_certificate(std::string(64, 'a'));
  REQUIRE(card);
  REQUIRE(card->person_id);
  const auto person = db.person(*card->person_id);
  REQUIRE(person);
  CHECK(person->key == "taro");
  CHECK(person->registered_for_insurance_use == d("2024-05-01"));
  CHECK_FALSE(db.card_by_certificate(std::string(64, 'b')));

  const auto quals = db.qualifications_of(person->id);
  REQUIRE(quals.size() == 1);
  CHECK(quals[0].insurer_number == "01130012");
  CHECK(quals[0].limit_application.at("LimitApplicationCertificateClassificationFlag") == "A03");
  REQUIRE(quals[0].eligibility_certificates.size() == 1);
  CHECK(quals[0].eligibility_certificates[0].valid_until == d("2029-03-31"));

  const auto candidates = db.candidates("01130012", "12345678", "1001");
  REQUIRE(candidates.size() == 1);
  CHECK(candidates[0].person.key == "taro");
  CHECK(db.candidates("01130012", "12345678", "9999").empty());

  CHECK(db.revocation("CN=JPKI", "1A"));
  CHECK_FALSE(db.revocation("CN=JPKI", "1B"));

  // The fixture consent (2025-12-01T23:00Z) is available for 24 hours.
  CHECK(db.current_consent(person->id, "1312345678", sys_days{d("2025-12-02")} + std::chrono::hours{22}));
  CHECK_FALSE(db.current_consent(person->id, "1312345678", sys_days{d("2025-12-02")} + std::chrono::hours{23}));
  CHECK_FALSE(db.current_consent(person->id, "9999999999", sys_days{d("2025-12-02")}));

  // Registration is recorded once; loading the fixture again resets the world but keeps the audit.
  Json unregistered = taro();
  unregistered.erase("registered_for_insurance_use");
  db.load(Fixture::parse(fixture_text(Json::array({unregistered})), "."));
  const auto again = db.person(db.card_by_certificate(std::string(64, 'a'))->person_id.value());
  CHECK_FALSE(again->registered_for_insurance_use);
  db.register_insurance_use(again->id, d("2025-12-02"), "kiosk 1312345678");
  db.register_insurance_use(again->id, d("2025-12-03"), "kiosk 1312345678");
  CHECK(db.person(again->id)->registered_for_insurance_use == d("2025-12-02"));

  db.audit({0, sys_days{d("2025-12-02")}, "CN=kiosk", "1312345678", "confirm", "pin", "ab", "taro", "ok", "", "x"});
  db.load(f);
  const auto audit = db.audit_tail(10);
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].operation == "confirm");
  CHECK(audit[0].at == sys_days{d("2025-12-02")});

  db.store_answer("terminal", "req-1", {"consent", 200, "{}"}, sys_days{d("2025-12-02")});
  const auto stored = db.stored_answer("terminal", "req-1");
  REQUIRE(stored);
  CHECK(stored->operation == "consent");
  CHECK_FALSE(db.stored_answer("other-terminal", "req-1"));
  CHECK_THROWS_AS(db.store_answer("terminal", "req-1", {"consent", 200, "{}"}, sys_days{d("2025-12-02")}), DatabaseError);
}

TEST_CASE("the sample fixture loads, with the card holders from their card files") {
  test::TempDir dir;
  const auto card_file = dir.path() / "cards" / "taro.card.json";
  std::filesystem::create_directories(card_file.parent_path());
  test::test_card_profile().save(card_file);
  const std::string text = sample_fixture({dir.path() / "eligibility", dir.path() / "ca", {card_file}, d("2025-12-02")});
  std::filesystem::create_directories(dir.path() / "eligibility");
  const Fixture f = Fixture::parse(text, dir.path() / "eligibility");
  REQUIRE(f.jpki_ca);
  CHECK(std::filesystem::weakly_canonical(*f.jpki_ca) == std::filesystem::weakly_canonical(dir.path() / "ca"));
  REQUIRE(f.people.size() >= 6);
  CHECK(f.people[0].person.name == "番号\u3000太郎");
  REQUIRE(f.people[0].cards.size() == 1);
  CHECK(f.people[0].cards[0].certificate_sha256.size() == 64);
  EligibilityDatabase db(":memory:");
  db.load(f);
  CHECK(db.card_by_certificate(f.people[0].cards[0].certificate_sha256));
  // The number-path people are there: the twins share their numbers.
  CHECK(db.candidates("01130012", "888", "99").size() == 2);

  // What `kiosk sim` uses: PKI and sample fixture made once, an edited fixture kept.
  const auto service_dir = dir.path() / "world" / "eligibility";
  const auto made = prepare_directory(service_dir, dir.path() / "ca", {card_file}, "1312345678", std::chrono::system_clock::now());
  CHECK(made == service_dir / "fixture.json");
  for (const char* file : {"service-ca.pem", "server.pem", "server.key", "terminal.pem", "terminal.key", "fixture.json"}) {
    CHECK(std::filesystem::exists(service_dir / file));
  }
  { std::ofstream(made) << fixture_text(Json::array({taro()})); }
  prepare_directory(service_dir, dir.path() / "ca", {card_file}, "1312345678", std::chrono::system_clock::now());
  CHECK(Fixture::load(made).people.size() == 1);
}

TEST_CASE("nonces are single use, bound to their terminal, and expire") {
  const TimePoint t0 = sys_days{d("2025-12-02")};
  SessionStore store(std::chrono::seconds{180}, std::chrono::seconds{1800}, 3, 10);
  const auto a = store.issue_nonce("terminal-A", t0);
  REQUIRE(a);
  CHECK(a->nonce.size() == 32);
  CHECK(a->expires_at == t0 + std::chrono::seconds{180});
  CHECK(store.consume_nonce("terminal-B", a->nonce, t0) == SessionStore::NonceUse::Unknown);
  CHECK(store.consume_nonce("terminal-A", a->nonce, t0) == SessionStore::NonceUse::Fresh);
  CHECK(store.consume_nonce("terminal-A", a->nonce, t0) == SessionStore::NonceUse::Replayed);
  CHECK(store.consume_nonce("terminal-A", Bytes(32, 0), t0) == SessionStore::NonceUse::Unknown);

  const auto late = store.issue_nonce("terminal-A", t0);
  REQUIRE(late);
  CHECK(store.consume_nonce("terminal-A", late->nonce, t0 + std::chrono::seconds{180}) == SessionStore::NonceUse::Expired);
  CHECK(store.consume_nonce("terminal-A", late->nonce, t0 + std::chrono::seconds{181}) == SessionStore::NonceUse::Replayed);

  // At most 3 unused nonces per terminal; expired ones stop counting.
  REQUIRE(store.issue_nonce("terminal-C", t0));
  REQUIRE(store.issue_nonce("terminal-C", t0));
  REQUIRE(store.issue_nonce("terminal-C", t0));
  CHECK_FALSE(store.issue_nonce("terminal-C", t0));
  CHECK(store.issue_nonce("terminal-D", t0));
  CHECK(store.issue_nonce("terminal-C", t0 + std::chrono::seconds{200}));
}

TEST_CASE("tickets and sessions belong to their terminal and expire") {
  const TimePoint t0 = sys_days{d("2025-12-02")};
  SessionStore store(std::chrono::seconds{180}, std::chrono::seconds{1800}, 10, 10);
  const std::string ticket = store.create_ticket({"A", "card", 7, "pin", {}, t0 + std::chrono::seconds{600}});
  CHECK(store.ticket(ticket, "A", t0));
  CHECK_FALSE(store.ticket(ticket, "B", t0));
  CHECK_FALSE(store.ticket(ticket, "A", t0 + std::chrono::seconds{600}));
  store.remove_ticket(ticket);
  CHECK_FALSE(store.ticket(ticket, "A", t0));

  const std::string session = store.create_session({"A", "card", 7, "pin", {}, std::nullopt, t0 + std::chrono::seconds{1800}});
  CHECK(session.rfind("c-", 0) == 0);
  store.set_prescription(session, 2);
  const auto s = store.session(session, "A", t0);
  REQUIRE(s);
  CHECK(s->prescription == 2);
  CHECK_FALSE(store.session(session, "B", t0));
}

TEST_CASE("a terminal keeps only its last nonces, the used ones too") {
  // Used nonces are kept to tell a replay (NONCE_REPLAYED) from a stranger (NONCE_UNKNOWN), both
  // refused. By lifetime alone the soak benchmark's runner held three minutes of them, 8,500.
  const TimePoint t0 = sys_days{d("2025-12-02")};
  SessionStore store(std::chrono::seconds{180}, std::chrono::seconds{1800}, 3, 10);
  std::vector<Bytes> used;
  for (int i = 0; i < 5; ++i) {
    const auto n = store.issue_nonce("A", t0);
    REQUIRE(n);
    REQUIRE(store.consume_nonce("A", n->nonce, t0) == SessionStore::NonceUse::Fresh);
    used.push_back(n->nonce);
  }
  CHECK(store.consume_nonce("A", used[0], t0) == SessionStore::NonceUse::Unknown);
  CHECK(store.consume_nonce("A", used[1], t0) == SessionStore::NonceUse::Unknown);
  CHECK(store.consume_nonce("A", used[2], t0) == SessionStore::NonceUse::Replayed);
  CHECK(store.consume_nonce("A", used[4], t0) == SessionStore::NonceUse::Replayed);
  const auto fresh = store.issue_nonce("A", t0);
  REQUIRE(fresh);
  CHECK(store.consume_nonce("A", used[2], t0) == SessionStore::NonceUse::Unknown);
  CHECK(store.consume_nonce("A", fresh->nonce, t0) == SessionStore::NonceUse::Fresh);
}

TEST_CASE("a terminal keeps only its last sessions, however long they would live") {
  // The soak benchmark's console kiosk made a session every reception and each lived its 30
  // minutes: half an hour of receptions held in memory. Bounded by count, the oldest goes first.
  const TimePoint t0 = sys_days{d("2025-12-02")};
  SessionStore store(std::chrono::seconds{180}, std::chrono::seconds{1800}, 10, 3);
  std::vector<std::string> a;
  for (int i = 0; i < 5; ++i) {
    a.push_back(store.create_session({"A", "card", 7, "pin", {}, std::nullopt, t0 + std::chrono::seconds{1800 + i}}));
  }
  const std::string b = store.create_session({"B", "card", 8, "pin", {}, std::nullopt, t0 + std::chrono::seconds{1800}});
  CHECK_FALSE(store.session(a[0], "A", t0));
  CHECK_FALSE(store.session(a[1], "A", t0));
  CHECK(store.session(a[2], "A", t0));
  CHECK(store.session(a[4], "A", t0));
  CHECK(store.session(b, "B", t0));  // another terminal's sessions do not count
}

TEST_CASE("stored answers are forgotten when too old or too many for their terminal") {
  const TimePoint t0 = sys_days{d("2025-12-02")};
  EligibilityDatabase db(":memory:");
  for (int i = 0; i < 5; ++i) {
    db.store_answer("A", "req-" + std::to_string(i), {"consent", 200, "{}"}, t0 + std::chrono::seconds{i});
  }
  db.store_answer("B", "req-0", {"consent", 200, "{}"}, t0);
  // Stored in the same second: the order they came in decides.
  db.store_answer("A", "req-5", {"consent", 200, "{}"}, t0 + std::chrono::seconds{4});

  db.forget_answers("A", t0 + std::chrono::seconds{1}, 1000);  // older than the second second
  CHECK_FALSE(db.stored_answer("A", "req-0"));
  CHECK(db.stored_answer("A", "req-1"));
  CHECK(db.stored_answer("B", "req-0"));  // another terminal's answers stay

  db.forget_answers("A", t0, 2);  // the newest two
  CHECK_FALSE(db.stored_answer("A", "req-3"));
  CHECK(db.stored_answer("A", "req-4"));
  CHECK(db.stored_answer("A", "req-5"));
  CHECK(db.stored_answer("B", "req-0"));
  // A forgotten request id is free again.
  CHECK_NOTHROW(db.store_answer("A", "req-0", {"register", 200, "{}"}, t0 + std::chrono::seconds{5}));
}

TEST_CASE("look-ups end their read, so the WAL restarts after each checkpoint") {
  // A look-up that returned its one row left its statement stepped, which kept a read open on the
  // connection: no checkpoint could restart the WAL, and it grew with every write (39 MB after
  // 1,000 receptions of the soak benchmark's runner, one more mapping every 4096 frames).
  test::TempDir dir;
  const auto file = dir.path() / "eligibility.sqlite3";
  EligibilityDatabase db(file.string());
  db.load(Fixture::parse(fixture_text(Json::array({taro()})), "."));
  const TimePoint t0 = sys_days{d("2025-12-02")};
  const std::string detail(2000, 'x');
  for (int i = 0; i < 3000; ++i) {  // ~3,000 pages written, three times the auto-checkpoint's 1,000
    REQUIRE(db.card_by_certificate(std::string(64, 'a')));
    const auto person = db.person(*db.card_by_certificate(std::string(64, 'a'))->person_id);
    REQUIRE(person);
    db.current_consent(person->id, "1312345678", t0);
    db.stored_answer("terminal", "req-1");
    db.audit({0, t0, "CN=kiosk", "1312345678", "confirm", "pin", "ab", "taro", "ok", "", detail});
  }
  const auto wal = std::filesystem::file_size(file.string() + "-wal");
  CHECK(wal < 6'000'000);  // 1,000 pages of 4 KB and the last commit's, not every page written
}

TEST_CASE("the OQS result: consents, 24-hour availability, suspended viewing, hidden losses") {
  PersonRecord p;
  p.name = "番号　太郎";
  p.sex = "1";
  p.birth_date = d("1980-02-17");
  QualificationRecord q;
  q.card_classification = "01";
  q.insurer_number = "01130012";
  q.number = "1001";
  q.qualification_date = d("2020-04-01");
  q.filed_on = d("2020-04-01");
  q.disqualification_date = d("2025-12-01");
  q.loss_filed_on = d("2025-11-28");  // visible from 2025-12-05
  q.reason_of_loss = "03";
  q.limit_application = {{"LimitApplicationCertificateClassificationFlag", "A03"}};
  q.public_expense = Json::array({Json{{"TicketType", "1"}, {"MedicalTreatmentMonth", "202512"}}});
  Evaluation e;
  e.validity = Validity::Valid;
  e.shown = {q};
  const TimePoint now = sys_days{d("2025-12-02")};
  ResultContext c;
  c.now = now;
  c.medical_institution_code = "1312345678";
  c.viewing_consent = ConsentRecord{1, "1312345678", true, now - std::chrono::hours{1}, now + std::chrono::hours{23}};
  c.notices = {{10, "W1001", "証明書の期限が近づいています。"}};

  const Json r = oqs_result(e, {{&p, &e.shown[0]}}, c);
  const Json& body = r.at("MessageBody");
  const Json& item = body.at("ResultList").at(0);
  CHECK(body.at("QualificationValidity") == "1");
  CHECK(body.at("ProcessingResultCode") == "W1001");
  CHECK(item.at("PharmacistsInfoConsFlg") == "1");
  CHECK(item.at("PharmacistsInfoConsTime") == oqs_time(now - std::chrono::hours{1}));
  CHECK(item.at("PharmacistsInfoAvailableTime") == oqs_time(now + std::chrono::hours{23}));
  CHECK(item.at("LimitApplicationCertificateRelatedConsFlg") == "1");
  CHECK(item.at("LimitApplicationCertificateRelatedInfo").at("LimitApplicationCertificateClassificationFlag") == "A03");
  CHECK_FALSE(item.contains("DisqualificationDate"));  // the loss is not known before 2025-12-05
  CHECK_FALSE(item.contains("ReasonOfLoss"));
  CHECK(item.at("PublicExpenseResultList").at(0).at("MedicalTreatmentMonth") == "202512");

  c.viewing_suspended = true;
  const Json suspended = oqs_result(e, {{&p, &e.shown[0]}}, c);
  CHECK(suspended.at("MessageBody").at("ProcessingResultCode") == "W1003");
  CHECK_THAT(suspended.at("MessageBody").at("ProcessingResultMessage").get<std::string>(), Catch::Contains("証明書の期限"));
  CHECK(suspended.at("MessageBody").at("ResultList").at(0).at("PharmacistsInfoConsFlg") == "0");
  CHECK_FALSE(suspended.at("MessageBody").at("ResultList").at(0).contains("PharmacistsInfoConsTime"));

  // Number path without the 限度額 flag: no limit information.
  ResultContext numbers;
  numbers.now = now;
  numbers.card_path = false;
  numbers.reference_classification = 2;
  const Json n = oqs_result(e, {{&p, &e.shown[0]}}, numbers);
  CHECK(n.at("MessageHeader").at("ReferenceClassification") == "2");
  CHECK(n.at("MessageBody").at("ResultList").at(0).at("LimitApplicationCertificateRelatedConsFlg") == "0");
  CHECK_FALSE(n.at("MessageBody").at("ResultList").at(0).contains("LimitApplicationCertificateRelatedInfo"));
}

TEST_CASE("fixture: InsuredPartialContributionRatio is for 後期高齢者医療 only, 70-74 use the 高齢受給者証") {
  Json p = taro();
  p["qualifications"][0]["contribution_ratio"] = "030";  // what the old sample gave every adult
  CHECK_THAT(error_of(fixture_text(Json::array({p}))),
             Catch::Contains("people[0].qualifications[0].contribution_ratio: is InsuredPartialContributionRatio") &&
                 Catch::Contains("elderly.ElderlyRecipientContributionRatio"));
  p["qualifications"][0]["insurer_number"] = "39131008";
  p["qualifications"][0]["contribution_ratio"] = "010";
  CHECK(error_of(fixture_text(Json::array({p}))) == "no error");
  p["qualifications"][0]["contribution_ratio"] = "10";
  CHECK_THAT(error_of(fixture_text(Json::array({p}))), Catch::Contains("must be \"010\", \"020\" or \"030\""));
  p = taro();
  p["qualifications"][0]["elderly"] = {{"ElderlyRecipientContributionRatio", "2割"}};
  CHECK_THAT(error_of(fixture_text(Json::array({p}))), Catch::Contains("elderly.ElderlyRecipientContributionRatio"));
  p["qualifications"][0]["elderly"] = {{"ElderlyRecipientContributionRatio", "020"}, {"ElderlyRecipientValidEndDate", "2026-07-31"}};
  CHECK_THAT(error_of(fixture_text(Json::array({p}))), Catch::Contains("elderly.ElderlyRecipientValidEndDate: not a YYYYMMDD date"));
  p = taro();
  p["qualifications"][0]["limit_application"]["LimitApplicationCertificateValidEndDate"] = "July";
  CHECK_THAT(error_of(fixture_text(Json::array({p}))), Catch::Contains("limit_application.LimitApplicationCertificateValidEndDate"));
}

TEST_CASE("the result leaves out sub-records that ended or have not started on the service's day") {
  PersonRecord p;
  p.name = "高齢　五郎";
  p.birth_date = d("1954-05-10");
  QualificationRecord q;
  q.insurer_number = "00138123";
  q.number = "1";
  q.qualification_date = d("2015-04-01");
  q.filed_on = d("2015-04-01");
  q.elderly = {{"ElderlyRecipientValidStartDate", "20250801"}, {"ElderlyRecipientValidEndDate", "20260731"},
               {"ElderlyRecipientContributionRatio", "020"}};
  q.limit_application = {{"LimitApplicationCertificateClassificationFlag", "A03"},
                         {"LimitApplicationCertificateValidStartDate", "20250801"},
                         {"LimitApplicationCertificateValidEndDate", "20260731"}};
  q.specific_diseases = Json::array({Json{{"SpecificDiseasesDiseaseCategory", "1"}, {"SpecificDiseasesValidEndDate", "20260731"}},
                                     Json{{"SpecificDiseasesDiseaseCategory", "2"}, {"SpecificDiseasesValidStartDate", "20260801"}}});
  q.public_expense = Json::array({Json{{"TicketType", "1"}, {"MedicalTicketValidDate", "20261201"}, {"MedicalTicketExpirationDate", "20261231"}}});
  Evaluation e;
  e.validity = Validity::Valid;
  e.shown = {q};
  auto item_on = [&](const char* iso) {
    ResultContext c;
    c.now = sys_days{d(iso)} + std::chrono::hours{1};
    c.medical_institution_code = "1312345678";
    return oqs_result(e, {{&p, &e.shown[0]}}, c).at("MessageBody").at("ResultList").at(0);
  };
  // The last day of the period: everything that ran to 2026-07-31 is current.
  const Json july = item_on("2026-07-31");
  CHECK(july.at("ElderlyRecipientCertificateInfo").at("ElderlyRecipientContributionRatio") == "020");
  CHECK(july.at("LimitApplicationCertificateRelatedInfo").at("LimitApplicationCertificateClassificationFlag") == "A03");
  REQUIRE(july.at("SpecificDiseasesCertificateList").size() == 1);
  CHECK(july.at("SpecificDiseasesCertificateList").at(0).at("SpecificDiseasesDiseaseCategory") == "1");
  CHECK_FALSE(july.contains("PublicExpenseResultList"));
  // 2026-12-06: the records that ended on 2026-07-31 are not answered as current any more.
  const Json december = item_on("2026-12-06");
  CHECK_FALSE(december.contains("ElderlyRecipientCertificateInfo"));
  CHECK_FALSE(december.contains("LimitApplicationCertificateRelatedInfo"));
  REQUIRE(december.at("SpecificDiseasesCertificateList").size() == 1);
  CHECK(december.at("SpecificDiseasesCertificateList").at(0).at("SpecificDiseasesDiseaseCategory") == "2");
  CHECK(december.at("PublicExpenseResultList").size() == 1);
  CHECK_FALSE(december.contains("InsuredPartialContributionRatio"));
}

TEST_CASE("the sample fixture's dates follow its day: records current on any day, the expired 資格確認書 expired") {
  test::TempDir dir;
  std::vector<std::filesystem::path> cards;
  for (int i = 0; i < 8; ++i) {
    const auto file = dir.path() / "cards" / ("card-" + std::to_string(i) + ".card.json");
    std::filesystem::create_directories(file.parent_path());
    test::numbered_card_profile(i).save(file);
    cards.push_back(file);
  }
  std::filesystem::create_directories(dir.path() / "eligibility");
  for (const char* today : {"2025-12-02", "2026-07-31", "2026-08-01", "2026-12-06", "2031-02-28"}) {
    INFO(today);
    const std::string text = sample_fixture({dir.path() / "eligibility", dir.path() / "ca", cards, d(today)});
    const Json json = Json::parse(text);
    CHECK(sample_generator(json) == kSampleGenerator);
    const Fixture f = Fixture::parse(text, dir.path() / "eligibility");
    auto by_key = [&](const std::string& key) -> const QualificationRecord& {
      for (const auto& person : f.people) {
        for (const auto& q : person.qualifications) {
          if (q.key == key) return q;
        }
      }
      FAIL("no qualification " << key);
      throw std::logic_error("unreachable");
    };
    const Date day = d(today);
    auto within = [&](const Json& record, const char* from, const char* to) {
      const auto start = hal::calendar::parse_yyyymmdd(record.at(from).get<std::string>());
      const auto end = hal::calendar::parse_yyyymmdd(record.at(to).get<std::string>());
      return start && end && sys_days{*start} <= sys_days{day} && sys_days{day} <= sys_days{*end};
    };
    // Only the 後期高齢者 has InsuredPartialContributionRatio; the 72-year-old's 2割 is in his
    // current 高齢受給者証; the 限度額 区分 is current.
    for (const auto& person : f.people) {
      for (const auto& q : person.qualifications) {
        INFO(q.key);
        CHECK(q.contribution_ratio.empty() == (q.insurer_number.compare(0, 2, "39") != 0));
      }
    }
    CHECK(by_key("card-holder-7-kouki").contribution_ratio == "010");
    CHECK(within(by_key("card-holder-6-kokuho").elderly, "ElderlyRecipientValidStartDate", "ElderlyRecipientValidEndDate"));
    CHECK(by_key("card-holder-6-kokuho").elderly.at("ElderlyRecipientContributionRatio") == "020");
    CHECK(within(by_key("card-holder-8-kyokai").limit_application, "LimitApplicationCertificateValidStartDate",
                 "LimitApplicationCertificateValidEndDate"));
    CHECK(within(by_key("saburo-kokuho").elderly, "ElderlyRecipientValidStartDate", "ElderlyRecipientValidEndDate"));
    CHECK(by_key("card-holder-1-kyokai").limit_application.is_null());
    // 資格確認書: 花子's is valid two years ahead, 次郎's ended before today.
    CHECK(sys_days{by_key("hanako-kenpo").eligibility_certificates.at(0).valid_until} > sys_days{day} + std::chrono::days{365});
    CHECK(sys_days{by_key("jiro-kenpo").eligibility_certificates.at(0).valid_until} < sys_days{day});
    // The twins are before school; the old card's holder is 72.
    for (const auto& person : f.people) {
      if (person.person.key == "sakura") CHECK(sys_days{person.person.birth_date} > sys_days{day} - std::chrono::days{6 * 365});
      if (person.person.key == "saburo") {
        CHECK(sys_days{person.person.birth_date} < sys_days{day} - std::chrono::days{72 * 365});
        CHECK(sys_days{person.person.birth_date} > sys_days{day} - std::chrono::days{73 * 365});
      }
    }
  }
}
