// The fixture file QA engineers edit: the people the simulated service knows, their cards,
// qualifications, 資格確認書, consents and revoked certificates (JSON, format
// "kiosk-eligibility-fixture" version 1; documented in docs/eligibility-protocol.md §7).
// Paths in the file are relative to the file's folder.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/eligibility/records.hpp"

namespace kiosk::sim::eligibility {

// The fixture does not parse or breaks a rule; the message names the place
// ("people[1].qualifications[0].filed_on: not a YYYY-MM-DD date").
class FixtureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FixturePerson {
  PersonRecord person;
  std::vector<CardRecord> cards;
  std::vector<QualificationRecord> qualifications;
  std::vector<ConsentRecord> consents;
};

struct Fixture {
  std::filesystem::path base_dir;                  // the folder the file was read from
  std::optional<std::filesystem::path> jpki_ca;    // folder of the simulated JPKI CA (auth-ca.pem, auth.crl)
  std::vector<FixturePerson> people;
  std::vector<RevocationRecord> revocations;

  static Fixture load(const std::filesystem::path& file);
  // `base_dir` resolves relative paths (card files, certificates, the CA folder).
  static Fixture parse(const std::string& json_text, const std::filesystem::path& base_dir);
};

struct SampleFixtureOptions {
  std::filesystem::path fixture_dir;                // where the fixture will be written
  std::filesystem::path jpki_ca;                    // the simulated JPKI CA folder
  std::vector<std::filesystem::path> card_files;    // card files (kiosk-sim card issue) to give people
  Date today{};                                     // the sample's "recent filing" is relative to it
};

// The cases of the sample's card holders, in the order of the card files (then again):
//   0 valid and registered (working age: 3割)       4 qualification filed 2 business days ago
//   1 not registered for insurance use               5 72 in 国保 with a 高齢受給者証 (2割)
//   2 linkage under review                           6 75+ in 後期高齢者医療 (1割)
//   3 qualification lost 40 days ago                 7 a 限度額適用認定証 (区分 A03)
inline constexpr std::size_t kSampleCardCases = 8;
// Written into the sample ("sample": {"generator": N}); a world made by an older generator can
// tell that its sample is out of date (older ratios in the wrong field, fixed dates).
inline constexpr int kSampleGenerator = 2;

// A sample fixture, every date relative to `today`: one insured person per card file (the cases
// above; the card holder's age is the card's birth date), and people for the number path (valid and
// expired 資格確認書, an old qualification with a newer one, preschool twins without branch
// number, an old health insurance card of a 72-year-old). Returns the JSON text.
std::string sample_fixture(const SampleFixtureOptions& options);
// The generator of a fixture made by sample_fixture (0: not a sample, or an older one's).
int sample_generator(const nlohmann::json& fixture);

}  // namespace kiosk::sim::eligibility
