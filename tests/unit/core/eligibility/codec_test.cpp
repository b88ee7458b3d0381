// The protocol codec: value formats, request bodies, strict decoding of the service's answers.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/eligibility/attestation.hpp"
#include "core/eligibility/codec.hpp"
#include "hal/calendar.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using Json = nlohmann::json;

namespace {

Date d(const char* iso) { return *hal::calendar::parse_iso_date(iso); }
Timestamp utc(const char* iso) { return parse_utc(iso); }

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

Qualification full_qualification() {
  Qualification q;
  q.insured_card_classification = "01";
  q.insurer_number = "01130012";
  q.insured_card_symbol = "12345678";
  q.insured_identification_number = "1001";
  q.insured_branch_number = "00";
  q.personal_family = PersonalFamily::Insured;
  q.insured_name = "番号　太郎";
  q.name = "番号　太郎";
  q.name_of_other = "番号　太郎";
  q.name_kana = "ﾊﾞﾝｺﾞｳ ﾀﾛｳ";
  q.name_of_other_kana = "ﾊﾞﾝｺﾞｳ ﾀﾛｳ";
  q.sex1 = Sex::Male;
  q.sex2 = Sex::Unset;
  q.birthdate = d("1980-02-17");
  q.address = "東京都千代田区霞が関１－２－２";
  q.post_number = "100-8916";
  q.qualification_date = d("2020-04-01");
  q.disqualification_date = d("2026-04-01");
  q.insured_certificate_issuance_date = d("2020-04-05");
  q.insured_card_valid_date = d("2020-04-01");
  q.insured_card_expiration_date = d("2027-03-31");
  q.insured_partial_contribution_ratio = "030";
  q.preschool_classification = "2";
  q.reason_of_loss = "03";
  q.insurer_name = "全国健康保険協会東京支部";
  q.elderly_recipient = ElderlyRecipientCertificate{d("2025-07-01"), d("2025-08-01"), d("2026-07-31"), "020"};
  q.limit_application_consent = {ConsentFlag::Given, utc("2025-12-02T00:30:15Z"), std::nullopt};
  q.limit_application = LimitApplicationCertificate{"01", "A03", d("2025-07-01"), d("2025-08-01"), d("2026-07-31"), d("2025-10-01")};
  q.specific_diseases_consent = {ConsentFlag::Given, utc("2025-12-02T00:30:15Z"), std::nullopt};
  q.specific_diseases = {SpecificDiseaseCertificate{"1", d("2024-04-01"), d("2024-04-01"), d("2026-03-31"), "10000"},
                         SpecificDiseaseCertificate{"3", std::nullopt, d("2025-01-01"), std::nullopt, "20000"}};
  MedicalTicket ticket;
  ticket.ticket_type = "1";
  ticket.valid_date = d("2025-12-01");
  ticket.expiration_date = d("2025-12-31");
  ticket.issue_number = "0001234";
  ticket.medical_treatment_month = "202512";
  ticket.designated_medical_institution_code = "1312345678";
  ticket.self_pay_amount = "0";
  ticket.remarks3 = "備考";
  q.public_expense_results = {ticket};
  const Consent viewing{ConsentFlag::Given, utc("2025-12-02T00:30:15Z"), utc("2025-12-03T00:30:15Z")};
  q.specific_health_checkups = viewing;
  q.pharmacists = viewing;
  q.diagnosis = viewing;
  q.operation = viewing;
  return q;
}

Confirmation full_confirmation() {
  Confirmation c;
  c.confirmation_id = "c-0123456789abcdef";
  c.method = ConfirmationMethod::Pin;
  OqsResult r;
  r.header.process_execution_time = utc("2025-12-02T00:30:15Z");
  r.header.qualification_confirmation_date = d("2025-12-02");
  r.header.medical_institution_code = "1312345678";
  r.header.reference_classification = ReferenceClassification::MyNumberCard;
  r.body.prescription_issue_select = PrescriptionIssue::Electronic;
  r.body.processing_result_status = ProcessingResultStatus::Normal;
  r.body.processing_result_code = "W1001";
  r.body.processing_result_message = "利用者証明用電子証明書の有効期限が近づいています。";
  r.body.qualification_validity = QualificationValidity::Valid;
  r.body.results = {full_qualification()};
  c.result = r;
  c.card_certificate = CardCertificateNotice{CardCertificateState::ExpiringSoon, d("2026-01-15"), std::nullopt};
  c.medical_information_viewing_suspended = false;
  return c;
}

}  // namespace

