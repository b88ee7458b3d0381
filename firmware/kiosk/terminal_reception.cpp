#include "firmware/kiosk/terminal_reception.hpp"

#include <ostream>

#include "core/card/card_error.hpp"
#include "core/crypto/digest.hpp"
#include "core/verification/pin_authentication.hpp"
#include "firmware/kiosk/pin_prompt.hpp"

namespace kiosk::firmware {

const char* to_string(ReceptionOutcome o) {
  switch (o) {
    case ReceptionOutcome::Authenticated: return "authenticated";
    case ReceptionOutcome::NoCard: return "no-card";
    case ReceptionOutcome::NotMyNumberCard: return "not-my-number-card";
    case ReceptionOutcome::Unreadable: return "unreadable";
    case ReceptionOutcome::CertificateRejected: return "certificate-rejected";
    case ReceptionOutcome::PinLocked: return "pin-locked";
    case ReceptionOutcome::PinNotSet: return "pin-not-set";
    case ReceptionOutcome::Cancelled: return "cancelled";
    case ReceptionOutcome::CardRemoved: return "card-removed";
    case ReceptionOutcome::ReaderProblem: return "reader-problem";
  }
  return "unknown";
}

TerminalReception::TerminalReception(hal::CardReaderService& readers, hal::Clock& clock, const crypto::TrustStore& trust,
                                     ReceptionConfig config, std::FILE* pin_input, std::ostream& out)
    : readers_(readers), clock_(clock), trust_(trust), config_(std::move(config)), pin_input_(pin_input), out_(out) {}

ReceptionOutcome TerminalReception::serve_one() {
  out_ << "[kiosk] マイナンバーカードを置いてください / Please place your My Number card on the reader\n" << std::flush;
  std::optional<std::string> reader;
  try {
    reader = hal::wait_for_card(readers_, config_.reader, config_.card_wait);
  } catch (const hal::CardError& e) {
    out_ << "[kiosk] reader problem: " << e.what() << " — " << e.advice() << "\n";
    return ReceptionOutcome::ReaderProblem;
  }
  if (!reader) {
    out_ << "[kiosk] no card within " << config_.card_wait.count() / 1000 << " s\n";
    return ReceptionOutcome::NoCard;
  }
  ReceptionOutcome outcome = ReceptionOutcome::ReaderProblem;
  try {
    outcome = run_with_card(*reader);
  } catch (const card::CardProtocolError& e) {
    if (e.failure() == card::CardFailure::NotMyNumberCard) {
      out_ << "[kiosk] 【002:マイナンバーカード以外】 This is not a My Number card. (" << e.what() << ")\n";
      outcome = ReceptionOutcome::NotMyNumberCard;
    } else {
      out_ << "[kiosk] 【001:マイナンバーカードの認識不可】 The card could not be read. Place it again; if this "
              "repeats, please ask the reception. ("
           << e.what() << ")\n";
      outcome = ReceptionOutcome::Unreadable;
    }
  } catch (const hal::CardError& e) {
    out_ << "[kiosk] " << e.what() << " — " << e.advice() << "\n";
    outcome = e.kind() == hal::CardErrorKind::CardRemoved ? ReceptionOutcome::CardRemoved : ReceptionOutcome::ReaderProblem;
  }
  out_ << "[kiosk] カードをお取りください / Please take your card\n" << std::flush;
  if (config_.on_take_card) config_.on_take_card();
  try {
    if (hal::wait_for_card_removal(readers_, *reader, config_.removal_wait)) {
      out_ << "[kiosk] card removed; ready for the next patient\n";
    } else {
      out_ << "[kiosk] the card is still on the reader\n";
    }
  } catch (const hal::CardError& e) {
    out_ << "[kiosk] reader problem: " << e.what() << "\n";
  }
  return outcome;
}

ReceptionOutcome TerminalReception::run_with_card(const std::string& reader) {
  const auto channel = readers_.connect(reader);
  card::CardSession session(*channel);
  card::JpkiApplication jpki(session);
  out_ << "[kiosk] reading the card...\n" << std::flush;
  const verification::CardCheck check = verification::check_card(jpki, trust_, clock_.now(), config_.certificate_policy);
  out_ << "[kiosk] token: " << check.token.label << " (" << card::to_string(check.token.kind) << ")\n";

  const crypto::ValidationReport& cert = check.certificate;
  out_ << "[kiosk] user-authentication certificate: " << crypto::to_string(cert.status) << ", " << cert.days_to_expiry
       << " days to expiry\n";
  switch (cert.status) {
    case crypto::ValidationStatus::Valid:
      break;
    case crypto::ValidationStatus::ExpiringSoon:
    case crypto::ValidationStatus::ExpiredInGrace:
      out_ << "[kiosk] お知らせ: " << cert.message << "\n";
      break;
    case crypto::ValidationStatus::Expired:
    case crypto::ValidationStatus::Revoked:
      out_ << "[kiosk] 受付窓口にご連絡ください。また市区町村で証明書の更新手続きをしてください。"
              "【006:利用者証明用電子証明書の失効・有効期限切れ】 "
           << cert.message << "\n";
      return ReceptionOutcome::CertificateRejected;
    case crypto::ValidationStatus::NotYetValid:
    case crypto::ValidationStatus::Untrusted:
      out_ << "[kiosk] 【001:マイナンバーカードの認識不可】 The card's certificate cannot be verified; please ask the "
              "reception. ("
           << cert.detail << ")\n";
      return ReceptionOutcome::CertificateRejected;
  }
  const crypto::Certificate certificate = crypto::Certificate::from_der(check.certificate_der);

  card::RetryStatus pin = check.pin;
  if (pin.state == card::RetryStatus::State::NotSet) {
    out_ << "[kiosk] this card has no PIN (face-only card): face authentication or a staff visual check is needed\n";
    return ReceptionOutcome::PinNotSet;
  }
  for (;;) {
    if (pin.state == card::RetryStatus::State::Blocked) {
      out_ << "[kiosk] 暗証番号がロックされています。お住まいの市区町村窓口で暗証番号の再設定をしてください。 / The PIN "
              "is locked. Please reset it at your municipal office.\n";
      return ReceptionOutcome::PinLocked;
    }
    out_ << "[kiosk] 残り回数 / tries left: " << pin.tries_left << "\n";
    if (pin.tries_left == 1) {
      out_ << "[kiosk] ご注意: 次に間違えるとロックされます / Careful: one more wrong PIN locks the card\n";
    }
    out_ << "[kiosk] 暗証番号（4桁）を入力してください / Enter your 4-digit PIN (empty line or end of input cancels): "
         << std::flush;
    std::optional<card::Secret> typed = read_pin(pin_input_);
    if (!typed || typed->empty()) {
      out_ << "[kiosk] cancelled; no PIN was sent to the card\n";
      return ReceptionOutcome::Cancelled;
    }
    if (typed->size() != 4 || !typed->all_digits()) {
      out_ << "[kiosk] the PIN is 4 digits; nothing was sent to the card, please enter it again\n";
      continue;
    }
    // The challenge comes from the eligibility service once that is connected (issue 3);
    // until then the kiosk makes its own fresh one.
    const Bytes challenge = crypto::random_bytes(32);
    const verification::PinAuthResult result = verification::authenticate_with_pin(jpki, certificate, *typed, challenge);
    typed->clear();
    switch (result.outcome) {
      case verification::PinAuthOutcome::Authenticated:
        out_ << "[kiosk] 本人確認が完了しました / Identity confirmed by PIN (the card signed a fresh challenge; the "
                "signature verifies with the certificate)\n"
             << "[kiosk] card APDUs: " << session.counters().commands << " commands, " << session.counters().bytes_sent
             << " bytes sent, " << session.counters().bytes_received << " bytes received\n";
        return ReceptionOutcome::Authenticated;
      case verification::PinAuthOutcome::WrongPin:
        out_ << "[kiosk] 暗証番号が違います / Wrong PIN\n";
        pin = {result.tries_left == 0 ? card::RetryStatus::State::Blocked : card::RetryStatus::State::Ready,
               result.tries_left};
        break;
      case verification::PinAuthOutcome::Locked:
        pin = {card::RetryStatus::State::Blocked, 0};
        break;
      case verification::PinAuthOutcome::SignatureInvalid:
        out_ << "[kiosk] 【001:マイナンバーカードの認識不可】 the card's signature does not match its certificate\n";
        return ReceptionOutcome::Unreadable;
    }
  }
}

}  // namespace kiosk::firmware
