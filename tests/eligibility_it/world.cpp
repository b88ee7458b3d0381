#include "tests/eligibility_it/world.hpp"

#include <fstream>
#include <thread>

#include "core/crypto/digest.hpp"
#include "core/crypto/rsa_public_key.hpp"
#include "sim/ca/card_face_ca.hpp"
#include "sim/ca/jpki_ca.hpp"
#include "sim/eligibility/card_face_proof_check.hpp"
#include "sim/eligibility/jpki_verifier.hpp"

namespace kiosk::test::it {

using Json = nlohmann::json;
namespace elig = sim::eligibility;

Json person(const std::string& id, const std::string& birth_date, const std::string& number) {
  return Json{{"id", id},
              {"name", "番号　太郎"},
              {"name_kana", "ﾊﾞﾝｺﾞｳ ﾀﾛｳ"},
              {"sex", "1"},
              {"birth_date", birth_date},
              {"registered_for_insurance_use", "2024-05-01"},
              {"qualifications", Json::array({Json{{"id", id + "-kyokai"},
                                                   {"insurer_number", "01130012"},
                                                   {"insurer_name", "全国健康保険協会東京支部"},
                                                   {"symbol", "12345678"},
                                                   {"number", number},
                                                   {"branch", "00"},
                                                   {"qualification_date", "2020-04-01"},
                                                   {"filed_on", "2020-03-25"},
                                                   {"limit_application",
                                                    {{"LimitApplicationCertificateClassification", "01"},
                                                     {"LimitApplicationCertificateClassificationFlag", "A03"}}}}})}};
}

World::World(std::vector<Holder> holders, std::vector<Json> extra_people, elig::ServiceOptions options) {
  const auto now = std::chrono::system_clock::now();
  pki_ = elig::init_service_directory(dir_.path() / "service", "1312345678", now);

  Json people = Json::array();
  int number = 1001;
  for (const auto& h : holders) {
    Json p = person(h.id, "1980-02-17", std::to_string(number++));
    Json card{{"certificate_sha256", elig::sha256_hex(h.card.auth.certificate)}};
    if (h.card.card_face) card["card_face_key_sha256"] = elig::card_face_key_fingerprint(h.card.card_face->record_card_key);
    p["cards"] = Json::array({card});
    if (!h.registered) p.erase("registered_for_insurance_use");
    p["linkage_under_review"] = h.linkage_under_review;
    people.push_back(std::move(p));
  }
  for (auto& p : extra_people) people.push_back(std::move(p));
  const Json fixture{{"format", "kiosk-eligibility-fixture"}, {"version", 1}, {"people", people}};

  // The test CA's current revocations, as a CRL the service reads at start.
  const auto crl_file = dir_.path() / "auth.crl";
  {
    const auto ca = sim::ca::SimulatedJpkiCa::open(test_ca_directory());
    const Bytes crl = ca.crl_der(sim::ca::CaKind::UserAuthentication, now);
    std::ofstream out(crl_file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(crl.data()), static_cast<std::streamsize>(crl.size()));
  }

  options.host = "127.0.0.1";
  options.port = 0;
  options.tls = {pki_.server_certificate, pki_.server_key, pki_.service_ca};
  options.jpki_ca_certificates = {test_ca_directory() / "auth-ca.pem"};
  options.crl_files = {crl_file};
  if (!options.card_face_anchors) {  // the test CA's J-LIS anchor; an empty path: none
    sim::ca::SimulatedCardFaceCa::open_or_create(test_ca_directory());
    options.card_face_anchors = test_ca_directory() / sim::ca::SimulatedCardFaceCa::kAnchorsFile;
  } else if (options.card_face_anchors->empty()) {
    options.card_face_anchors.reset();
  }
  options.database = ":memory:";
  options.worker_threads = 8;
  options.keep_alive_timeout = std::chrono::seconds{1};  // stop() waits for idle connections that long
  options.clock = [shift = shift_] { return std::chrono::system_clock::now() + std::chrono::seconds{shift->load()}; };
  service_ = std::make_unique<elig::SimulatedEligibilityService>(options, elig::Fixture::parse(fixture.dump(), dir_.path()));
  service_->start();
}

World::~World() { service_->stop(); }

drivers::https::HttpsTransportConfig World::transport_config() const {
  drivers::https::HttpsTransportConfig c;
  c.host = "127.0.0.1";
  c.port = service_->port();
  c.ca_certificate = pki_.service_ca;
  c.client_certificate = pki_.terminal_certificate;
  c.client_key = pki_.terminal_key;
  c.connect_timeout = std::chrono::milliseconds{2000};
  return c;
}

std::unique_ptr<drivers::https::HttpsClientTransport> World::transport() const {
  return std::make_unique<drivers::https::HttpsClientTransport>(transport_config());
}

CardAtReader::CardAtReader(const sim::card::CardProfile& profile, std::string_view pin) {
  readers_.attach_reader("reader");
  readers_.place_card("reader", make_card(profile));
  channel_ = readers_.connect("reader");
  session_ = std::make_unique<core::card::CardSession>(*channel_);
  jpki_ = std::make_unique<core::card::JpkiApplication>(*session_);
  jpki_->select();
  certificate_ = jpki_->read_auth_certificate();
  const core::card::Secret secret(pin);
  if (jpki_->verify_auth_pin(secret).outcome != core::card::VerifyOutcome::Verified) throw std::runtime_error("the test card refused the PIN");
}

CardAtReader::~CardAtReader() = default;

Bytes CardAtReader::sign(ByteView nonce) {
  return jpki_->sign_with_auth_key(core::crypto::sha256_digest_info(core::crypto::sha256(nonce)));
}

CardFaceAtReader::CardFaceAtReader(const sim::card::CardProfile& profile, bool checked) : checked_(checked) {
  readers_.attach_reader("reader");
  readers_.place_card("reader", make_card(profile));
  channel_ = readers_.connect("reader");
  session_ = std::make_unique<core::card::CardSession>(*channel_);
  core::card::JpkiApplication jpki(*session_);
  jpki.select();
  certificate_ = jpki.read_auth_certificate();
  const std::string code_b = profile.code_b.value.value_or("");
  if (checked) {
    const auto anchors = core::genuine_card::CardFaceTrustAnchors::load(
        test_ca_directory() / core::genuine_card::CardFaceTrustAnchors::kFileName);
    core::card::CodeBGuard guard;
    auto opened = core::genuine_card::open_genuine_card_face(*session_, guard, [&] { return core::card::Secret(code_b); }, anchors);
    evidence_ = std::make_unique<core::genuine_card::CardFaceEvidence>(opened.evidence);
    return;
  }
  core::card::CardFaceApplication app(*session_);
  app.select();
  if (app.verify_code_b(core::card::Secret(code_b)).outcome != core::card::VerifyOutcome::Verified) {
    throw std::runtime_error("the test card refused its 照合番号B");
  }
  const core::card::CardFace record = app.read_card_face();
  const core::card::RsaKeyComponents key = core::card::parse_rsa_key_components(record.card_key);
  evidence_ = std::make_unique<core::genuine_card::CardFaceEvidence>(
      app.read_certificate(), record.signed_groups[0], core::crypto::sha256(record.signed_groups[1]),
      core::crypto::sha256(record.signed_groups[2]), record.record_signature,
      core::crypto::RsaPublicKey::from_components(key.modulus, key.exponent));
}

CardFaceAtReader::~CardFaceAtReader() = default;

core::eligibility::FaceMatchEvidence CardFaceAtReader::face_match(double score) const {
  core::eligibility::FaceMatchEvidence e{score, 0.6, core::eligibility::Liveness::Passed, "sface-2021dec", {}};
  e.card_photo_sha256 = evidence_->photo_sha256_hex();
  return e;
}

core::eligibility::CardFaceProof CardFaceAtReader::prove(ByteView nonce) {
  if (checked_) return core::genuine_card::prove_card_face(*session_, *evidence_, nonce, certificate_);
  core::card::CardFaceApplication app(*session_);
  app.select();
  core::eligibility::CardFaceProof p;
  p.card_challenge = app.get_challenge(16);
  p.card_signature = app.sign(core::crypto::sha256_digest_info(
      core::crypto::sha256(core::eligibility::card_face_signed_message(nonce, p.card_challenge, certificate_))));
  p.cvc = evidence_->cvc;
  p.record_group1 = evidence_->record_group1;
  p.group2_sha256 = evidence_->group2_sha256;
  p.group3_sha256 = evidence_->group3_sha256;
  p.record_signature = evidence_->record_signature;
  return p;
}

core::eligibility::EligibilityClient::CardFaceProver CardFaceAtReader::prover() {
  return [this](ByteView nonce) { return prove(nonce); };
}

void RealClock::sleep_for(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

core::eligibility::ClientOptions quick_options() {
  core::eligibility::ClientOptions o;
  o.call_timeout = std::chrono::milliseconds{3000};
  o.operation_deadline = std::chrono::milliseconds{8000};
  o.first_backoff = std::chrono::milliseconds{20};
  o.max_backoff = std::chrono::milliseconds{80};
  return o;
}

}  // namespace kiosk::test::it
