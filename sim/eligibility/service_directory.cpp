// The service's directory: its PKI (service CA, server and terminal certificates), the
// fixture, and the options that run a service from them.
#include <fstream>

#include "hal/files.hpp"
#include "sim/eligibility/service.hpp"
#include "sim/eligibility/service_pki.hpp"

namespace kiosk::sim::eligibility {

namespace fs = std::filesystem;

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
  try {
    hal::write_file_atomically(fixture, text, 0644);
  } catch (const std::system_error& e) {
    throw ServiceError(e.what());
  }
  return fixture;
}

}  // namespace kiosk::sim::eligibility
