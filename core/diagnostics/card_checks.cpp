#include "core/diagnostics/card_checks.hpp"

#include <algorithm>

#include "core/card/card_error.hpp"
#include "core/card/jpki_application.hpp"
#include "core/crypto/certificate.hpp"
#include "core/crypto/errors.hpp"
#include "hal/calendar.hpp"

namespace kiosk::core::diagnostics {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + ("'" + s + "'");
  return out;
}

CheckResult reader_failure(const std::string& name, const hal::CardError& e) {
  return {"pcsc", name, Status::Fail, std::string(hal::to_string(e.kind())) + ": " + e.what(), e.advice()};
}

// The checks that need the card, in order; stops at the first that cannot go on.
void check_test_card(hal::CardReaderService& readers, const std::string& reader, const core::crypto::TrustStore& trust,
                     std::chrono::system_clock::time_point now, const CardCheckSettings& settings,
                     std::vector<CheckResult>& out) {
  std::unique_ptr<hal::CardChannel> channel;
  try {
    channel = readers.connect(reader);
  } catch (const hal::CardError& e) {
    out.push_back(reader_failure("connect to the card", e));
    return;
  }
  out.push_back({"card", "ATR", Status::Pass, to_hex(channel->atr()), ""});
  core::card::CardSession session(*channel);
  core::card::JpkiApplication jpki(session);
  const auto started = std::chrono::steady_clock::now();
  try {
    try {
      jpki.select();
    } catch (const core::card::CardProtocolError& e) {
      const bool foreign = e.failure() == core::card::CardFailure::NotMyNumberCard;
      out.push_back({"card", "JPKI application", Status::Fail, e.what(),
                     foreign ? "the card on the reader is not a My Number card: use a JPKI test card"
                             : "place the card flat on the reader and run the check again"});
      return;
    }
    out.push_back({"card", "JPKI application", Status::Pass, "selected (" + jpki.read_token_info().label + ")", ""});

    const Bytes der = jpki.read_auth_certificate();
    const auto cert = core::crypto::Certificate::from_der(der);
    const auto report = core::crypto::validate(cert, trust, now, settings.policy);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    const std::string figures = std::to_string(der.size()) + " bytes in " + std::to_string(session.counters().commands) +
                                " APDUs, " + std::to_string(elapsed) + " ms";
    out.push_back({"card", "certificate readable", Status::Pass, figures, ""});
    const std::string expiry = "expires " + hal::calendar::format_iso_date(std::chrono::year_month_day{
                                                std::chrono::floor<std::chrono::days>(report.not_after)}) +
                               " (" + std::to_string(report.days_to_expiry) + " days): " + std::string(core::crypto::to_string(report.status));
    switch (report.status) {
      case core::crypto::ValidationStatus::Valid:
        out.push_back({"card", "certificate validity", Status::Pass, expiry, ""});
        break;
      case core::crypto::ValidationStatus::ExpiringSoon:
      case core::crypto::ValidationStatus::ExpiredInGrace:
        out.push_back({"card", "certificate validity", Status::Warn, expiry, "renew the test card's certificate soon"});
        break;
      case core::crypto::ValidationStatus::Untrusted:
        out.push_back({"card", "certificate validity", Status::Fail, expiry + "; " + report.detail,
                       "the configured JPKI CA certificates do not match this card: check the trust directory"});
        break;
      default:
        out.push_back({"card", "certificate validity", Status::Fail, expiry + "; " + report.detail,
                       "use a test card with a valid certificate"});
        break;
    }

    const core::card::RetryStatus pin = jpki.auth_pin_status();
    const std::string how = " (read with an empty VERIFY: no try spent)";
    switch (pin.state) {
      case core::card::RetryStatus::State::Ready:
        out.push_back({"card", "PIN tries left", pin.tries_left == 3 ? Status::Pass : Status::Warn,
                       std::to_string(pin.tries_left) + " of 3" + how,
                       pin.tries_left == 3 ? "" : "wrong PINs were entered on this card; a correct PIN resets the count"});
        break;
      case core::card::RetryStatus::State::Verified:
        out.push_back({"card", "PIN tries left", Status::Pass, "verified in this session" + how, ""});
        break;
      case core::card::RetryStatus::State::Blocked:
        out.push_back({"card", "PIN tries left", Status::Fail, "0 of 3: locked" + how,
                       "the PIN of this card is locked: it must be reset at the municipal office"});
        break;
      case core::card::RetryStatus::State::NotSet:
        out.push_back({"card", "PIN tries left", Status::Pass, "no PIN (face-only card)" + how, ""});
        break;
    }
  } catch (const core::card::CardProtocolError& e) {
    out.push_back({"card", "card answers", Status::Fail, e.what(), "place the card again; if it repeats, try another card"});
  } catch (const core::crypto::CryptoError& e) {
    out.push_back({"card", "certificate readable", Status::Fail, e.what(), "the certificate on the card is damaged"});
  } catch (const hal::CardError& e) {
    out.push_back({"card", "card stays on the reader", Status::Fail, std::string(hal::to_string(e.kind())) + ": " + e.what(),
                   e.advice()});
  }
}

}  // namespace

