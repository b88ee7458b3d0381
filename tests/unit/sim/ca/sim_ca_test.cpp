// The simulated JPKI CA: its roots, the certificates it issues, persistence and CRLs.
#include <catch2/catch.hpp>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/crypto/certificate.hpp"
#include "core/crypto/digest.hpp"
#include "core/crypto/trust_store.hpp"
#include "sim/ca/jpki_ca.hpp"
#include "sim/ca/rsa_key.hpp"

using namespace kiosk;
using namespace kiosk::core::crypto;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace {

using TimePoint = system_clock::time_point;
const TimePoint kNow = sys_days{year{2026} / April / 1} + hours{8} + minutes{30};

fs::path unique_dir(const char* tag) {
  return fs::temp_directory_path() / (std::string("kiosk-simca-") + tag + "-" + to_hex(random_bytes(8), '\0'));
}

struct TempDir {
  fs::path path;
  explicit TempDir(const char* tag) : path(unique_dir(tag)) {}
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// One CA per test process; tests that change files use copies of its directory.
struct Fixture {
  TempDir dir{"main"};
  sim::ca::SimulatedJpkiCa ca = sim::ca::SimulatedJpkiCa::create(dir.path, kNow);
  sim::ca::RsaKey holder = sim::ca::RsaKey::generate();
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// A copy of the fixture's CA directory to damage.
void copy_ca(const fs::path& to) {
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(fixture().dir.path)) {
    fs::copy_file(entry.path(), to / entry.path().filename());
  }
}

bool critical(const Certificate& cert, int nid) {
  const int index = X509_get_ext_by_NID(cert.native(), nid, -1);
  REQUIRE(index >= 0);
  return X509_EXTENSION_get_critical(X509_get_ext(cert.native(), index)) == 1;
}

Bytes octets(const ASN1_OCTET_STRING* s) {
  const unsigned char* data = ASN1_STRING_get0_data(s);
  return Bytes(data, data + ASN1_STRING_length(s));
}

std::vector<std::string> crl_urls(const Certificate& cert) {
  std::vector<std::string> urls;
  std::unique_ptr<CRL_DIST_POINTS, decltype(&CRL_DIST_POINTS_free)> points(
      static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(cert.native(), NID_crl_distribution_points, nullptr, nullptr)),
      CRL_DIST_POINTS_free);
  if (!points) return urls;
  for (int i = 0; i < sk_DIST_POINT_num(points.get()); ++i) {
    const DIST_POINT* point = sk_DIST_POINT_value(points.get(), i);
    if (point->distpoint == nullptr || point->distpoint->type != 0) continue;
    const GENERAL_NAMES* names = point->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, j);
      if (name->type != GEN_URI) continue;
      const auto* uri = name->d.uniformResourceIdentifier;
      urls.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                        static_cast<std::size_t>(ASN1_STRING_length(uri)));
    }
  }
  return urls;
}

}  // namespace

