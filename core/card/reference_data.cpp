#include "core/card/reference_data.hpp"

#include <string>

#include "core/card/card_error.hpp"

namespace kiosk::core::card {
namespace {

bool sfi_refused(std::uint16_t status_word) {
  return status_word == sw::kIncorrectP1P2 || status_word == sw::kFunctionNotSupported ||
         status_word == sw::kWrongP1P2 || status_word == sw::kNoCurrentEf;
}

std::string key_text(std::uint16_t fid) {
  return "key EF " + to_hex(Bytes{static_cast<Byte>(fid >> 8), static_cast<Byte>(fid)}, '\0');
}

// VERIFY with P2 = 80|SFI, or SELECT + VERIFY with P2 = 80 when the card refuses SFIs.
// Whether the card takes SFIs is learnt from the empty VERIFY (the retry counter query) only:
// reference data goes to the card once, and never again after a refusal (6A86, 6A81, 6B00,
// 6986), since the card may have counted the try before refusing.
ResponseApdu send_verify(CardSession& session, std::uint16_t fid, const Secret* secret) {
  if (secret != nullptr && fid <= 0x1E && !session.short_ef_identifiers.has_value()) {
    (void)send_verify(session, fid, nullptr);  // spends no try
  }
  for (;;) {
    const bool use_sfi = fid <= 0x1E && session.short_ef_identifiers != false;
    if (!use_sfi) {
      const ResponseApdu s = session.transmit(
          CommandApdu(0x00, 0xA4, 0x02, 0x0C, Bytes{static_cast<Byte>(fid >> 8), static_cast<Byte>(fid & 0xFF)}));
      if (s.status_word == sw::kFileNotFound) {
        throw CardProtocolError(CardFailure::FileNotFound, key_text(fid) + " not found", s.status_word);
      }
      if (!s.ok()) {
        throw CardProtocolError(CardFailure::Unreadable,
                                key_text(fid) + ": SELECT answered " + describe_status_word(s.status_word), s.status_word);
      }
    }
    CommandApdu verify(0x00, 0x20, 0x00, use_sfi ? static_cast<Byte>(0x80 | (fid & 0x1F)) : Byte{0x80});
    if (secret != nullptr) {
      verify.sensitive = true;
      verify.data.assign(secret->bytes().begin(), secret->bytes().end());
    }
    ResponseApdu r = session.transmit(verify);
    if (use_sfi && sfi_refused(r.status_word)) {
      if (secret != nullptr) {
        throw CardProtocolError(CardFailure::Unreadable,
                                key_text(fid) + ": VERIFY by short EF identifier refused after the empty VERIFY took it (" +
                                    describe_status_word(r.status_word) + "); not sent again",
                                r.status_word);
      }
      session.short_ef_identifiers = false;  // the empty VERIFY: refused before any check
      continue;
    }
    if (use_sfi && r.status_word != sw::kFileNotFound) session.short_ef_identifiers = true;
    return r;
  }
}

}  // namespace

RetryStatus query_retries(CardSession& session, std::uint16_t fid) {
  const ResponseApdu r = send_verify(session, fid, nullptr);
  if (r.sw1() == 0x63 && (r.sw2() & 0xF0) == 0xC0) {
    const int tries = r.sw2() & 0x0F;
    return tries == 0 ? RetryStatus{RetryStatus::State::Blocked, 0} : RetryStatus{RetryStatus::State::Ready, tries};
  }
  switch (r.status_word) {
    case sw::kOk: return {RetryStatus::State::Verified, -1};
    case sw::kAuthMethodBlocked: return {RetryStatus::State::Blocked, 0};
    case sw::kReferenceDataNotUsable: return {RetryStatus::State::NotSet, 0};
    case sw::kFileNotFound:
      throw CardProtocolError(CardFailure::FileNotFound, key_text(fid) + " not found", r.status_word);
    default:
      throw CardProtocolError(CardFailure::Unreadable,
                              key_text(fid) + ": retry counter query answered " + describe_status_word(r.status_word),
                              r.status_word);
  }
}

VerifyResult verify_reference_data(CardSession& session, std::uint16_t fid, const Secret& secret) {
  if (secret.empty()) throw std::invalid_argument("verify_reference_data: empty secret");
  const ResponseApdu r = send_verify(session, fid, &secret);
  if (r.ok()) return {VerifyOutcome::Verified, -1};
  if (r.sw1() == 0x63 && (r.sw2() & 0xF0) == 0xC0) {
    const int tries = r.sw2() & 0x0F;
    return {tries == 0 ? VerifyOutcome::Blocked : VerifyOutcome::Wrong, tries};
  }
  if (r.status_word == sw::kAuthMethodBlocked || r.status_word == sw::kReferenceDataNotUsable) {
    return {VerifyOutcome::Blocked, 0};
  }
  if (r.status_word == sw::kFileNotFound) {
    throw CardProtocolError(CardFailure::FileNotFound, key_text(fid) + " not found", r.status_word);
  }
  throw CardProtocolError(CardFailure::Unreadable, key_text(fid) + ": VERIFY answered " + describe_status_word(r.status_word),
                          r.status_word);
}

}  // namespace kiosk::core::card
