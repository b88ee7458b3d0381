// The card-face record of the 券面事項確認AP (EF 0002), built from a card profile exactly as the
// emulator serves it, so that the issuer's signature made at issue (DF28) covers the same bytes
// the card later returns. Layout (../shared/spec/jpki-card.md §6; soltia48/myna-card): FF20 {
// DF21 offsets, DF22 birth date, DF23 sex, DF24 card key, DF25 name PNG, DF26 address PNG,
// DF27 photo JP2, DF28 signature, DF29 expiry, DF2A security-code PNG }. Cards without a
// CardFaceSecurity (files made before it) have no DF24, DF25, DF26, DF28 or DF2A.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "hal/bytes.hpp"
#include "sim/card/card_profile.hpp"

namespace kiosk::sim::card {

// A record FF<record> { DF<offsets> offsets, children... } whose offsets element lists, as 16-bit
// big-endian numbers, where each child starts in the file (the 券面 APs' layout).
Bytes record_with_offsets(int record_number, int offsets_number, const std::vector<Bytes>& children);
// A private-class object (DF22, FF20...).
Bytes private_tlv(bool constructed, int number, ByteView value);

// The three groups DF28 covers, each the objects as written: DF22 DF23 DF24 | DF25 DF26 | DF27.
std::array<Bytes, 3> card_face_signed_groups(const CardProfile& profile);
// The whole EF 0002 content (without filler).
Bytes card_face_record(const CardProfile& profile);

// 1-bit PNG images of printed text (DF25 name, DF26 address, DF2A security code), drawn with a
// CJK font of Debian's fonts-noto-cjk / fonts-ipafont-gothic through OpenCV's freetype module;
// without such a font, a blank image of the same size (the kiosk never reads these images).
Bytes printed_text_png(const std::string& utf8, int height_px);

}  // namespace kiosk::sim::card
