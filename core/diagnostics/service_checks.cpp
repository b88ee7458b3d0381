#include "core/diagnostics/service_checks.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/crypto/certificate.hpp"
#include "core/eligibility/errors.hpp"
#include "hal/calendar.hpp"

namespace kiosk::core::diagnostics {
namespace {

using Kind = hal::TransportErrorKind;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

constexpr const char* kArea = "service";

std::string ms(milliseconds d) { return std::to_string(d.count()) + " ms"; }

std::string day_of(TimePoint t) {
  return hal::calendar::format_iso_date(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t)});
}

// What the technician does about a transport failure.
std::string advice(Kind kind) {
  switch (kind) {
    case Kind::NetworkUnreachable:
      return "check the network cable and the line to the eligibility service (VPN / IP-VPN router), and the host name "
             "in the configuration";
    case Kind::ConnectionRefused:
      return "the host answers but the service does not listen on that port: check eligibility.port, or whether the "
             "service (or its gateway) is down";
    case Kind::ConnectTimeout:
    case Kind::Timeout:
      return "no answer: check the router and firewall on the way to the service; if others are affected, the service "
             "may be down (check its status notices)";
    case Kind::ConnectionLost:
      return "the connection broke: check the line's stability; if it persists, contact the line provider";
    case Kind::TlsServerUntrusted:
      return "the server is not the eligibility service known to this kiosk: check the host name and the service CA "
             "file (eligibility.ca_certificate); a proxy that intercepts TLS must not be in the way";
    case Kind::TlsServerCertificateExpired:
      return "the server's certificate is expired or not yet valid: check the kiosk's clock first, then report it to "
             "the service operator";
    case Kind::TlsServerNameMismatch:
      return "the server's certificate is issued to another name: configure the host name the certificate names";
    case Kind::TlsClientCertificateRefused:
      return "the service refused this terminal's certificate (expired, revoked, or from another CA): install the "
             "terminal certificate issued for this kiosk";
    case Kind::TlsHandshakeFailed:
      return "TLS could not be agreed: check that nothing between kiosk and service alters the connection, then "
             "report the OpenSSL reason to the vendor";
    case Kind::Configuration:
      return "fix the terminal certificate, key or service CA files named in the configuration (readable PEM, key "
             "matching the certificate)";
    case Kind::ResponseTooLarge:
      return "the service sent more than the protocol's answers ever are: report it to the service operator with "
             "--bundle (a broken or hostile gateway in the way?)";
  }
  return "call the vendor";
}

CheckResult reachability(const hal::ServiceProbeFacts& p, const ServiceCheckSettings& s) {
  const std::string name = "reachability";
  if (!p.connected) {
    const Kind kind = p.connect_failure.value_or(Kind::NetworkUnreachable);
    return {kArea, name, Status::Fail, p.endpoint + ": " + p.connect_error + " (" + hal::to_string(kind) + ")", advice(kind)};
  }
  const std::string measured = p.endpoint + ": TCP connection in " + ms(p.connect_time);
  if (p.connect_time > s.slow_connect) {
    return {kArea, name, Status::Warn, measured + ", slower than " + ms(s.slow_connect),
            "the line is slow: check the router and the line's load; patients wait for every request"};
  }
  return {kArea, name, Status::Pass, measured, ""};
}

CheckResult handshake(const hal::ServiceProbeFacts& p, const ServiceCheckSettings& s) {
  const std::string name = "TLS handshake";
  if (!p.connected) return {kArea, name, Status::Skip, "not connected", ""};
  if (p.handshake_failure) {
    const std::string time = p.handshake_attempted ? " after " + ms(p.handshake_time) : "";
    return {kArea, name, Status::Fail, p.handshake_error + time + " (" + hal::to_string(*p.handshake_failure) + ")",
            advice(*p.handshake_failure)};
  }
  const std::string measured = p.tls_version + " " + p.cipher + " with the terminal certificate, accepted, in " + ms(p.handshake_time);
  if (p.handshake_time > s.slow_handshake) {
    return {kArea, name, Status::Warn, measured + ", slower than " + ms(s.slow_handshake),
            "the line or the service is slow: check the line's load"};
  }
  return {kArea, name, Status::Pass, measured, ""};
}