TEST_CASE("base64 follows RFC 4648 and rejects anything else") {
  CHECK(base64_encode(bytes_of("")) == "");
  CHECK(base64_encode(bytes_of("f")) == "Zg==");
  CHECK(base64_encode(bytes_of("fo")) == "Zm8=");
  CHECK(base64_encode(bytes_of("foo")) == "Zm9v");
  CHECK(base64_encode(bytes_of("foobar")) == "Zm9vYmFy");
  CHECK(base64_decode("Zm9vYmE=") == bytes_of("fooba"));
  CHECK(base64_decode("Zg==") == bytes_of("f"));
  CHECK(base64_decode("") == Bytes{});
  const Bytes binary{0x00, 0xFF, 0x10, 0x80, 0x7F};
  CHECK(base64_decode(base64_encode(binary)) == binary);
  CHECK_THROWS_AS(base64_decode("Zg="), CodecError);
  CHECK_THROWS_AS(base64_decode("Zm9v YmFy"), CodecError);
  CHECK_THROWS_AS(base64_decode("Zm9-"), CodecError);
  CHECK_THROWS_AS(base64_decode("Z=9v"), CodecError);
}

TEST_CASE("OQS times are written in Japan time") {
  CHECK(format_jst(utc("2025-12-02T00:30:15Z")) == "20251202093015");
  CHECK(format_jst(utc("2025-12-01T15:00:00Z")) == "20251202000000");
  CHECK(parse_jst("20251202000000") == utc("2025-12-01T15:00:00Z"));
  CHECK(japan_date(utc("2025-12-01T14:59:59Z")) == d("2025-12-01"));
  CHECK(japan_date(utc("2025-12-01T15:00:00Z")) == d("2025-12-02"));
  CHECK_THROWS_AS(parse_jst("2025120200000"), CodecError);
  CHECK_THROWS_AS(parse_jst("20251332000000"), CodecError);
  CHECK_THROWS_AS(parse_date("20250230"), CodecError);
  CHECK_THROWS_AS(parse_utc("2025-12-01 15:00:00Z"), CodecError);
}

TEST_CASE("a confirmation survives encoding and decoding unchanged") {
  const Confirmation c = full_confirmation();
  const Confirmation back = codec::decode_confirmation(codec::encode_confirmation(c));
  CHECK(back == c);

  Confirmation offer;
  offer.method = ConfirmationMethod::Face;
  offer.registration_offer = RegistrationOffer{"t-abc", utc("2025-12-02T00:40:15Z"), "登録しますか？"};
  CHECK(codec::decode_confirmation(codec::encode_confirmation(offer)) == offer);
}

TEST_CASE("the result object uses the OQS element names and string values") {
  const Json j = codec::to_json(*full_confirmation().result);
  const Json& body = j.at("MessageBody");
  CHECK(j.at("MessageHeader").at("ProcessExecutionTime") == "20251202093015");
  CHECK(j.at("MessageHeader").at("ReferenceClassification") == "1");
  CHECK(body.at("QualificationValidity") == "1");
  CHECK(body.at("ProcessingResultStatus") == "1");
  CHECK(body.at("PrescriptionIssueSelect") == "1");
  const Json& q = body.at("ResultList").at(0);
  CHECK(q.at("InsuredPartialContributionRatio") == "030");
  CHECK(q.at("PharmacistsInfoConsFlg") == "1");
  CHECK(q.at("PharmacistsInfoAvailableTime") == "20251203093015");
  CHECK(q.at("LimitApplicationCertificateRelatedInfo").at("LimitApplicationCertificateClassificationFlag") == "A03");
  CHECK(q.at("SpecificDiseasesCertificateList").size() == 2);
  CHECK(q.at("PublicExpenseResultList").at(0).at("MedicalTreatmentMonth") == "202512");
  CHECK(q.at("ElderlyRecipientCertificateInfo").at("ElderlyRecipientContributionRatio") == "020");
  CHECK_FALSE(q.contains("LimitApplicationCertificateRelatedAvailableTime"));
}