std::vector<CheckResult> check_card_reader(hal::CardReaderService& readers, const core::crypto::TrustStore& trust,
                                           std::chrono::system_clock::time_point now, const CardCheckSettings& settings) {
  std::vector<CheckResult> out;
  std::vector<std::string> names;
  try {
    names = readers.list_readers();
  } catch (const hal::CardError& e) {
    out.push_back({"pcsc", "card service (pcscd)", Status::Fail, std::string(hal::to_string(e.kind())) + ": " + e.what(),
                   "start the PC/SC service: systemctl start pcscd.socket (or pcscd), then run the check again"});
    return out;
  }
  out.push_back({"pcsc", "card service (pcscd)", Status::Pass, "reachable", ""});
  if (names.empty()) {
    out.push_back({"pcsc", "readers", Status::Fail, "no reader known to the card service",
                   "connect the card reader; if it is connected, check its driver (pcscd -f -d shows why)"});
    return out;
  }
  // Which of them the kiosk takes cards from (issue 18: only configured readers or models).
  std::vector<std::string> accepted;
  std::vector<std::string> refused;
  for (const auto& n : names) (settings.readers.accepts(n) ? accepted : refused).push_back(n);
  for (const auto& n : refused) {
    if (n.rfind("Virtual PCD", 0) == 0) {
      out.push_back({"pcsc", "emulated reader", Status::Warn,
                     "'" + n + "' (vsmartcard vpcd) is installed; the kiosk refuses it",
                     "remove vsmartcard-vpcd from the kiosk: it lets anyone who reaches its network port present a card"});
    }
  }
  if (!settings.readers.configured()) {
    out.push_back({"pcsc", "configured reader", Status::Fail, "none configured, so no reader is accepted; readers: " + join(names),
                   "set card_reader.reader to one of the listed readers, or card_reader.accepted_models to its model"});
    return out;
  }
  if (accepted.empty()) {
    out.push_back({"pcsc", "configured reader", Status::Fail,
                   "the kiosk accepts " + settings.readers.describe() + ": none of them is here; readers: " + join(names),
                   "connect the configured reader, or set card_reader.reader / card_reader.accepted_models to a listed one"});
    return out;
  }
  std::string reader = accepted.front();
  if (std::find(accepted.begin(), accepted.end(), settings.readers.reader) != accepted.end()) reader = settings.readers.reader;
  std::string measured = "accepted: " + join(accepted) + "; using '" + reader + "'";
  if (!refused.empty()) measured += "; refused (not configured): " + join(refused);
  out.push_back({"pcsc", "readers", Status::Pass, measured, ""});

  bool present = false;
  try {
    for (const auto& s : readers.status()) {
      if (s.name == reader) present = s.card_present;
    }
  } catch (const hal::CardError& e) {
    out.push_back(reader_failure("reader status", e));
    return out;
  }
  if (settings.reader_in_use) {
    out.push_back({"card", "test card", Status::Skip,
                   present ? "a card is on the reader: a patient's, left alone" : "the reader belongs to the reception",
                   "to check a test card, stop the kiosk and run kiosk diag"});
    return out;
  }
  if (!present) {
    out.push_back({"card", "test card present", Status::Warn, "no card on '" + reader + "'",
                   "place a test card on the reader to check the card path"});
    return out;
  }
  out.push_back({"card", "test card present", Status::Pass, "a card is on '" + reader + "'", ""});
  check_test_card(readers, reader, trust, now, settings, out);
  return out;
}

}  // namespace kiosk::core::diagnostics
