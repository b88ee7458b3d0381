#include "core/card/card_session.hpp"

#include <algorithm>

#include "core/card/card_error.hpp"
#include "core/card/secret.hpp"

namespace kiosk::core::card {
namespace {

constexpr Byte kInsSelect = 0xA4;
constexpr Byte kInsReadBinary = 0xB0;
constexpr Byte kInsVerify = 0x20;
constexpr Byte kInsComputeSignature = 0x2A;
constexpr Byte kInsGetChallenge = 0x84;
constexpr Byte kInsGetResponse = 0xC0;
constexpr Byte kInsGetData = 0xCA;

bool equals(ByteView data, const hal::mynumber::Aid& aid) {
  return data.size() == aid.size() && std::equal(data.begin(), data.end(), aid.begin());
}

[[noreturn]] void forbid(const CommandApdu& command, const std::string& why) {
  throw CardProtocolError(CardFailure::Forbidden,
                          "refused to send " + command.to_trace_string() + ": " + why);
}

std::uint16_t file_id(ByteView data) {
  return data.size() == 2 ? static_cast<std::uint16_t>((data[0] << 8) | data[1]) : 0xFFFF;
}

}  // namespace

CardSession::CardSession(hal::CardChannel& channel) : channel_(channel) {}

CardSession::~CardSession() = default;

void CardSession::guard(const CommandApdu& c) const {
  // Only the commands the kiosk needs, in the basic logical channel, without secure messaging.
  const bool known = (c.cla == 0x00 && (c.ins == kInsSelect || c.ins == kInsReadBinary || c.ins == kInsVerify ||
                                        c.ins == kInsGetChallenge || c.ins == kInsGetResponse || c.ins == kInsGetData)) ||
                     (c.cla == 0x80 && c.ins == kInsComputeSignature);
  if (!known) forbid(c, "not a command the kiosk uses");

  const bool in_jpki = application_ == Application::Jpki;
  if (c.ins == kInsSelect && c.p1 == 0x04) {
    if (equals(c.data, hal::mynumber::kJpkiAid) || equals(c.data, hal::mynumber::kCardFaceAid) ||
        equals(c.data, hal::mynumber::kNextGenerationCardFaceAid)) {
      return;
    }
    forbid(c, "only the JPKI and card-face applications may be selected (the My Number is never read)");
  }
  if (application_ == Application::NextGenerationCardFace) {
    forbid(c, "the next-generation card's applications are not known: nothing is sent inside them");
  }
  if (c.ins == kInsSelect) {
    if (c.p1 == 0x02) {
      const std::uint16_t fid = file_id(c.data);
      if (fid == 0xFFFF) forbid(c, "a file is selected by a 2-byte identifier");
      if (!in_jpki && (fid == hal::mynumber::card_face::kMyNumberImage || fid == hal::mynumber::card_face::kCodeA)) {
        forbid(c, "the My Number image and 照合番号A are never used");
      }
      return;
    }
    forbid(c, "the kiosk selects applications by name and files by identifier only");
  }
  if (!in_jpki) {
    if (c.ins == kInsReadBinary && (c.p1 & 0x80) != 0 &&
        (c.p1 & 0x1F) == (hal::mynumber::card_face::kMyNumberImage & 0x1F)) {
      forbid(c, "the My Number image is never read");
    }
    if (c.ins == kInsVerify && c.p2 == (0x80 | (hal::mynumber::card_face::kCodeA & 0x1F))) {
      forbid(c, "照合番号A (the My Number) is never used");
    }
  }
}

ResponseApdu CardSession::exchange(const CommandApdu& command) {
  Bytes wire = command.encode();
  const auto start = std::chrono::steady_clock::now();
  Bytes raw;
  try {
    raw = channel_.transmit(wire);
  } catch (...) {
    if (command.sensitive) secure_wipe(wire.data(), wire.size());
    throw;
  }
  if (command.sensitive) secure_wipe(wire.data(), wire.size());
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);

  counters_.commands += 1;
  counters_.bytes_sent += wire.size();
  counters_.bytes_received += raw.size();
  ApduTraceEntry entry{command.to_trace_string(), 0, 0, elapsed};
  if (raw.size() >= 2) {
    entry.status_word = static_cast<std::uint16_t>((raw[raw.size() - 2] << 8) | raw[raw.size() - 1]);
    entry.response_data_length = raw.size() - 2;
  }
  trace_.push_back(entry);
  if (sink_) sink_(entry);
  // The answer may be personal data (the card-face record): the copy that parse() makes is
  // the only one left.
  const ScopedWipe wipe_raw(raw);
  return ResponseApdu::parse(raw);
}

ResponseApdu CardSession::transmit(const CommandApdu& command) {
  guard(command);
  // Reference data goes to the card only while no other application can use what it opens.
  const bool verify_with_data = command.ins == kInsVerify && !command.data.empty();
  const bool take_hold = verify_with_data && !hold_;
  if (take_hold) hold_ = channel_.hold();
  try {
    ResponseApdu response = exchange_all(command);
    if (take_hold && !response.ok()) {  // nothing was opened: let others in again, card untouched
      hold_->release_untouched();
      hold_.reset();
    }
    return response;
  } catch (...) {
    if (take_hold) {  // whether the card took the PIN is unknown: the hold ends with a reset
      application_ = Application::Unknown;
      hold_.reset();
    }
    throw;
  }
}

ResponseApdu CardSession::exchange_all(const CommandApdu& command) {
  ResponseApdu response = exchange(command);
  if (response.sw1() == 0x6C && command.ne > 0) {  // wrong Le: send again with the exact one
    CommandApdu again = command;
    again.ne = response.sw2() == 0 ? 256 : response.sw2();
    response = exchange(again);
  }
  // 61 xx: more data waits; fetch it with GET RESPONSE (bounded: a card cannot loop us).
  Bytes collected;
  const ScopedWipe wipe_collected(collected);
  for (int round = 0; response.sw1() == 0x61; ++round) {
    if (round == 256) throw CardProtocolError(CardFailure::Unreadable, "card keeps answering 61 xx");
    append_wiping(collected, response.data);
    secure_wipe(response.data);
    const std::size_t ne = response.sw2() == 0 ? 256 : response.sw2();
    response = exchange(CommandApdu(0x00, kInsGetResponse, 0x00, 0x00, {}, ne));
  }
  if (!collected.empty()) {
    append_wiping(collected, response.data);
    secure_wipe(response.data);
    response.data.swap(collected);  // the wiped leftovers go with `collected`
  }
  track_selection(command, response);
  return response;
}

void CardSession::track_selection(const CommandApdu& c, const ResponseApdu& r) {
  if (c.ins != kInsSelect || c.p1 != 0x04) return;
  if (!r.ok()) {
    application_ = Application::Unknown;
  } else if (equals(c.data, hal::mynumber::kJpkiAid)) {
    application_ = Application::Jpki;
  } else if (equals(c.data, hal::mynumber::kNextGenerationCardFaceAid)) {
    application_ = Application::NextGenerationCardFace;
  } else {
    application_ = Application::CardFace;
  }
}

void CardSession::reset() {
  application_ = Application::Unknown;
  try {
    channel_.reset();
  } catch (...) {
    hold_.reset();  // ends with another reset attempt
    throw;
  }
  if (hold_) hold_->release_untouched();  // the card was just reset
  hold_.reset();
}

}  // namespace kiosk::core::card
