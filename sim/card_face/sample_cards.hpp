// Made-up card holders for rendered card faces (the evaluation set, tests): names with
// furigana and romaji, addresses, birth dates across the eras (with 元年 and the era
// boundaries), card expiry by the issuing rule (the 5th birthday after issue for minors, the
// 10th otherwise), random security codes. Nobody real; the same seed gives the same people.
#pragma once

#include <chrono>
#include <random>

#include "sim/card_face/card_face_renderer.hpp"

namespace kiosk::sim::card_face {

// A card holder's printed fields (no photo) for a card valid on `today`.
PrintedFields random_card_fields(std::mt19937& rng, std::chrono::year_month_day today, hal::CardGeneration generation);

// The 5th (minors: under 18 at issue) or 10th birthday after the issue date (28 Feb / 1 Mar for
// 29 Feb births in common years: 1 Mar, as the card factory does).
std::chrono::year_month_day card_expiry_for(std::chrono::year_month_day birth, std::chrono::year_month_day issued);

}  // namespace kiosk::sim::card_face