// Validity and days left of a certificate at `now`.
CheckResult validity(const std::string& name, const core::crypto::Certificate& cert, TimePoint now, const ServiceCheckSettings& s,
                     const std::string& renew) {
  const auto days_left = std::chrono::floor<std::chrono::days>(cert.not_after() - now).count();
  const std::string who = cert.subject();
  if (now < cert.not_before()) {
    return {kArea, name, Status::Fail, who + ": not valid before " + day_of(cert.not_before()),
            "check the kiosk's clock (date and time zone); if it is right, the certificate was issued wrongly: " + renew};
  }
  if (now >= cert.not_after()) {
    return {kArea, name, Status::Fail, who + ": expired on " + day_of(cert.not_after()), renew};
  }
  const std::string measured = who + ": valid until " + day_of(cert.not_after()) + " (" + std::to_string(days_left) + " days left)";
  if (days_left < s.certificate_warning_days) return {kArea, name, Status::Warn, measured, renew + " before it expires"};
  return {kArea, name, Status::Pass, measured, ""};
}

CheckResult server_certificate(const hal::ServiceProbeFacts& p, TimePoint now, const ServiceCheckSettings& s) {
  const std::string name = "server certificate";
  if (p.server_certificate.empty()) {
    return {kArea, name, Status::Skip, p.handshake_attempted ? "the server sent no certificate" : "no handshake", ""};
  }
  try {
    const core::crypto::Certificate cert = core::crypto::Certificate::from_der(p.server_certificate);
    if (!p.server_trusted) {
      return {kArea, name, Status::Fail,
              cert.subject() + " issued by " + cert.issuer() + ": " + p.server_verify_error + " (against the pinned service CA)",
              advice(p.handshake_failure.value_or(Kind::TlsServerUntrusted))};
    }
    return validity(name, cert, now, s, "the service operator must renew its certificate: report it");
  } catch (const std::exception& e) {
    return {kArea, name, Status::Fail, std::string("unreadable: ") + e.what(), advice(Kind::TlsHandshakeFailed)};
  }
}

CheckResult terminal_certificate(const hal::ServiceProbeFacts& p, TimePoint now, const ServiceCheckSettings& s) {
  const std::string name = "terminal certificate";
  const std::string renew = "request a new terminal certificate for this kiosk and install it (eligibility.terminal_certificate and key)";
  if (p.terminal_certificate.empty()) {
    return {kArea, name, Status::Fail, p.terminal_certificate_error, advice(Kind::Configuration)};
  }
  try {
    return validity(name, core::crypto::Certificate::from_der(p.terminal_certificate), now, s, renew);
  } catch (const std::exception& e) {
    return {kArea, name, Status::Fail, std::string("unreadable: ") + e.what(), advice(Kind::Configuration)};
  }
}

