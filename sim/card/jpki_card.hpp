// A My Number card emulator that answers byte for byte as docs/card-protocol.md says (§2-§12;
// where public sources are silent, the assumptions of §14):
// the JPKI AP (auth and signing keys, certificates, PIN and password with retry counters),
// the 券面事項確認AP (face photo behind 照合番号B, the issuer certificate EF 0004, its own key that
// signs 80 2A 00 00 without a PIN) and the 券面事項入力補助AP (present, so that
// the kiosk's guard against reading the My Number is meaningful), unknown AIDs/files 6A 82,
// unknown instructions 6D 00, 69 82 before the needed PIN, 63 Cx on every empty VERIFY,
// 69 84 once locked, Le/end-of-file and extended length as real cards do.
//
// Volatile state (current application and file, verified PINs) is cleared by power-off,
// reset and by selecting an application; retry counters persist in the card file.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "hal/mynumber_card.hpp"
#include "sim/card/card_profile.hpp"
#include "sim/card/iso7816_command.hpp"
#include "sim/card/virtual_card.hpp"

namespace kiosk::sim::ca {
class RsaKey;
}

namespace kiosk::sim::card {

class JpkiCard final : public VirtualCard {
 public:
  // A card whose counters live only in memory (unit tests), or in `file` (written back).
  explicit JpkiCard(CardProfile profile, std::optional<std::filesystem::path> file = std::nullopt);
  static std::unique_ptr<JpkiCard> load(const std::filesystem::path& file);
  ~JpkiCard() override;

  Bytes atr() const override;
  void power_on() override;
  void power_off() override;
  void reset() override;
  Bytes process_apdu(ByteView command) override;

  const CardProfile& profile() const noexcept { return profile_; }
  // How often each application was selected successfully or not (by AID); for tests that
  // prove what the kiosk never did.
  std::size_t select_attempts(const hal::mynumber::Aid& aid) const;
  std::size_t apdus_processed() const noexcept { return apdus_processed_; }

 private:
  enum class App { None, Jpki, CardFace, Text, NextCardFace };
  struct Key {
    PinSlot* slot = nullptr;   // reference data (PIN, password, 照合番号)
    const sim::ca::RsaKey* rsa = nullptr;   // private key (signing)
    std::uint16_t unlocked_by = 0; // for private keys: the PIN that must be verified
  };
  struct File {
    Bytes content;
    std::vector<std::uint16_t> readable_after;  // any of these keys verified; empty: always
  };
  using Status = std::uint16_t;

  void build_files();
  void clear_volatile_state();
  void persist();
  Bytes answer(Status sw) const;
  Bytes answer(Bytes data, Status sw) const;

  Bytes select(const ReceivedCommand& c);
  Bytes read_binary(const ReceivedCommand& c);
  Bytes verify(const ReceivedCommand& c);
  Bytes change_reference_data(const ReceivedCommand& c);
  Bytes compute_signature(const ReceivedCommand& c);
  Bytes card_face_signature(const ReceivedCommand& c);
  Bytes get_challenge(const ReceivedCommand& c);
  Bytes get_data(const ReceivedCommand& c);

  struct KeyReference {
    std::uint16_t fid = 0;
    Status error = 0;  // the status word to answer when P2 names no key
  };
  KeyReference key_reference(Byte p2) const;
  const File* find_file(std::uint16_t fid) const;
  Key* find_key(std::uint16_t fid);

  CardProfile profile_;
  std::optional<std::filesystem::path> file_;
  std::unique_ptr<sim::ca::RsaKey> auth_key_;
  std::unique_ptr<sim::ca::RsaKey> sign_key_;
  std::unique_ptr<sim::ca::RsaKey> card_face_key_;  // the 券面AP key (cards with a CardFaceSecurity)
  PinSlot birth_key_;  // 生年月日 key of the card-face AP (not persisted)
  PinSlot code_a_face_;
  PinSlot code_a_text_;
  PinSlot code_b_text_;
  std::map<App, std::map<std::uint16_t, File>> files_;
  std::map<App, std::map<std::uint16_t, Key>> keys_;

  bool powered_ = false;
  App app_ = App::None;
  std::optional<std::uint16_t> current_ef_;
  std::set<std::uint16_t> verified_;  // keys verified in the current application
  std::map<hal::mynumber::Aid, std::size_t> select_attempts_;
  std::size_t apdus_processed_ = 0;
};

}  // namespace kiosk::sim::card