TEST_CASE("decoding refuses answers that break the protocol") {
  const std::string good = codec::encode_confirmation(full_confirmation());
  auto with = [&](const std::function<void(Json&)>& change) {
    Json j = Json::parse(good);
    change(j);
    return j.dump();
  };
  CHECK_THROWS_AS(codec::decode_confirmation("not json"), CodecError);
  CHECK_THROWS_AS(codec::decode_confirmation("[1,2]"), CodecError);
  CHECK_THROWS_WITH(codec::decode_confirmation(with([](Json& j) { j["api_version"] = 2; })),
                    Catch::Contains("unsupported api_version 2"));
  CHECK_THROWS_WITH(codec::decode_confirmation(with([](Json& j) { j.erase("api_version"); })), Catch::Contains("api_version"));
  CHECK_THROWS_WITH(codec::decode_confirmation(with([](Json& j) { j["result"]["MessageBody"]["QualificationValidity"] = "7"; })),
                    Catch::Contains("QualificationValidity: unknown code '7'"));
  CHECK_THROWS_WITH(codec::decode_confirmation(with([](Json& j) { j["result"]["MessageBody"]["QualificationValidity"] = 1; })),
                    Catch::Contains("not a string"));
  CHECK_THROWS_WITH(codec::decode_confirmation(with([](Json& j) { j["result"]["MessageBody"].erase("ProcessingResultStatus"); })),
                    Catch::Contains("ProcessingResultStatus is missing"));
  CHECK_THROWS_WITH(codec::decode_confirmation(with([](Json& j) { j["result"]["MessageBody"].erase("QualificationValidity"); })),
                    Catch::Contains("QualificationValidity is missing"));
  CHECK_THROWS_WITH(codec::decode_confirmation(with([](Json& j) {
                      j["result"]["MessageBody"]["ResultList"][0]["Birthdate"] = "19800230";
                    })),
                    Catch::Contains("ResultList[0].Birthdate"));
  CHECK_THROWS_WITH(codec::decode_confirmation(with([](Json& j) { j.erase("result"); })),
                    Catch::Contains("neither a result nor a registration offer"));
  CHECK_THROWS_WITH(codec::decode_confirmation(with([](Json& j) { j["method"] = "telepathy"; })),
                    Catch::Contains("unknown method"));
  // Unknown fields are allowed within version 1.
  CHECK_NOTHROW(codec::decode_confirmation(with([](Json& j) { j["result"]["MessageBody"]["FutureField"] = "x"; })));
}

TEST_CASE("an error answer yields its structured error, anything else does not") {
  const auto e = codec::decode_error(
      R"({"api_version":1,"error":{"code":"NONCE_REPLAYED","message":"使用済みです","retryable":false,"detail":"used"}})");
  REQUIRE(e);
  CHECK(e->code == "NONCE_REPLAYED");
  CHECK(e->message == "使用済みです");
  CHECK_FALSE(e->retryable);
  CHECK(e->detail == "used");
  CHECK_FALSE(codec::decode_error("<html>502 Bad Gateway</html>"));
  CHECK_FALSE(codec::decode_error(R"({"error":"oops"})"));
}

