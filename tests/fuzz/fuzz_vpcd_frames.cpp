// libFuzzer target: frames from vpcd (the vsmartcard reader driver, over TCP) as the bridge
// takes them: 2-byte big-endian length and payload, one after the other; each payload is
// answered as the bridge answers it (control bytes, APDUs to the JPKI card emulator).
// The card: $KIOSK_FUZZ_CARD (a card file; toolchain/fuzz-briefly points it at the seed card).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "sim/card/jpki_card.hpp"
#include "sim/vpcd/vpcd_bridge.hpp"

using namespace kiosk;

namespace {
std::unique_ptr<sim::card::CardProfile> g_profile;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* file = std::getenv("KIOSK_FUZZ_CARD");
  if (file == nullptr) {
    std::fprintf(stderr, "fuzz_vpcd_frames: set KIOSK_FUZZ_CARD to a card file (toolchain/fuzz-briefly does)\n");
    std::abort();
  }
  g_profile = std::make_unique<sim::card::CardProfile>(sim::card::CardProfile::load(file));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sim::card::JpkiCard card(*g_profile);  // counters in memory only
  sim::vpcd::VpcdBridge bridge(card, {});
  ByteView input(data, size);
  while (input.size() >= 2) {
    const std::size_t length = std::min<std::size_t>((std::size_t{input[0]} << 8) | input[1], input.size() - 2);
    const ByteView payload = input.subspan(2, length);
    input = input.subspan(2 + length);
    const std::optional<Bytes> reply = bridge.answer(payload);
    if (payload.size() > 1 && (!reply || reply->size() < 2)) __builtin_trap();  // an APDU always gets SW1 SW2
    if (reply) (void)sim::vpcd::wire::frame(*reply);
  }
  return 0;
}
