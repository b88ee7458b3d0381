// Prints the APDU count and bytes of the kiosk's card operations, next to what OpenSC 0.23's
// jpki driver sends for the same work (its sequence, docs/card-protocol.md §4.2, §4.4 and §11,
// replayed byte for byte on the same simulated card), and the in-process time per operation.
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>

#include "core/card/jpki_application.hpp"
#include "core/crypto/digest.hpp"
#include "sim/card/simulated_readers.hpp"
#include "tests/support/test_cards.hpp"

using namespace kiosk;

namespace {

struct Figures {
  std::size_t apdus = 0;
  std::size_t sent = 0;
  std::size_t received = 0;
  double micros = 0;
};

// Runs `work` on a fresh card session, `rounds` times, and reports the last round's counts.
Figures measure(const sim::card::CardProfile& profile, const std::function<void(core::card::CardSession&)>& work, int rounds = 20) {
  Figures f;
  for (int i = 0; i < rounds; ++i) {
    sim::card::SimulatedReaders readers;
    readers.attach_reader("bench");
    readers.place_card("bench", test::make_card(profile));
    auto channel = readers.connect("bench");
    core::card::CardSession session(*channel);
    const auto start = std::chrono::steady_clock::now();
    work(session);
    f.micros += std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    f.apdus = session.counters().commands;
    f.sent = session.counters().bytes_sent;
    f.received = session.counters().bytes_received;
  }
  f.micros /= rounds;
  return f;
}

// OpenSC's jpki driver: SELECT EF, READ BINARY of 4 bytes for the length, then 256-byte
// chunks with the exact remainder last (raw APDUs through the session; the guard allows them).
void opensc_read_certificate(core::card::CardSession& s, Byte fid_low) {
  s.transmit(core::card::CommandApdu(0x00, 0xA4, 0x02, 0x0C, {0x00, fid_low}));
  const core::card::ResponseApdu head = s.transmit(core::card::CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 4));
  const std::size_t total = static_cast<std::size_t>(((head.data.at(2) << 8) | head.data.at(3)) + 4);
  for (std::size_t offset = 0; offset < total; offset += 256) {
    s.transmit(core::card::CommandApdu(0x00, 0xB0, static_cast<Byte>(offset >> 8), static_cast<Byte>(offset & 0xFF), {},
                                 std::min<std::size_t>(256, total - offset)));
  }
}

void select_jpki(core::card::CardSession& s) {
  s.transmit(core::card::CommandApdu(0x00, 0xA4, 0x04, 0x0C, Bytes(hal::mynumber::kJpkiAid.begin(), hal::mynumber::kJpkiAid.end())));
}

void opensc_pin_status(core::card::CardSession& s, Byte pin_fid_low) {
  s.transmit(core::card::CommandApdu(0x00, 0xA4, 0x02, 0x0C, {0x00, pin_fid_low}));
  s.transmit(core::card::CommandApdu(0x00, 0x20, 0x00, 0x80));
}

// pkcs15 bind + certificate read + C_Login + sign, as traced in docs/card-protocol.md §4.4 and §11
// (probes of other drivers excluded: OPENSC_DRIVER=jpki).
void opensc_pin_authentication(core::card::CardSession& s, const Bytes& digest_info) {
  select_jpki(s);
  select_jpki(s);  // the emulator's bind selects the AID again
  opensc_pin_status(s, 0x18);
  opensc_pin_status(s, 0x1B);
  opensc_read_certificate(s, 0x0A);
  opensc_pin_status(s, 0x18);
  s.transmit(core::card::CommandApdu(0x00, 0xA4, 0x02, 0x0C, {0x00, 0x18}));
  core::card::CommandApdu verify(0x00, 0x20, 0x00, 0x80, {'1', '2', '3', '4'});
  verify.sensitive = true;
  s.transmit(verify);
  s.transmit(core::card::CommandApdu(0x00, 0xA4, 0x02, 0x0C, {0x00, 0x17}));
  s.transmit(core::card::CommandApdu(0x80, 0x2A, 0x00, 0x80, digest_info, 256));
}

void kiosk_pin_authentication(core::card::CardSession& s, const Bytes& digest_info) {
  core::card::JpkiApplication jpki(s);
  jpki.select();
  jpki.read_auth_certificate();
  jpki.auth_pin_status();
  if (jpki.verify_auth_pin(core::card::Secret("1234")).outcome != core::card::VerifyOutcome::Verified) throw std::runtime_error("PIN");
  jpki.sign_with_auth_key(digest_info);
}

void row(const char* what, const Figures& f) {
  std::printf("  %-62s %3zu APDUs  %5zu B sent  %5zu B received  %8.0f us\n", what, f.apdus, f.sent, f.received, f.micros);
}

}  // namespace

int main() {
  const sim::card::CardProfile card = test::test_card_profile();
  sim::card::CardProfile no_extended = card;
  no_extended.extended_length = false;
  sim::card::CardProfile no_sfi = card;
  no_sfi.short_ef_identifiers = false;
  const Bytes digest_info = core::crypto::sha256_digest_info(core::crypto::sha256(Bytes(32, 0x42)));

  std::printf("APDU figures on the simulated My Number card (auth certificate %zu bytes)\n", card.auth.certificate.size());
  std::printf("Reading the user-authentication certificate (EF 000A), SELECT of the JPKI AP included:\n");
  const Figures kiosk_cert = measure(card, [](core::card::CardSession& s) {
    core::card::JpkiApplication jpki(s);
    jpki.select();
    jpki.read_auth_certificate();
  });
  row("kiosk (short EF id + extended Le)", kiosk_cert);
  row("kiosk, reader without extended length (SFI + 256-byte chunks)", measure(no_extended, [](core::card::CardSession& s) {
    core::card::JpkiApplication jpki(s);
    jpki.select();
    jpki.read_auth_certificate();
  }));
  row("kiosk, card without short EF ids (SELECT EF + extended Le)", measure(no_sfi, [](core::card::CardSession& s) {
    core::card::JpkiApplication jpki(s);
    jpki.select();
    jpki.read_auth_certificate();
  }));
  const Figures opensc_cert = measure(card, [](core::card::CardSession& s) {
    select_jpki(s);
    opensc_read_certificate(s, 0x0A);
  });
  row("OpenSC 0.23 jpki driver sequence", opensc_cert);

  std::printf("Whole PIN authentication (certificate + tries + VERIFY + signature):\n");
  const Figures kiosk_pin = measure(card, [&](core::card::CardSession& s) { kiosk_pin_authentication(s, digest_info); });
  row("kiosk", kiosk_pin);
  const Figures opensc_pin = measure(card, [&](core::card::CardSession& s) { opensc_pin_authentication(s, digest_info); });
  row("OpenSC 0.23 (pkcs15 bind, certificate, C_Login, C_Sign)", opensc_pin);

  const double cert_ratio = static_cast<double>(kiosk_cert.apdus) / static_cast<double>(opensc_cert.apdus);
  const double pin_ratio = static_cast<double>(kiosk_pin.apdus) / static_cast<double>(opensc_pin.apdus);
  std::printf("Ratio kiosk/OpenSC: certificate %.2f, PIN authentication %.2f (target <= 0.50): %s\n", cert_ratio, pin_ratio,
              cert_ratio <= 0.5 && pin_ratio <= 0.5 ? "met" : "NOT MET");
  return 0;
}