TEST_CASE("create() makes two self-signed RSA-2048 JPKI roots and the state files") {
  auto& f = fixture();
  for (const char* name : {"auth-ca.pem", "auth-ca.key", "sign-ca.pem", "sign-ca.key", "ca.json"}) {
    INFO(name);
    CHECK(fs::is_regular_file(f.dir.path / name));
  }
  const auto key_perms = fs::status(f.dir.path / "auth-ca.key").permissions();
  CHECK((key_perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);

  const Certificate auth = Certificate::from_der(f.ca.auth_ca_certificate_der());
  const Certificate sign = Certificate::from_der(f.ca.sign_ca_certificate_der());
  CHECK(auth.subject() == "OU=Kiosk simulator,OU=JPKI for user authentication,O=JPKI-SIM,C=JP");
  CHECK(sign.subject() == "OU=Kiosk simulator,OU=JPKI for digital signature,O=JPKI-SIM,C=JP");
  CHECK(Certificate::from_pem(read_file(f.dir.path / "auth-ca.pem")) == auth);
  CHECK(f.ca.ca_certificate_der(sim::ca::CaKind::DigitalSignature) == sign.der());

  for (const Certificate& root : {auth, sign}) {
    INFO(root.subject());
    CHECK(root.is_ca());
    CHECK(root.is_self_signed());
    CHECK(root.public_key_bits() == 2048);
    CHECK(X509_get_signature_nid(root.native()) == NID_sha256WithRSAEncryption);
    CHECK(root.not_before() == kNow);
    CHECK(root.not_after() == sys_days{year{2036} / April / 1} + hours{8} + minutes{30});
    CHECK(critical(root, NID_basic_constraints));
    CHECK(critical(root, NID_key_usage));
    CHECK(X509_get_key_usage(root.native()) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
    REQUIRE(X509_get0_subject_key_id(root.native()) != nullptr);
    CHECK(X509_get0_subject_key_id(root.native())->length == 20);
  }
  CHECK(auth.serial_hex() != sign.serial_hex());
}

TEST_CASE("create() refuses to overwrite an existing CA") {
  auto& f = fixture();
  CHECK_THROWS_AS(sim::ca::SimulatedJpkiCa::create(f.dir.path, kNow), sim::ca::CaError);
  CHECK_THROWS_WITH(sim::ca::SimulatedJpkiCa::create(f.dir.path, kNow), Catch::Contains("already exists"));
}

TEST_CASE("the user-authentication certificate has the JPKI profile") {
  auto& f = fixture();
  const Bytes der = f.ca.issue_auth_certificate(f.holder, "997794E9AGCIEG13221003A", kNow, kNow + days{1800});
  REQUIRE(der.size() >= 256);
  REQUIRE(der.size() <= 65535);
  CHECK(der[0] == 0x30);
  CHECK(der[1] == 0x82);
  const Certificate cert = Certificate::from_der(der);
  const Certificate root = Certificate::from_der(f.ca.auth_ca_certificate_der());

  CHECK(cert.subject() == "CN=997794E9AGCIEG13221003A,C=JP");
  CHECK(X509_NAME_entry_count(X509_get_subject_name(cert.native())) == 2);  // no name, no address
  CHECK(cert.issuer() == root.subject());
  CHECK(cert.public_key_bits() == 2048);
  CHECK(X509_get_signature_nid(cert.native()) == NID_sha256WithRSAEncryption);
  CHECK(X509_verify(cert.native(), X509_get0_pubkey(root.native())) == 1);
  CHECK_FALSE(cert.is_ca());
  CHECK(critical(cert, NID_key_usage));
  CHECK(X509_get_key_usage(cert.native()) == KU_DIGITAL_SIGNATURE);
  CHECK(X509_get_extended_key_usage(cert.native()) == XKU_SSL_CLIENT);
  REQUIRE(X509_get0_authority_key_id(cert.native()) != nullptr);
  CHECK(octets(X509_get0_authority_key_id(cert.native())) == octets(X509_get0_subject_key_id(root.native())));
  CHECK(crl_urls(cert) == std::vector<std::string>{"http://127.0.0.1/jpki-sim/auth.crl"});
  CHECK(X509_get_ext_by_NID(cert.native(), NID_subject_alt_name, -1) < 0);
}

TEST_CASE("the digital-signature certificate carries the basic four items in subjectAltName") {
  auto& f = fixture();
  sim::ca::SignHolder holder;
  holder.name = "山田 太郎";
  holder.sex = "1";
  holder.birth_date = "19800215";
  holder.address = "東京都清瀬市上清戸一丁目1番1号";
  holder.locality = "Kiyose-shi";
  const Certificate cert =
      Certificate::from_der(f.ca.issue_sign_certificate(f.holder, holder, kNow, kNow + days{1800}));
  const Certificate root = Certificate::from_der(f.ca.sign_ca_certificate_der());

  CHECK(cert.issuer() == root.subject());
  CHECK(X509_verify(cert.native(), X509_get0_pubkey(root.native())) == 1);
  CHECK_THAT(cert.subject(), Catch::StartsWith("CN=SIM") && Catch::EndsWith(",L=Kiyose-shi,C=JP"));
  CHECK(critical(cert, NID_key_usage));
  CHECK(X509_get_key_usage(cert.native()) == (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
  CHECK(crl_urls(cert) == std::vector<std::string>{"http://127.0.0.1/jpki-sim/sign.crl"});

  std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.native(), NID_subject_alt_name, nullptr, nullptr)),
      GENERAL_NAMES_free);
  REQUIRE(names);
  std::vector<std::pair<std::string, std::string>> entries;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    REQUIRE(name->type == GEN_OTHERNAME);
    char oid[64];
    REQUIRE(OBJ_obj2txt(oid, sizeof oid, name->d.otherName->type_id, 1) > 0);
    const ASN1_TYPE* value = name->d.otherName->value;
    REQUIRE(value->type == V_ASN1_UTF8STRING);
    const ASN1_UTF8STRING* text = value->value.utf8string;
    entries.emplace_back(oid, std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                                          static_cast<std::size_t>(ASN1_STRING_length(text))));
  }
  const std::vector<std::pair<std::string, std::string>> expected{
      {"1.2.392.200149.8.5.5.1", "山田 太郎"},
      {"1.2.392.200149.8.5.5.3", "1"},
      {"1.2.392.200149.8.5.5.4", "19800215"},
      {"1.2.392.200149.8.5.5.5", "東京都清瀬市上清戸一丁目1番1号"}};
  CHECK(entries == expected);

  SECTION("bad holder data is refused") {
    auto bad = holder;
    bad.sex = "M";
    CHECK_THROWS_AS(f.ca.issue_sign_certificate(f.holder, bad, kNow, kNow + days{10}), std::invalid_argument);
    bad = holder;
    bad.birth_date = "19800230";
    CHECK_THROWS_AS(f.ca.issue_sign_certificate(f.holder, bad, kNow, kNow + days{10}), std::invalid_argument);
    bad = holder;
    bad.address.clear();
    CHECK_THROWS_AS(f.ca.issue_sign_certificate(f.holder, bad, kNow, kNow + days{10}), std::invalid_argument);
  }
}

