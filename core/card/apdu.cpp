#include "core/card/apdu.hpp"

#include <cstdio>
#include <stdexcept>
#include <utility>

#include "core/card/card_error.hpp"
#include "core/card/secret.hpp"

namespace kiosk::core::card {

std::string describe_status_word(std::uint16_t status_word) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "%02X %02X", status_word >> 8, status_word & 0xFF);
  const Byte sw1 = static_cast<Byte>(status_word >> 8);
  const Byte sw2 = static_cast<Byte>(status_word & 0xFF);
  std::string text;
  if (sw1 == 0x63 && (sw2 & 0xF0) == 0xC0) {
    text = "verification failed or tries queried, " + std::to_string(sw2 & 0x0F) + " tries left";
  } else if (sw1 == 0x61) {
    text = std::to_string(sw2 == 0 ? 256 : sw2) + " more response bytes available";
  } else if (sw1 == 0x6C) {
    text = "wrong Le, exact length is " + std::to_string(sw2 == 0 ? 256 : sw2);
  } else {
    switch (status_word) {
      case sw::kOk: text = "success"; break;
      case sw::kEndOfFileWarning: text = "end of file reached before Le bytes"; break;
      case sw::kWrongLength: text = "wrong length (Lc or Le)"; break;
      case sw::kCommandIncompatible: text = "command incompatible with file structure"; break;
      case sw::kSecurityStatusNotSatisfied: text = "security status not satisfied"; break;
      case sw::kAuthMethodBlocked: text = "authentication method blocked"; break;
      case sw::kReferenceDataNotUsable: text = "reference data not usable (blocked or not set)"; break;
      case sw::kConditionsNotSatisfied: text = "conditions of use not satisfied"; break;
      case sw::kNoCurrentEf: text = "command not allowed (no current EF)"; break;
      case sw::kFunctionNotSupported: text = "function not supported"; break;
      case sw::kFileNotFound: text = "file or application not found"; break;
      case sw::kIncorrectP1P2: text = "incorrect parameters P1-P2"; break;
      case sw::kWrongP1P2: text = "wrong parameters P1-P2 (offset beyond end of file)"; break;
      case sw::kInsNotSupported: text = "instruction not supported"; break;
      case sw::kClaNotSupported: text = "class not supported"; break;
      default: text = "unexpected status"; break;
    }
  }
  return std::string(hex) + ": " + text;
}

CommandApdu::CommandApdu(Byte cla_, Byte ins_, Byte p1_, Byte p2_, Bytes data_, std::size_t ne_)
    : cla(cla_), ins(ins_), p1(p1_), p2(p2_), data(std::move(data_)), ne(ne_) {}

CommandApdu::~CommandApdu() { wipe(); }

void CommandApdu::wipe() noexcept {
  if (sensitive) secure_wipe(data.data(), data.size());
}

CommandApdu::CommandApdu(const CommandApdu& other) = default;
CommandApdu& CommandApdu::operator=(const CommandApdu& other) {
  if (this != &other) *this = CommandApdu(other);
  return *this;
}
CommandApdu::CommandApdu(CommandApdu&&) noexcept = default;
CommandApdu& CommandApdu::operator=(CommandApdu&& other) noexcept {
  if (this != &other) {
    wipe();
    cla = other.cla;
    ins = other.ins;
    p1 = other.p1;
    p2 = other.p2;
    data = std::move(other.data);
    ne = other.ne;
    sensitive = other.sensitive;
  }
  return *this;
}

Bytes CommandApdu::encode() const {
  if (data.size() > 65535) throw std::length_error("APDU data longer than 65535 bytes");
  if (ne > kMaxExtendedNe) throw std::length_error("APDU Ne larger than 65536");
  Bytes out{cla, ins, p1, p2};
  const bool extended = is_extended();
  if (!data.empty()) {
    if (extended) {
      out.push_back(0x00);
      out.push_back(static_cast<Byte>(data.size() >> 8));
      out.push_back(static_cast<Byte>(data.size() & 0xFF));
    } else {
      out.push_back(static_cast<Byte>(data.size()));
    }
    out.insert(out.end(), data.begin(), data.end());
  }
  if (ne > 0) {
    if (extended) {
      if (data.empty()) out.push_back(0x00);  // case 2E: 00 Le1 Le2
      const std::size_t le = ne == kMaxExtendedNe ? 0 : ne;
      out.push_back(static_cast<Byte>(le >> 8));
      out.push_back(static_cast<Byte>(le & 0xFF));
    } else {
      out.push_back(static_cast<Byte>(ne == kMaxShortNe ? 0 : ne));
    }
  }
  return out;
}

std::string CommandApdu::to_trace_string() const {
  if (!sensitive) return to_hex(encode());
  CommandApdu redacted(cla, ins, p1, p2, Bytes(data.size(), 0), ne);
  std::string text = to_hex(redacted.encode());
  // The data bytes follow the header and the Lc field; replace their "00" with "**".
  const std::size_t lc_bytes = redacted.is_extended() ? 3 : 1;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const std::size_t pos = (4 + lc_bytes + i) * 3;
    text[pos] = '*';
    text[pos + 1] = '*';
  }
  return text;
}

ResponseApdu ResponseApdu::parse(ByteView raw) {
  if (raw.size() < 2) {
    throw CardProtocolError(CardFailure::Unreadable,
                            "truncated response: " + std::to_string(raw.size()) + " bytes, no status word");
  }
  ResponseApdu r;
  r.data.assign(raw.begin(), raw.end() - 2);
  r.status_word = static_cast<std::uint16_t>((raw[raw.size() - 2] << 8) | raw[raw.size() - 1]);
  return r;
}

}  // namespace kiosk::core::card
