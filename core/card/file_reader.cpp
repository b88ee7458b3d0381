#include "core/card/file_reader.hpp"

#include <algorithm>
#include <string>

#include "core/card/card_error.hpp"
#include "core/card/secret.hpp"
#include "core/card/tlv.hpp"

namespace kiosk::core::card {
namespace {

constexpr std::size_t kMaxOffset = 0x7FFF;  // 15-bit offset of READ BINARY

std::string fid_text(std::uint16_t fid) { return "EF " + to_hex(Bytes{static_cast<Byte>(fid >> 8), static_cast<Byte>(fid)}, '\0'); }

bool has_short_id(std::uint16_t fid) { return fid >= 0x0001 && fid <= 0x001E; }

bool sfi_refused(std::uint16_t status_word) {
  return status_word == sw::kIncorrectP1P2 || status_word == sw::kFunctionNotSupported ||
         status_word == sw::kCommandIncompatible || status_word == sw::kWrongP1P2 ||
         status_word == sw::kNoCurrentEf;
}

[[noreturn]] void fail(CardFailure failure, std::uint16_t fid, const std::string& what, std::uint16_t status_word) {
  throw CardProtocolError(failure, fid_text(fid) + ": " + what + " (" + describe_status_word(status_word) + ")",
                          status_word);
}

[[noreturn]] void unexpected(std::uint16_t fid, std::uint16_t status_word) {
  switch (status_word) {
    case sw::kFileNotFound: fail(CardFailure::FileNotFound, fid, "file not found", status_word);
    case sw::kSecurityStatusNotSatisfied:
      fail(CardFailure::SecurityStatusNotSatisfied, fid, "the card wants a PIN before this read", status_word);
    default: fail(CardFailure::Unreadable, fid, "unexpected answer to READ BINARY", status_word);
  }
}

void select_ef(CardSession& session, std::uint16_t fid) {
  const ResponseApdu r = session.transmit(
      CommandApdu(0x00, 0xA4, 0x02, 0x0C, Bytes{static_cast<Byte>(fid >> 8), static_cast<Byte>(fid & 0xFF)}));
  if (r.status_word == sw::kFileNotFound) fail(CardFailure::FileNotFound, fid, "file not found", r.status_word);
  if (!r.ok()) fail(CardFailure::Unreadable, fid, "unexpected answer to SELECT", r.status_word);
}

// READ BINARY at offset 0 of `fid`, by short EF identifier when possible (which also makes the
// EF current), otherwise after a SELECT. Learns the session's capabilities on the way.
ResponseApdu read_first(CardSession& session, std::uint16_t fid, std::size_t wanted) {
  for (;;) {
    const bool use_sfi = has_short_id(fid) && session.short_ef_identifiers != false;
    const bool use_extended = wanted > CommandApdu::kMaxShortNe && session.extended_length != false;
    const std::size_t ne = use_extended ? std::min(wanted, CommandApdu::kMaxExtendedNe)
                                        : std::min(wanted, CommandApdu::kMaxShortNe);
    if (!use_sfi) select_ef(session, fid);
    const CommandApdu read(0x00, 0xB0, use_sfi ? static_cast<Byte>(0x80 | (fid & 0x1F)) : Byte{0x00}, 0x00, {}, ne);
    ResponseApdu r;
    try {
      r = session.transmit(read);
    } catch (const hal::CardError& e) {
      // Some readers reject extended APDUs outright; anything else is the reader's problem.
      if (!(use_extended && e.kind() == hal::CardErrorKind::Protocol)) throw;
      session.extended_length = false;
      continue;
    }
    if (use_extended && r.sw1() == 0x67) {  // 67 00: wrong length
      session.extended_length = false;
      continue;
    }
    if (use_sfi && sfi_refused(r.status_word)) {
      session.short_ef_identifiers = false;
      continue;
    }
    if (r.ok() || r.status_word == sw::kEndOfFileWarning) {
      if (use_sfi) session.short_ef_identifiers = true;
      if (use_extended && r.data.size() > CommandApdu::kMaxShortNe) session.extended_length = true;
      if (r.data.size() > ne) fail(CardFailure::MalformedData, fid, "the card sent more bytes than asked", r.status_word);
      return r;
    }
    unexpected(fid, r.status_word);
  }
}

}  // namespace

Bytes read_tlv_file(CardSession& session, std::uint16_t fid) {
  // The file may be the card-face record (photo, images of name and address): every buffer it
  // passes through is wiped, and only the returned one is left (the caller wipes that).
  ResponseApdu first = read_first(session, fid, CommandApdu::kMaxExtendedNe);
  Bytes content = std::move(first.data);
  bool returned = false;
  struct WipeUnlessReturned {
    Bytes& bytes;
    const bool& returned;
    ~WipeUnlessReturned() {
      if (!returned) secure_wipe(bytes);
    }
  } wipe_on_error{content, returned};
  if (content.empty()) fail(CardFailure::MalformedData, fid, "the file is empty", first.status_word);
  const TlvHeader header = read_tlv_header(content);
  const std::size_t total = header.total_length();

  while (content.size() < total) {
    const std::size_t offset = content.size();
    if (offset > kMaxOffset) {
      fail(CardFailure::MalformedData, fid, "declares " + std::to_string(total) + " bytes, more than READ BINARY can address",
           sw::kOk);
    }
    const std::size_t max_ne = session.extended_length == true ? CommandApdu::kMaxExtendedNe : CommandApdu::kMaxShortNe;
    const std::size_t ne = std::min(max_ne, total - offset);
    // The EF is current now (the first read selected it), so plain offsets work.
    ResponseApdu r = session.transmit(
        CommandApdu(0x00, 0xB0, static_cast<Byte>(offset >> 8), static_cast<Byte>(offset & 0xFF), {}, ne));
    const ScopedWipe wipe_chunk(r.data);
    if (r.status_word == sw::kWrongP1P2 || ((r.ok() || r.status_word == sw::kEndOfFileWarning) && r.data.empty())) {
      fail(CardFailure::MalformedData, fid,
           "the file ends at " + std::to_string(offset) + " bytes but its header says " + std::to_string(total),
           r.status_word);
    }
    if (!r.ok() && r.status_word != sw::kEndOfFileWarning) unexpected(fid, r.status_word);
    if (r.data.size() > ne) fail(CardFailure::MalformedData, fid, "the card sent more bytes than asked", r.status_word);
    append_wiping(content, r.data);
  }
  if (content.size() > total) {  // drop filler after the object
    secure_wipe(content.data() + total, content.size() - total);
    content.resize(total);
  }
  returned = true;
  return content;
}

Bytes read_file_prefix(CardSession& session, std::uint16_t fid, std::size_t length) {
  if (length == 0 || length > CommandApdu::kMaxShortNe) throw std::invalid_argument("read_file_prefix: length 1..256");
  ResponseApdu r = read_first(session, fid, length);
  return std::move(r.data);
}

}  // namespace kiosk::core::card