TEST_CASE("issuing checks its input and gives every certificate its own serial") {
  auto& f = fixture();
  std::set<std::string> serials;
  const auto first = f.ca.next_serial();
  for (int i = 0; i < 3; ++i) {
    serials.insert(Certificate::from_der(
                       f.ca.issue_auth_certificate(f.holder, "UNIQUE" + std::to_string(i), kNow, kNow + days{10}))
                       .serial_hex());
  }
  CHECK(serials.size() == 3);
  CHECK(f.ca.next_serial() == first + 3);

  CHECK_THROWS_AS(f.ca.issue_auth_certificate(f.holder, "X", kNow, kNow), std::invalid_argument);
  CHECK_THROWS_AS(f.ca.issue_auth_certificate(f.holder, "", kNow, kNow + days{1}), std::invalid_argument);
  const auto small_key = sim::ca::RsaKey::generate(1024);
  CHECK_THROWS_AS(f.ca.issue_auth_certificate(small_key, "X", kNow, kNow + days{1}), std::invalid_argument);
  CHECK(f.ca.next_serial() == first + 3);  // refused requests use no serial
}

TEST_CASE("open() after create() round-trips the CA, serials and revocations") {
  auto& f = fixture();
  const Certificate cert =
      Certificate::from_der(f.ca.issue_auth_certificate(f.holder, "ROUNDTRIP", kNow, kNow + days{100}));
  f.ca.revoke(cert.serial_hex(), kNow + hours{1});
  CHECK(f.ca.is_revoked(cert.serial_hex()));
  CHECK(f.ca.is_revoked("0x" + cert.serial_hex()));  // any hex spelling

  const auto reopened = sim::ca::SimulatedJpkiCa::open(f.dir.path);
  CHECK(reopened.auth_ca_certificate_der() == f.ca.auth_ca_certificate_der());
  CHECK(reopened.sign_ca_certificate_der() == f.ca.sign_ca_certificate_der());
  CHECK(reopened.next_serial() == f.ca.next_serial());
  CHECK(reopened.is_revoked(cert.serial_hex()));
  CHECK(reopened.revoked_serials(sim::ca::CaKind::UserAuthentication) == f.ca.revoked_serials(sim::ca::CaKind::UserAuthentication));
  CHECK(reopened.revoked_serials(sim::ca::CaKind::DigitalSignature).empty());

  // The reopened CA signs with the same key: its CRL verifies with the stored root.
  const Crl crl = Crl::from_der(reopened.crl_der(sim::ca::CaKind::UserAuthentication, kNow + hours{2}));
  CHECK(crl.issued_by(Certificate::from_der(f.ca.auth_ca_certificate_der())));

  CHECK_THROWS_AS(f.ca.revoke("7FFFFFFF", kNow), sim::ca::CaError);  // never issued
  CHECK_THROWS_AS(f.ca.revoke("not hex", kNow), std::invalid_argument);
}

