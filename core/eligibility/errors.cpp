#include "core/eligibility/errors.hpp"

namespace kiosk::core::eligibility {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::ServiceUnreachable: return "service-unreachable";
    case ErrorKind::Timeout: return "timeout";
    case ErrorKind::ConnectionLost: return "connection-lost";
    case ErrorKind::ServerUntrusted: return "server-untrusted";
    case ErrorKind::ServerCertificateExpired: return "server-certificate-expired";
    case ErrorKind::TerminalRefused: return "terminal-refused";
    case ErrorKind::TlsFailure: return "tls-failure";
    case ErrorKind::Configuration: return "configuration";
    case ErrorKind::Rejected: return "rejected";
    case ErrorKind::ServerError: return "server-error";
    case ErrorKind::MalformedReply: return "malformed-reply";
    case ErrorKind::InvalidRequest: return "invalid-request";
  }
  return "unknown";
}

namespace {
std::string what_of(const EligibilityError::Details& d) {
  std::string out = std::string(to_string(d.kind)) + " [" + d.code + "]";
  if (d.http_status != 0) out += " HTTP " + std::to_string(d.http_status);
  if (!d.detail.empty()) out += ": " + d.detail;
  return out;
}
}  // namespace

EligibilityError::EligibilityError(Details details) : std::runtime_error(what_of(details)), d_(std::move(details)) {}

bool EligibilityError::counter_fallback() const noexcept {
  switch (d_.kind) {
    case ErrorKind::ServiceUnreachable:
    case ErrorKind::Timeout:
    case ErrorKind::ConnectionLost:
    case ErrorKind::ServerUntrusted:
    case ErrorKind::ServerCertificateExpired:
    case ErrorKind::TerminalRefused:
    case ErrorKind::TlsFailure:
    case ErrorKind::Configuration:
    case ErrorKind::ServerError:
    case ErrorKind::MalformedReply:
      return true;
    case ErrorKind::Rejected:
      // Refusals about the terminal itself leave the patient without an answer, too.
      return d_.code == codes::kTerminalNotAuthorized || d_.code == codes::kUnsupportedVersion ||
             d_.code == codes::kUnavailable;
    case ErrorKind::InvalidRequest:
      return false;
  }
  return true;
}

}  // namespace kiosk::core::eligibility
