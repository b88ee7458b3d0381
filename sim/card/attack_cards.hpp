// Cards an attacker would make to pass the face path with a victim's identity (docs/genuine-card.md):
// the victim's user-authentication certificate (readable by anyone, no PIN) on a card emulator,
// with a card-face record that shows the attacker's face. Every variant must be refused by the
// kiosk or the eligibility service, each for its own reason. The attacker never has the victim's
// private keys: the clone's JPKI auth key is the attacker's own (a PIN confirmation fails too).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "sim/card/card_profile.hpp"

namespace kiosk::sim::card {

enum class CloneVariant {
  ForeignRoot,        // record and EF 0004 under the attacker's own CVC root (a key id nobody trusts)
  ForgedCertificate,  // EF 0004 names the J-LIS root's key id but the attacker signed it
  ForgedRecord,       // the victim's genuine EF 0004 and DF28, the photo replaced by the attacker's
  StolenRecord,       // the victim's genuine record and EF 0004 copied byte for byte onto a chip
                      // with another key (the victim's photo: the attacker needs a look-alike)
  OtherCard,          // the attacker's own genuine record, EF 0004 and chip (a relay of the
                      // attacker's real card) with the victim's certificate: only the binding to
                      // the certificate's holder can refuse it
};
// "foreign-root", "forged-certificate", "forged-record", "stolen-record", "other-card".
const char* to_string(CloneVariant v);
CloneVariant clone_variant_from_name(const std::string& name);  // std::invalid_argument

struct CloneOrder {
  CloneVariant variant = CloneVariant::ForeignRoot;
  std::optional<std::filesystem::path> photo;  // the attacker's face (all but StolenRecord, OtherCard)
  std::optional<CardProfile> attacker_card;    // OtherCard: the attacker's own genuine card
  std::string pin = "0000";                    // the clone answers this PIN (the victim's is unknown)
};

// Throws std::invalid_argument when the victim card has no card-face record to copy (ForgedRecord,
// StolenRecord) or OtherCard lacks the attacker's card.
CardProfile make_cloned_card(const CardProfile& victim, const CloneOrder& order);

}  // namespace kiosk::sim::card