TEST_CASE("open() refuses missing, corrupt or mismatched files with a clear error") {
  TempDir copy("damaged");
  copy_ca(copy.path);
  REQUIRE_NOTHROW(sim::ca::SimulatedJpkiCa::open(copy.path));

  SECTION("corrupt ca.json") {
    write_file(copy.path / "ca.json", "{ \"next_serial\": ");
    CHECK_THROWS_WITH(sim::ca::SimulatedJpkiCa::open(copy.path), Catch::Contains("corrupt ca.json"));
  }
  SECTION("ca.json with wrong types") {
    write_file(copy.path / "ca.json",
               R"({"format":"kiosk-jpki-sim-ca","version":1,"next_serial":"seven","issued":[],"revoked":[]})");
    CHECK_THROWS_AS(sim::ca::SimulatedJpkiCa::open(copy.path), sim::ca::CaError);
  }
  SECTION("ca.json that revokes a serial never issued") {
    write_file(copy.path / "ca.json",
               R"({"format":"kiosk-jpki-sim-ca","version":1,"next_serial":2,"issued":[],)"
               R"("revoked":[{"serial":"01","ca":"auth","revoked_at":"2026-04-01T00:00:00Z"}]})");
    CHECK_THROWS_WITH(sim::ca::SimulatedJpkiCa::open(copy.path), Catch::Contains("never issued"));
  }
  SECTION("missing key") {
    fs::remove(copy.path / "sign-ca.key");
    CHECK_THROWS_WITH(sim::ca::SimulatedJpkiCa::open(copy.path), Catch::Contains("sign-ca.key"));
  }
  SECTION("a key that belongs to the other root") {
    fs::copy_file(copy.path / "auth-ca.key", copy.path / "sign-ca.key", fs::copy_options::overwrite_existing);
    CHECK_THROWS_WITH(sim::ca::SimulatedJpkiCa::open(copy.path), Catch::Contains("does not belong"));
  }
  SECTION("a corrupt certificate") {
    write_file(copy.path / "auth-ca.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    CHECK_THROWS_WITH(sim::ca::SimulatedJpkiCa::open(copy.path), Catch::Contains("auth-ca.pem"));
  }
  SECTION("no directory") {
    CHECK_THROWS_AS(sim::ca::SimulatedJpkiCa::open(copy.path / "nothing"), sim::ca::CaError);
  }
}

TEST_CASE("crl_der lists the revoked serials of that CA only, signed by it") {
  auto& f = fixture();
  sim::ca::SignHolder holder{"佐藤 花子", "", "2", "19900101", "清瀬市", "", "Kiyose-shi", "SIGNCRLTEST"};
  const Certificate auth = Certificate::from_der(f.ca.issue_auth_certificate(f.holder, "CRLTEST", kNow, kNow + days{100}));
  const Certificate sign = Certificate::from_der(f.ca.issue_sign_certificate(f.holder, holder, kNow, kNow + days{100}));
  CHECK(sign.subject() == "CN=SIGNCRLTEST,L=Kiyose-shi,C=JP");
  f.ca.revoke(auth.serial_hex(), kNow + minutes{5});
  f.ca.revoke(sign.serial_hex(), kNow + minutes{6});
  f.ca.revoke(auth.serial_hex(), kNow + days{3});  // again: no change

  const TimePoint at = kNow + hours{1};
  const Crl auth_crl = Crl::from_der(f.ca.crl_der(sim::ca::CaKind::UserAuthentication, at));
  const Crl sign_crl = Crl::from_der(f.ca.crl_der(sim::ca::CaKind::DigitalSignature, at));
  const Certificate auth_root = Certificate::from_der(f.ca.auth_ca_certificate_der());
  const Certificate sign_root = Certificate::from_der(f.ca.sign_ca_certificate_der());

  CHECK(auth_crl.issued_by(auth_root));
  CHECK_FALSE(auth_crl.issued_by(sign_root));
  CHECK(sign_crl.issued_by(sign_root));
  CHECK(auth_crl.issuer() == auth_root.subject());
  CHECK(auth_crl.this_update() == at);
  CHECK(auth_crl.next_update() == std::optional<TimePoint>(at + days{1}));
  CHECK(X509_CRL_get_signature_nid(auth_crl.native()) == NID_sha256WithRSAEncryption);

  const auto auth_serials = auth_crl.revoked_serials();
  const auto sign_serials = sign_crl.revoked_serials();
  CHECK(std::find(auth_serials.begin(), auth_serials.end(), auth.serial_hex()) != auth_serials.end());
  CHECK(std::find(auth_serials.begin(), auth_serials.end(), sign.serial_hex()) == auth_serials.end());
  CHECK(sign_serials == std::vector<std::string>{sign.serial_hex()});

  X509_REVOKED* entry = nullptr;
  REQUIRE(X509_CRL_get0_by_cert(auth_crl.native(), &entry, auth.native()) == 1);
  CHECK(ASN1_TIME_cmp_time_t(X509_REVOKED_get0_revocationDate(entry),
                             system_clock::to_time_t(kNow + minutes{5})) == 0);
}

TEST_CASE("RsaKey: PEM round trip, public key and modulus") {
  auto& f = fixture();
  const std::string pem = f.holder.to_pem();
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);  // PKCS#8, unencrypted
  const sim::ca::RsaKey back = sim::ca::RsaKey::from_pem(pem);
  CHECK(back.modulus() == f.holder.modulus());
  CHECK(back.public_key_der() == f.holder.public_key_der());
  CHECK(back.bits() == 2048);
  CHECK(back.size_bytes() == 256);

  const Bytes n = f.holder.modulus();
  REQUIRE(n.size() == 256);
  CHECK((n[0] & 0x80) != 0);
  CHECK((n[255] & 0x01) != 0);

  const Bytes spki = f.holder.public_key_der();
  const unsigned char* p = spki.data();
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())),
                                                          EVP_PKEY_free);
  REQUIRE(key);
  CHECK(EVP_PKEY_eq(key.get(), f.holder.native()) == 1);

  // The issued certificate carries exactly this public key.
  const Certificate cert = Certificate::from_der(f.ca.issue_auth_certificate(f.holder, "PUBKEY", kNow, kNow + days{1}));
  CHECK(EVP_PKEY_eq(X509_get0_pubkey(cert.native()), key.get()) == 1);

  CHECK_THROWS_AS(sim::ca::RsaKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
                  sim::ca::KeyError);
  CHECK_THROWS_AS(sim::ca::RsaKey::from_pem(read_file(f.dir.path / "auth-ca.pem")), sim::ca::KeyError);
}