std::vector<CheckResult> answer_checks(const HealthFacts& h, const ServiceCheckSettings& s) {
  if (!h.health) {
    return {{kArea, "service answer", Status::Fail, "GET /v1/health: " + h.error, h.advice},
            {kArea, "clock offset", Status::Skip, "no answer from the service", ""}};
  }
  std::vector<CheckResult> out;
  const core::eligibility::ServiceHealth& health = *h.health;
  const std::string measured = "\"" + health.service + "\", status " + health.status + ", api_version " +
                               std::to_string(health.api_version);
  if (health.api_version != s.api_version) {
    out.push_back({kArea, "service answer", Status::Fail, measured + ", this kiosk speaks " + std::to_string(s.api_version),
                   "update the kiosk firmware to a version that speaks the service's protocol"});
  } else if (health.status != "ok") {
    out.push_back({kArea, "service answer", Status::Warn, measured,
                   "the service reports trouble: patients may be sent to the counter; check the service's notices"});
  } else {
    out.push_back({kArea, "service answer", Status::Pass, measured, ""});
  }

  if (!health.time) {
    out.push_back({kArea, "clock offset", Status::Skip, "the service sent no time", ""});
    return out;
  }
  // The service read its clock somewhere between asking and answering: take the middle, and
  // its 1 s resolution, as the uncertainty.
  const auto middle = h.asked + (h.answered - h.asked) / 2;
  const auto offset = duration_cast<milliseconds>(middle - *health.time - milliseconds{500});
  const auto uncertainty = duration_cast<milliseconds>(h.answered - h.asked) / 2 + milliseconds{500};
  const auto magnitude = milliseconds{std::abs(offset.count())};
  char seconds_text[32];
  std::snprintf(seconds_text, sizeof seconds_text, "%.1f", static_cast<double>(magnitude.count()) / 1000.0);
  const std::string clocks = ", kiosk " + hal::calendar::format_iso8601_utc(middle) + ", service " + hal::calendar::format_iso8601_utc(*health.time);
  const std::string measured_offset =
      magnitude <= uncertainty
          ? "kiosk and service agree within ±" + ms(uncertainty) + clocks
          : "kiosk " + std::string(offset.count() >= 0 ? "ahead of" : "behind") + " the service by " + seconds_text +
                " s (±" + ms(uncertainty) + ")" + clocks;
  const std::string fix = "synchronise the kiosk's clock (NTP: timedatectl set-ntp true; check that the NTP server is reachable)";
  if (magnitude > s.fail_clock_offset) {
    out.push_back({kArea, "clock offset", Status::Fail, measured_offset,
                   fix + "; until then certificate checks and journal times are wrong"});
  } else if (magnitude > s.warn_clock_offset) {
    out.push_back({kArea, "clock offset", Status::Warn, measured_offset, fix});
  } else {
    out.push_back({kArea, "clock offset", Status::Pass, measured_offset, ""});
  }
  return out;
}

}  // namespace

HealthFacts query_health(core::eligibility::EligibilityClient& client, const hal::Clock& clock) {
  HealthFacts h;
  h.asked = clock.now();
  try {
    h.health = client.health();
  } catch (const core::eligibility::EligibilityError& e) {
    h.error = std::string(core::eligibility::to_string(e.kind())) + ": " + e.detail();
    switch (e.kind()) {
      case core::eligibility::ErrorKind::TerminalRefused: h.advice = advice(Kind::TlsClientCertificateRefused); break;
      case core::eligibility::ErrorKind::MalformedReply:
        h.advice = "the service answered in a way this kiosk does not understand (another protocol version?): "
                   "report it to the vendor with a support bundle (kiosk diag --bundle)";
        break;
      case core::eligibility::ErrorKind::ServerError:
        h.advice = "the service reports a failure on its side: try again later and check the service's notices";
        break;
      default: h.advice = e.display_message(); break;
    }
  } catch (const std::exception& e) {
    h.error = e.what();
    h.advice = "call the vendor";
  }
  h.answered = clock.now();
  return h;
}

std::vector<CheckResult> check_service(const hal::ServiceProbeFacts& probe, const HealthFacts& health, TimePoint now,
                                       const ServiceCheckSettings& settings) {
  std::vector<CheckResult> out;
  out.push_back(reachability(probe, settings));
  out.push_back(handshake(probe, settings));
  out.push_back(server_certificate(probe, now, settings));
  out.push_back(terminal_certificate(probe, now, settings));
  if (probe.handshake_ok) {
    for (auto& c : answer_checks(health, settings)) out.push_back(std::move(c));
  } else {
    out.push_back({kArea, "service answer", Status::Skip, "no working TLS connection", ""});
    out.push_back({kArea, "clock offset", Status::Skip, "no working TLS connection", ""});
  }
  return out;
}

CheckResult service_not_configured() {
  return {kArea, "eligibility service", Status::Warn, "not configured (eligibility.host is empty)",
          "configure the eligibility service (host, port, CA, terminal certificate and key); until then every patient "
          "is sent to the counter"};
}

}  // namespace kiosk::core::diagnostics