TEST_CASE("challenge and health answers") {
  const auto c = codec::decode_challenge(R"({"api_version":1,"nonce":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","expires_at":"2025-12-02T00:33:15Z"})");
  CHECK(c.nonce.size() == 32);
  CHECK(c.nonce[31] == 0x1F);
  CHECK(c.expires_at == utc("2025-12-02T00:33:15Z"));
  CHECK_THROWS_WITH(codec::decode_challenge(R"({"api_version":1,"nonce":"AAEC","expires_at":"2025-12-02T00:33:15Z"})"),
                    Catch::Contains("shorter than 16"));
  const auto h = codec::decode_health(R"({"api_version":1,"status":"ok","service":"x/1","time":"2025-12-02T00:33:15Z"})");
  CHECK(h.status == "ok");
  CHECK(h.time == utc("2025-12-02T00:33:15Z"));
}

TEST_CASE("request bodies") {
  codec::ConfirmRequest r;
  r.method = ConfirmationMethod::Pin;
  r.card_certificate = {0x30, 0x82};
  r.nonce = {1, 2, 3};
  r.card_signature = {9, 9};
  const Json pin = Json::parse(codec::encode(r));
  CHECK(pin.at("api_version") == 1);
  CHECK(pin.at("method") == "pin");
  CHECK(pin.at("card_certificate") == "MII=");
  CHECK(pin.at("nonce") == "AQID");
  CHECK(pin.at("card_signature") == "CQk=");
  CHECK_FALSE(pin.contains("attestation"));

  NumberLookup l;
  l.document = PresentedDocument::HealthInsuranceCard;
  l.insurer_number = "01130012";
  l.insured_card_symbol = "記号1";
  l.insured_identification_number = "1001";
  l.birthdate = d("1980-02-17");
  const Json lookup = Json::parse(codec::encode_lookup("req-00000001", l));
  CHECK(lookup.at("document") == "health-insurance-card");
  CHECK(lookup.at("request_id") == "req-00000001");
  const Json& info = lookup.at("QualificationConfirmSearchInfo");
  CHECK(info.at("InsurerNumber") == "01130012");
  CHECK(info.at("InsuredCardSymbol") == "記号1");
  CHECK(info.at("Birthdate") == "19800217");
  CHECK(info.at("LimitApplicationCertificateRelatedConsFlg") == "0");
  CHECK_FALSE(info.contains("InsuredBranchNumber"));

  const Json consent = Json::parse(codec::encode_consent("req-00000002", "c-1", {true, PrescriptionIssue::Paper}));
  CHECK(consent.at("medical_information") == true);
  CHECK(consent.at("PrescriptionIssueSelect") == "2");
  CHECK(consent.at("confirmation_id") == "c-1");
}

TEST_CASE("attestation statements bind the nonce, the card and the evidence") {
  const Bytes nonce(32, 0xAB);
  const Bytes cert{0x30, 0x03, 0x02, 0x01, 0x01};
  const Bytes face = make_attestation_statement(FaceMatchEvidence{0.83, 0.6, Liveness::Passed, "sface", {}}, nonce, cert,
                                                utc("2025-12-02T00:30:15Z"));
  const Json f = Json::parse(face.begin(), face.end());
  CHECK(f.at("format") == "kiosk-attestation");
  CHECK(f.at("method") == "face");
  CHECK(f.at("nonce") == base64_encode(nonce));
  CHECK(f.at("card_certificate_sha256") == sha256_hex(cert));
  CHECK(f.at("face").at("liveness") == "passed");
  CHECK(f.at("face").at("score").get<double>() == Approx(0.83));

  const Bytes visual = make_attestation_statement(VisualCheckEvidence{"staff-7", "injury"}, nonce, cert, utc("2025-12-02T00:30:15Z"));
  CHECK(Json::parse(visual.begin(), visual.end()).at("visual").at("staff_id") == "staff-7");
  CHECK_THROWS_AS(make_attestation_statement(VisualCheckEvidence{"", ""}, nonce, cert, utc("2025-12-02T00:30:15Z")),
                  std::invalid_argument);
  CHECK_THROWS_AS(make_attestation_statement(FaceMatchEvidence{std::nan(""), 0.6, Liveness::Passed, "", {}}, nonce, cert,
                                             utc("2025-12-02T00:30:15Z")),
                  std::invalid_argument);
}
