// A card file (sim/card/card_profile.hpp, "kiosk-sim-card/1") checked field by field before the
// simulator uses it (issue 18, reliability 6): a bad file gives one error naming the file and
// the field, instead of a crash in the middle of a reception (23 of 38 corrupted files aborted
// `kiosk-sim kiosk` on the patient's thread, while `card show` called 3 of them OK).
//
// Checked: the format; the holder's name, address, birth date (a calendar date) and sex (ISO 5218);
// the card's expiry (a calendar date) and security code; the token kind; each key pair (the
// private key parses, the certificate and its CA's are X.509, the certificate holds the key's
// public half); every retry counter (whole numbers, 1..15 tries, tries left within them); the
// PINs' and 照合番号B's formats; the face photo (base64 of a JPEG 2000 image, on a card); the
// My Number (12 digits, or none); the test knobs; the card's generation and card-face proof when
// present (each part readable; whether it proves anything is the kiosk's check). An attack card
// declares itself ("attack": its clone variant): its authentication certificate is the victim's
// and is not checked against its key; any other card's is.
#pragma once

#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace kiosk::sim::card {

class CardFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws CardFileError "<file>: <field>: <what is wrong>" for the first problem found.
void check_card_file(const nlohmann::json& card, const std::filesystem::path& file);

// Reads `file` (a regular file of at most 1 MiB, JSON nested at most 8 deep) and checks it.
// Returns the JSON. Throws CardFileError naming the file (and the field).
nlohmann::json read_card_file(const std::filesystem::path& file);

}  // namespace kiosk::sim::card
