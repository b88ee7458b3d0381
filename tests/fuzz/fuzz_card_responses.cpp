// libFuzzer target: everything the kiosk parses from a card. The input is split into
// responses (2-byte big-endian length + bytes) that a card channel plays back while the JPKI
// and card-face reads run; the same bytes also go straight to each parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/card/apdu.hpp"
#include "core/card/card_error.hpp"
#include "core/card/card_face_application.hpp"
#include "core/card/card_generation.hpp"
#include "core/card/code_b_guard.hpp"
#include "core/card/cvc.hpp"
#include "core/card/jpki_application.hpp"
#include "core/card/tlv.hpp"
#include "hal/card_reader.hpp"

namespace {

using namespace kiosk;

class FuzzedCard final : public hal::CardChannel {
 public:
  explicit FuzzedCard(ByteView data) : data_(data) {}
  Bytes transmit(ByteView) override {
    if (data_.size() < 2) throw hal::CardError(hal::CardErrorKind::CardRemoved, "fuzz input exhausted");
    std::size_t n = static_cast<std::size_t>((data_[0] << 8) | data_[1]);
    data_ = data_.subspan(2);
    if (n > data_.size()) n = data_.size();
    Bytes out(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(n));
    data_ = data_.subspan(n);
    return out;
  }
  Bytes atr() const override { return {}; }
  void reset() override {}
  const std::string& reader_name() const override { return name_; }
  // One client only: nothing to keep out.
  std::unique_ptr<hal::CardHold> hold() override { return std::make_unique<hal::CardHold>(); }

 private:
  ByteView data_;
  std::string name_ = "fuzz";
};

template <typename F>
void guarded(F&& f) {
  try {
    f();
  } catch (const core::card::CardProtocolError&) {
  } catch (const hal::CardError&) {
  } catch (const std::invalid_argument&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  guarded([&] { core::card::ResponseApdu::parse(input); });
  guarded([&] { core::card::read_tlv_children(core::card::read_tlv(input).value); });
  guarded([&] { core::card::parse_card_face(input); });
  guarded([&] { core::card::parse_token_info(input); });
  guarded([&] { core::card::parse_cvc(input); });
  guarded([&] { core::card::parse_rsa_key_components(input); });
  guarded([&] {
    FuzzedCard channel(input);
    core::card::CardSession session(channel);
    core::card::JpkiApplication jpki(session);
    jpki.select();
    jpki.read_token_info();
    jpki.read_auth_certificate();
    jpki.auth_pin_status();
    jpki.sign_with_auth_key(Bytes(51, 0x30));
  });
  guarded([&] {
    FuzzedCard channel(input);
    core::card::CardSession session(channel);
    core::card::CardFaceApplication face(session);
    face.select();
    face.code_b_status();
    face.read_card_face();
  });
  guarded([&] {  // the genuine-card proof's card commands (core/genuine_card)
    FuzzedCard channel(input);
    core::card::CardSession session(channel);
    if (core::card::detect_card_generation(session) != core::card::CardGeneration::Current) return;
    core::card::CardFaceApplication face(session);
    core::card::parse_cvc(face.read_certificate());
    core::card::CodeBGuard guard;
    guard.verify(face, core::card::Secret("55021720352285"));
    face.get_challenge();
    face.sign(Bytes(51, 0x30));
  });
  return 0;
}
