#include "tests/eligibility_it/world.hpp"

#include <fstream>
#include <thread>

#include "core/crypto/digest.hpp"
#include "sim/ca/jpki_ca.hpp"
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
    p["cards"] = Json::array({Json{{"certificate_sha256", elig::sha256_hex(h.card.auth.certificate)}}});
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
